//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
)

// TestSmokeSessionEndOnSigterm runs the built Collector with the default
// session settings: the Claude Code payload carries no session
// start, so the exporter synthesizes one, and SIGTERM (no storage configured)
// must close the open session with exactly one session_end whose totals add
// up the session's token_usage, tool_use and error_occurred entries.
func TestSmokeSessionEndOnSigterm(t *testing.T) {
	root := testbinary.RepoRoot(t)
	p := loadPayload(t, filepath.Join(root, "testdata", "payloads", "claude_code_logs.json"), "claude_code_logs")

	c := startCollector(t, "compression: gzip\n")
	s := newSender(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.send(ctx, "grpc", p); err != nil {
		t.Fatalf("export refused: %v", err)
	}
	c.stop(t)

	const sid = "0b6b2b1e-7d4f-4b61-9a57-2f7f3c1d9e01"
	var starts, ends []map[string]any
	var tokens, tools, errs int64
	for _, e := range sinktest.ReadEntries(t, c.outDir) {
		if e.SessionID != sid {
			continue
		}
		data, err := e.DataMap()
		if err != nil {
			t.Fatal(err)
		}
		switch e.Type {
		case "session_start":
			starts = append(starts, data)
		case "session_end":
			ends = append(ends, data)
		case "token_usage":
			tokens += intField(t, data, "input_tokens") + intField(t, data, "output_tokens")
		case "tool_use":
			tools++
		case "error_occurred":
			errs++
		}
	}
	if len(starts) != 1 || starts[0]["synthesized"] != true {
		t.Fatalf("want one synthesized session_start for %s, got %v", sid, starts)
	}
	if len(ends) != 1 {
		t.Fatalf("want exactly one session_end for %s after SIGTERM, got %d: %v", sid, len(ends), ends)
	}
	end := ends[0]
	if end["end_reason"] != "shutdown" {
		t.Errorf("end_reason %v, want shutdown", end["end_reason"])
	}
	if tokens == 0 || intField(t, end, "token_count") != tokens {
		t.Errorf("token_count %v, want the session's input+output tokens %d", end["token_count"], tokens)
	}
	if intField(t, end, "tool_uses") != tools || intField(t, end, "errors") != errs {
		t.Errorf("tool_uses %v errors %v, want %d and %d", end["tool_uses"], end["errors"], tools, errs)
	}
	t.Logf("session %s: 1 start, 1 end on SIGTERM, token_count %d, tool_uses %d, errors %d", sid, tokens, tools, errs)
}

// intField reads a whole number of a decoded data object (json.Number).
func intField(t *testing.T, data map[string]any, key string) int64 {
	t.Helper()
	n, ok := data[key].(json.Number)
	if !ok {
		t.Fatalf("data.%s is %T %v, want a number", key, data[key], data[key])
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("data.%s: %v", key, err)
	}
	return i
}
