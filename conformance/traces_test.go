package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// spanAdds says what an agent's spans add beside its log events and
// metrics, per prompt (docs/traces.md): Claude Code's interaction span and
// Codex's turn span are an agent_execution each; Gemini CLI's spans add
// nothing. Everything else its spans say, its events say too: turning
// traces on changes no total.
var spanAdds = map[string]map[string]int{
	"claude-code": {"agent_execution": 1},
	"codex":       {"agent_execution": 1},
	"gemini-cli":  {},
}

// sessionTotals are the session_end fields that must not change when an
// agent's traces are exported beside its logs and metrics.
var sessionTotals = []string{"prompts", "input_tokens", "output_tokens", "cache_read_tokens",
	"cache_creation_tokens", "reasoning_tokens", "token_count", "tool_uses", "tool_failures", "errors", "cost_usd", "model"}

// TestTracesChangeNoTotal replays each agent's captures with and without
// their traces requests: the session totals are the same, and so are the
// entries, but for what the agent's spans add (spanAdds), all of them
// from spans.
func TestTracesChangeNoTotal(t *testing.T) {
	n := 0
	for _, c := range loadCaptures(t) {
		adds, ok := spanAdds[c.info.Agent]
		if !ok {
			continue // a GenAI app: its spans are all it sends
		}
		n++
		t.Run(c.name(), func(t *testing.T) {
			prompts := len(scenarioNamed(t, c.info.Scenario).Prompts)
			with := replay(t, c.otlpDir(), asSent, nil)
			without := replay(t, c.otlpDir(), noTraces, nil)

			endWith, endWithout := only(t, with, "session_end"), only(t, without, "session_end")
			if endWith == nil || endWithout == nil {
				t.Fatalf("one session_end each, got %d with traces and %d without",
					len(ofType(with, "session_end")), len(ofType(without, "session_end")))
			}
			dw, dwo := endWith["data"].(map[string]any), endWithout["data"].(map[string]any)
			for _, k := range sessionTotals {
				if fmt.Sprint(dw[k]) != fmt.Sprint(dwo[k]) {
					t.Errorf("session_end %s = %v with traces, %v without", k, dw[k], dwo[k])
				}
			}

			types := map[string]bool{}
			for _, e := range append(slices.Clone(with), without...) {
				types[str(e["type"])] = true
			}
			for typ := range types {
				if typ == "session_start" || typ == "session_end" {
					continue // synthesized: their times may differ (spans start earlier)
				}
				a, b := entryData(ofType(with, typ)), entryData(ofType(without, typ))
				if add, ok := adds[typ]; ok {
					spans := 0
					for _, e := range ofType(with, typ) {
						if meta, _ := e["metadata"].(map[string]any); meta["signal"] == "span" {
							spans++
						}
					}
					if len(a) != len(b)+add*prompts || spans != add*prompts {
						t.Errorf("%s: %d entries with traces (%d from spans), %d without: want %d more, all from spans",
							typ, len(a), spans, len(b), add*prompts)
					}
					continue
				}
				if !slices.Equal(a, b) {
					t.Errorf("%s entries differ:\nwith traces:\n%v\nwithout:\n%v", typ, a, b)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no agent capture with traces")
	}
}

// entryData returns the data objects of entries as sorted JSON texts.
func entryData(entries []map[string]any) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		b, _ := json.Marshal(e["data"])
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}
