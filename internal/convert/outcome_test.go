package convert

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// TestToolOutcome: a tool_use's success, from the strongest evidence
// first: the command's exit code (an attribute, Gemini CLI's metadata
// JSON, Codex's output text), then the sender's success flag, status,
// decision, and error attributes that say there was an error.
func TestToolOutcome(t *testing.T) {
	cases := []struct {
		name     string
		attrs    []kv
		success  any
		exitCode any // written exit_code, nil = none
	}{
		{"exit_code attribute", []kv{{"exit_code", 2}, {"success", true}}, false, 2},
		{"exit_code 0, as the sender wrote it", []kv{{"exit_code", "0"}}, true, "0"},
		{"gemini metadata", []kv{{"success", true}, {"metadata", `{"exitCode": 2, "isError": true}`}}, false, 2},
		{"codex output", []kv{{"success", "true"}, {"output", "Chunk ID: 1\nWall time: 0.0 seconds\nProcess exited with code 127\nOutput:\n"}}, false, 127},
		{"codex output, success", []kv{{"success", "true"}, {"output", "Process exited with code 0\n"}}, true, 0},
		{"an exit code deep in the output is not read", []kv{{"success", true},
			{"output", string(make([]byte, 600)) + "Process exited with code 3"}}, true, nil},
		{"the sender's flag", []kv{{"success", "false"}}, false, nil},
		{"status ok", []kv{{"status", "OK"}}, true, nil},
		{"status failed", []kv{{"status", "failed"}}, false, nil},
		{"error none is no error", []kv{{"error", "none"}}, nil, nil},
		{"an empty error is no error", []kv{{"error", ""}, {"error.type", ""}}, nil, nil},
		{"an error", []kv{{"error", "Shell command failed"}}, false, nil},
		{"a rejected decision", []kv{{"decision", "reject"}}, false, nil},
		{"an accepted decision", []kv{{"decision", "accept"}}, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries, _ := convertLogs(t, defaultOptions(), nil,
				logRec{eventName: "claude_code.tool_result", attrs: append([]kv{{"tool_name", "Bash"}}, c.attrs...)})
			if len(entries) != 1 {
				t.Fatalf("%d entries", len(entries))
			}
			wantData(t, entries[0], "success", c.success)
			if c.exitCode != nil {
				wantData(t, entries[0], "exit_code", c.exitCode)
			} else if v, ok := entries[0].Data["exit_code"]; ok {
				t.Errorf("exit_code %v written", v)
			}
		})
	}
}

// TestMetricOutcomeAndOperation: a point's status and error attributes say
// whether it succeeded (error=none is none), and an operation attribute
// qualifies the metric name instead of replacing it.
func TestMetricOutcomeAndOperation(t *testing.T) {
	md := pmetric.NewMetrics()
	b := newMetrics(md, nil, "s", "")
	b.gauge("db.init.duration", "ms", 3.0, []kv{{"status", "success"}, {"error", "none"}, {"operation", "open"}},
		4.0, []kv{{"status", "error"}}, 5.0, []kv{{"error", "disk"}})
	c := testConverter(t, defaultOptions())
	var st Stats
	entries := checkLines(t, c.AppendMetrics(nil, md, &st))
	if len(entries) != 3 {
		t.Fatalf("%d entries", len(entries))
	}
	wantData(t, entries[0], "operation", "db.init.duration:open")
	wantData(t, entries[0], "success", true)
	wantData(t, entries[1], "operation", "db.init.duration")
	wantData(t, entries[1], "success", false)
	wantData(t, entries[2], "success", false)
}
