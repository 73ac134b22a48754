//go:build e2e

package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
)

// sendCapture posts every request of a stored agent capture
// (testdata/agents/<capture>/otlp) to the Collector over OTLP/HTTP, in
// arrival order, as the agent sent it (JSON or protobuf); skip leaves out
// a signal.
func sendCapture(t *testing.T, s *sender, capture, skip string) {
	t.Helper()
	reqs, err := otlpcapture.Load(filepath.Join(testbinary.RepoRoot(t), "testdata", "agents", capture, "otlp"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, r := range reqs {
		if r.Signal == skip {
			continue
		}
		ct := "application/json"
		if r.Proto {
			ct = "application/x-protobuf"
		}
		body := r.Body
		if err := s.post(ctx, "/v1/"+r.Signal, ct, func() ([]byte, error) { return body, nil }); err != nil {
			t.Fatalf("%s: %v", r.Path, err)
		}
	}
}

// TestSmokeTraces runs the built Collector with its traces pipeline:
// Claude Code's capture with and without its traces gives the same
// session totals (the spans add one agent_execution per prompt), and a
// GenAI app's spans, whose model calls carry no session, are written with
// the session of their trace's root.
func TestSmokeTraces(t *testing.T) {
	totals := map[string]map[string]any{}
	for _, skip := range []string{"", "traces"} {
		c := startCollectorWith(t, "compression: none\n", true)
		sendCapture(t, newSender(t, c), "claude-code-2.1.328/two_prompts", skip)
		c.stop(t)
		entries := sinktest.ReadMaps(t, c.outDir)
		counts := map[string]int{}
		for _, e := range entries {
			counts[e["type"].(string)]++
		}
		if counts["token_usage"] != 3 || counts["tool_use"] != 1 || counts["session_end"] != 1 {
			t.Fatalf("skip %q: %v", skip, counts)
		}
		if want := map[string]int{"": 2, "traces": 0}[skip]; counts["agent_execution"] != want {
			t.Errorf("skip %q: %d agent_execution, want %d", skip, counts["agent_execution"], want)
		}
		for _, e := range entries {
			if e["type"] == "session_end" {
				totals[skip] = e["data"].(map[string]any)
			}
		}
	}
	for _, k := range []string{"prompts", "input_tokens", "output_tokens", "cache_read_tokens", "tool_uses", "tool_failures", "cost_usd"} {
		if totals[""][k] != totals["traces"][k] {
			t.Errorf("session_end %s: %v with traces, %v without", k, totals[""][k], totals["traces"][k])
		}
	}

	c := startCollectorWith(t, "compression: none\n", true)
	sendCapture(t, newSender(t, c), "openai-otel-instrumentation-0.21.0/tool_ok", "")
	c.stop(t)
	entries := sinktest.ReadMaps(t, c.outDir)
	var types []string
	for _, e := range entries {
		types = append(types, e["type"].(string))
		if sid, _ := e["session_id"].(string); sid == "" {
			t.Errorf("entry without a session: %v", e)
		}
	}
	if got := strings.Join(types, ","); !strings.Contains(got, "agent_execution") || strings.Count(got, "token_usage") != 2 {
		t.Errorf("GenAI app entries %s", got)
	}
}
