package convert

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/deltas"

	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the converter's output")

// absent marks a data key that must not be written (consumed as a named
// field, an id, the event name or the override).
type absent struct{}

// want is the expected entry of one converted record.
type want struct {
	typ        string
	sid, uid   string // "" = null
	fields     map[string]any
	timestamp  string // checked when set
	eventOrMet string // metadata event_name / metric_name when set
}

// goldenCase is one payload file and what the converter makes of it under
// the default configuration.
type goldenCase struct {
	payload          string
	entries          []want
	unmatched        int64
	ignored          int64 // by a built-in rule on purpose
	invalid          int64
	invalidOverrides int64
}

const (
	ccSID = ccSession
	ccUID = ccUser
	gmSID = "c3d9e1f0-2222-4333-8444-955566667777"
)

var goldenCases = []goldenCase{
	{payload: "claude_code_logs", unmatched: 4, entries: []want{
		{typ: "command_executed", sid: ccSID, uid: ccUID, eventOrMet: "user_prompt",
			fields: map[string]any{"command": "compact", "success": nil, "duration_ms": nil, "command_name": absent{},
				"command_source": "builtin", "event.name": absent{}, "session.id": absent{}, "user.id": absent{}, "user.email": "dev@example.com"}},
		// Claude Code's input_tokens (1200) leave out the cache: the
		// entry's input counts it.
		{typ: "token_usage", sid: ccSID, uid: ccUID, fields: map[string]any{"model": "claude-sonnet-4-5", "input_tokens": 9200,
			"output_tokens": 350, "cache_read_tokens": 8000, "cache_creation_tokens": 0, "reasoning_tokens": nil, "cost_usd": 0.02446,
			"duration_ms": "2314", "request_id": "req_011"}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, fields: map[string]any{"tool_name": "Bash", "success": true, "duration_ms": 1211}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, fields: map[string]any{"tool_name": "Read", "success": false, "duration_ms": 3,
			"error": "File does not exist.", "error_type": "Error:ENOENT"}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, fields: map[string]any{"tool_name": "Write", "success": false, "duration_ms": nil, "decision": "reject"}},
		{typ: "error_occurred", sid: ccSID, uid: ccUID, fields: map[string]any{"error_type": "529", "error_message": "Overloaded",
			"stack_trace": nil, "status_code": 529, "error": absent{}}},
		{typ: "error_occurred", sid: ccSID, uid: ccUID, fields: map[string]any{"error_message": "Overloaded", "status_code": 529, "total_attempts": 11}},
		{typ: "error_occurred", sid: ccSID, uid: ccUID, fields: map[string]any{"error_type": "TypeError", "error_message": nil, "error_code": "ENOENT"}},
		{typ: "hook_triggered", sid: ccSID, uid: ccUID, fields: map[string]any{"hook_name": "PreToolUse:Write", "hook_event": "PreToolUse",
			"success": nil, "duration_ms": 184, "total_duration_ms": absent{}, "num_hooks": "2"}},
		{typ: "agent_execution", sid: ccSID, uid: ccUID, fields: map[string]any{"agent_name": "code-reviewer", "duration_ms": 48200,
			"success": nil, "model": "claude-haiku-4-5"}},
	}},
	{payload: "claude_code_variants_logs", entries: []want{
		{typ: "token_usage", sid: ccSID, uid: ccUID, fields: map[string]any{"model": "claude-opus-4-1", "input_tokens": 15,
			"output_tokens": 20, "cache_read_tokens": 0, "cache_creation_tokens": 5, "cost_usd": 0.5}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, eventOrMet: "claude_code.tool_result",
			fields: map[string]any{"tool_name": "Edit", "success": true, "duration_ms": 7.5}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, eventOrMet: "claude_code.tool_decision",
			fields: map[string]any{"tool_name": "Bash", "success": false, "decision": "abort"}},
		{typ: "hook_triggered", sid: "resource-session", uid: "resource-user", eventOrMet: "claude_code.hook_execution_complete",
			fields: map[string]any{"hook_name": "Stop:notify", "hook_event": "Stop", "duration_ms": 12}},
		{typ: "session_start", sid: "resource-session", uid: "resource-user", timestamp: "2026-11-20T14:03:13.123456+00:00",
			fields: map[string]any{"project_path": "/home/dev/project", "model": "claude-sonnet-4-5", "cwd": absent{}}},
	}},
	{payload: "gemini_cli_logs", unmatched: 1, entries: []want{
		{typ: "tool_use", sid: gmSID, uid: "dev@example.com", eventOrMet: "gemini_cli.tool_call",
			fields: map[string]any{"tool_name": "read_file", "success": true, "duration_ms": 12, "decision": "accept", "function_name": absent{}}},
		{typ: "tool_use", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"tool_name": "run_shell_command", "success": false,
			"duration_ms": 950, "error": "exit status 2"}},
		// Gemini CLI's output_token_count (610) leaves out the thoughts.
		{typ: "token_usage", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"model": "gemini-2.5-pro", "input_tokens": 5400,
			"output_tokens": 830, "cache_read_tokens": 4096, "cache_creation_tokens": nil, "reasoning_tokens": 220, "cost_usd": nil,
			"thoughts_token_count": absent{}}},
		{typ: "error_occurred", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"error_type": "RESOURCE_EXHAUSTED",
			"error_message": "quota exceeded", "stack_trace": nil, "status_code": 429}},
		{typ: "hook_triggered", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"hook_name": "lint-guard",
			"hook_event": "BeforeTool", "success": true, "duration_ms": 77}},
		{typ: "agent_execution", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"agent_name": "codebase_investigator", "duration_ms": 20400}},
		{typ: "command_executed", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"command": "memory", "subcommand": "show"}},
		{typ: "session_end", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"duration_seconds": nil, "token_count": nil, "turnCount": 9}},
	}},
	{payload: "codex_logs", unmatched: 2, entries: []want{
		{typ: "session_start", sid: "cx-7", uid: "cx@example.com", fields: map[string]any{"project_path": "/src/app", "model": "gpt-5-codex"}},
		{typ: "tool_use", sid: "cx-7", uid: "cx@example.com", fields: map[string]any{"tool_name": "apply_patch", "success": false, "decision": "denied"}},
		{typ: "tool_use", sid: "cx-7", uid: "cx@example.com", fields: map[string]any{"tool_name": "shell", "success": true, "duration_ms": 31}},
	}},
	{payload: "generic_logs", unmatched: 2, invalidOverrides: 1, entries: []want{
		{typ: "error_occurred", sid: "resource-level-session", uid: "u-77", fields: map[string]any{"error_type": "PaymentDeclined",
			"error_message": "card declined", "stack_trace": "main.pay()\n\tpay.go:42"}},
		{typ: "performance", sid: "resource-level-session", eventOrMet: "checkout.step", fields: map[string]any{"operation": "checkout.step",
			"duration_ms": 18.5, "success": true, "analytics.type": absent{}}},
		{typ: "session_start", sid: "s-100", fields: map[string]any{"project_path": nil, "model": nil, "session.previous_id": "s-099"}},
		{typ: "session_end", sid: "s-100", fields: map[string]any{"duration_seconds": nil, "token_count": nil}},
		{typ: "error_occurred", sid: "resource-level-session", fields: map[string]any{"error_type": "OOM", "error_message": "worker crashed"}},
	}},
	// Claude Code's metrics repeat its events (tokens, cost) or only time
	// the session (session.count): ignored by default.
	{payload: "claude_code_metrics", ignored: 9},
	{payload: "genai_metrics", unmatched: 1, entries: []want{
		{typ: "token_usage", sid: "conv-42", fields: map[string]any{"model": "gpt-4.1", "input_tokens": 9000, "output_tokens": nil,
			"count": 3, "sum": 9000.0, "gen_ai.token.type": "input"}},
		{typ: "token_usage", sid: "conv-42", fields: map[string]any{"input_tokens": nil, "output_tokens": 1500}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"operation": "gen_ai.client.operation.duration", "duration_ms": 1500.0, "success": true}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"duration_ms": 30000.0, "success": false, "error.type": "timeout"}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"operation": "gen_ai.invoke_agent.duration:triage", "duration_ms": 6200.0,
			"agent_name": "triage", "count": 2}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"operation": "gen_ai.execute_tool.duration:search_kb", "duration_ms": 210.0,
			"tool_name": "search_kb", "min": 0.1, "max": 0.4}},
	}},
	{payload: "other_metrics", invalid: 1, ignored: 2, entries: []want{
		{typ: "performance", fields: map[string]any{"operation": "queue.wait", "duration_ms": 12.5, "success": true, "value": 12.5, "queue": "jobs"}},
		{typ: "performance", fields: map[string]any{"operation": "rpc.client.latency", "duration_ms": 25.0, "count": 4, "sum": 100.0,
			"min": 10.0, "max": 40.0, "rpc.method": "Get"}},
		{typ: "performance", timestamp: "2026-01-02T03:04:05.678901+00:00", fields: map[string]any{"duration_ms": 250.0, "count": 2,
			"min": 0.1, "max": 0.4}},
		{typ: "checkpoint_created", sid: "s-300", fields: map[string]any{"checkpoint_id": "ck-9", "analytics.type": absent{}, "value": 1}},
	}},
}

func TestGolden(t *testing.T) {
	root := repoRoot(t)
	for _, gc := range goldenCases {
		t.Run(gc.payload, func(t *testing.T) {
			c := testConverter(t, defaultOptions())
			out, st := convertFile(t, c, filepath.Join(root, "testdata", "payloads", gc.payload+".json"))
			entries := checkLines(t, out)
			if len(entries) != len(gc.entries) {
				t.Fatalf("%d entries, want %d:\n%s", len(entries), len(gc.entries), out)
			}
			if st.DroppedUnmatched != gc.unmatched || st.DroppedIgnored != gc.ignored || st.DroppedInvalid != gc.invalid ||
				st.InvalidOverride != gc.invalidOverrides {
				t.Errorf("stats %+v, want unmatched %d ignored %d invalid %d invalid overrides %d", st, gc.unmatched, gc.ignored,
					gc.invalid, gc.invalidOverrides)
			}
			var written int64
			for _, n := range st.Written {
				written += n
			}
			if written != int64(len(entries)) {
				t.Errorf("Written sums to %d, %d lines", written, len(entries))
			}
			for i, w := range gc.entries {
				t.Run(entryName(i, entries[i]), func(t *testing.T) { checkEntry(t, i, entries[i], w) })
			}
			compareGolden(t, filepath.Join(root, "testdata", "golden", gc.payload+".jsonl"), out)
		})
	}
}

// entryName names a subtest after the record: "03_tool_result".
func entryName(i int, e entry) string {
	name, _ := e.Metadata["event_name"].(string)
	if m, ok := e.Metadata["metric_name"].(string); ok {
		name = m
	}
	if name == "" {
		name = e.Type
	}
	return fmt.Sprintf("%02d_%s", i, name)
}

// appender is a *Converter, or a *testConv (sequential ids).
type appender interface {
	AppendLogs(dst []byte, ld plog.Logs, st *Stats) []byte
	AppendMetricsObserved(dst []byte, md pmetric.Metrics, st *Stats, obs Observer, cum *deltas.Lazy) []byte
}

// convertFile converts one OTLP/JSON payload as the exporter does the
// first time it sees it: cumulative points become increments from their
// start (the whole point), with metadata saying so.
func convertFile(t *testing.T, c appender, path string) ([]byte, Stats) {
	t.Helper()
	var st Stats
	ld, md, isMetrics := loadPayload(t, path)
	if isMetrics {
		cum := deltas.Lazy{T: deltas.New(0)}
		defer cum.End(true)
		return c.AppendMetricsObserved(nil, md, &st, nil, &cum), st
	}
	return c.AppendLogs(nil, ld, &st), st
}

func checkEntry(t *testing.T, i int, e entry, w want) {
	t.Helper()
	if e.Type != w.typ {
		t.Errorf("entry %d: type %q, want %q\n%s", i, e.Type, w.typ, e.raw)
		return
	}
	if got := deref(e.SessionID); got != w.sid {
		t.Errorf("entry %d (%s): session_id %q, want %q", i, w.typ, got, w.sid)
	}
	if got := deref(e.UserID); got != w.uid {
		t.Errorf("entry %d (%s): user_id %q, want %q", i, w.typ, got, w.uid)
	}
	if w.timestamp != "" && e.Timestamp != w.timestamp {
		t.Errorf("entry %d (%s): timestamp %s, want %s", i, w.typ, e.Timestamp, w.timestamp)
	}
	// Named fields come first, in the seed's order.
	typ, _ := mapping.ParseType(w.typ)
	n := 0
	for _, f := range namedFields[typ] {
		if f.optional {
			continue
		}
		if n >= len(e.dataKeys) || e.dataKeys[n] != f.name {
			t.Errorf("entry %d (%s): data keys %v do not start with the named field %q at %d", i, w.typ, e.dataKeys, f.name, n)
			break
		}
		n++
	}
	for k, wv := range w.fields {
		gv, ok := e.Data[k]
		if _, mustBeAbsent := wv.(absent); mustBeAbsent {
			if ok {
				t.Errorf("entry %d (%s): data has %q = %v; it should have been consumed", i, w.typ, k, gv)
			}
			continue
		}
		if !ok {
			t.Errorf("entry %d (%s): data has no %q (want %v)\n%s", i, w.typ, k, wv, e.raw)
			continue
		}
		if !sameValue(wv, gv) {
			t.Errorf("entry %d (%s): data[%q] = %#v, want %#v", i, w.typ, k, gv, wv)
		}
	}
	if w.eventOrMet != "" {
		name := e.Metadata["event_name"]
		if e.Metadata["signal"] == "metric" {
			name = e.Metadata["metric_name"]
		}
		if name != w.eventOrMet {
			t.Errorf("entry %d (%s): metadata name %v, want %s", i, w.typ, name, w.eventOrMet)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sameValue compares an expected Go value with a decoded JSON value; an
// expected int must be written as an integer (no fraction or exponent).
func sameValue(want, got any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case string, bool:
		return got == want
	case int, float64:
		num, ok := got.(json.Number)
		if !ok {
			return false
		}
		if _, isInt := want.(int); isInt && strings.ContainsAny(num.String(), ".eE") {
			return false
		}
		f, err := num.Float64()
		wf := toFloat(w)
		return err == nil && math.Abs(f-wf) <= 1e-9*math.Max(1, math.Abs(wf))
	}
	return false
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// compareGolden compares out with the golden file (rewritten with -update).
func compareGolden(t *testing.T, path string, out []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(golden, out) {
		gl, ol := bytes.Split(golden, []byte("\n")), bytes.Split(out, []byte("\n"))
		for i := 0; i < len(gl) && i < len(ol); i++ {
			if !bytes.Equal(gl[i], ol[i]) {
				t.Fatalf("%s line %d differs (go test -update rewrites it):\ngot  %s\nwant %s", filepath.Base(path), i+1, ol[i], gl[i])
			}
		}
		t.Fatalf("%s: %d lines, golden has %d (go test -update rewrites it)", filepath.Base(path), len(ol), len(gl))
	}
}
