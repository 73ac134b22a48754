package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// codex is what the suite expects of codex.
//
// What the captures show (testdata/agents/codex-0.169.0): every log record
// carries the session in conversation.id; its event name is the event.name
// attribute (the EventName field holds a source location such as "event
// otel/src/events/session_telemetry.rs:703"); timeUnixNano is 0. Tokens
// are on the codex.sse_event record of kind response.completed that has
// input_token_count (cached tokens inside) and output_token_count
// (reasoning tokens inside); its twin without counts and the other 20-odd
// sse_event kinds per response are stream bookkeeping. The shell tool is
// exec_command, reported by codex.tool_result. A refused model request is
// a codex.api_request with http.response.status_code 429. Metrics are
// delta, with no conversation.id, and codex.turn.token_usage repeats the
// turn's tokens.
var codex = agentSpec{
	name:      "codex",
	pkg:       "@openai/codex",
	version:   "0.169.0",
	shellTool: "exec_command",
	// Every model request of Codex goes through the model client that
	// logs codex.sse_event with the usage. The only auxiliary requests of
	// these captures are the turn-cost probes, which carry no tokens, so
	// the captures cannot tell either way.
	countsAux:         true,
	maxLinesPerPrompt: 10,
	extra:             codexExtra,
}

// codexExtra checks what is particular to Codex.
func codexExtra(t *testing.T, sc mockmodel.Scenario, c capture, entries []map[string]any) {
	t.Helper()
	var main []mockmodel.Served // the answers of the main conversation
	for _, s := range c.served {
		if !s.Aux && s.Step >= 0 {
			main = append(main, s)
		}
	}
	model := ""
	if len(main) > 0 {
		model = main[0].Model
	}

	codexSessionID(t, c, entries)
	codexTokenUsage(t, main, entries)
	codexErrors(t, main, entries)
	codexSessionEnd(t, main, model, entries)
	codexTimes(t, c, entries)
	codexNoContent(t, entries)

	if start := only(t, entries, "session_start"); start != nil {
		if got := start["data"].(map[string]any)["model"]; got != model {
			t.Errorf("session_start model %v, want %q", got, model)
		}
	}
	for i, e := range ofType(entries, "tool_use") {
		if d := e["data"].(map[string]any); !(num(d["duration_ms"]) > 0) {
			t.Errorf("tool_use %d: duration_ms %v, want the tool_result's duration", i, d["duration_ms"])
		}
	}
}

// codexSessionID: the one session id of the entries is the conversation.id
// of Codex's log records (the same id for a resumed session).
func codexSessionID(t *testing.T, c capture, entries []map[string]any) {
	t.Helper()
	ids := codexConversationIDs(t, c)
	if len(ids) != 1 {
		t.Errorf("the capture has conversation ids %v, want one", ids)
		return
	}
	for _, e := range entries {
		if sid, _ := e["session_id"].(string); sid != "" && sid != ids[0] {
			t.Errorf("%v entry of session %q, Codex's conversation.id is %q", e["type"], sid, ids[0])
			return
		}
	}
}

// codexConversationIDs returns the distinct conversation.id values of the
// capture's log records.
func codexConversationIDs(t *testing.T, c capture) []string {
	t.Helper()
	var ids []string
	eachLogRecord(t, loadRequests(t, c.otlpDir()), func(_ pcommon.Map, lr plog.LogRecord) {
		if v, ok := lr.Attributes().Get("conversation.id"); ok && !slices.Contains(ids, v.AsString()) {
			ids = append(ids, v.AsString())
		}
	})
	return ids
}

// codexTokenUsage: one token_usage entry per successful answer of the main
// conversation, each with the model asked for and the answer's own figures
// (Codex reports each response, so the figures must not be merged, split
// or taken from codex.turn.token_usage on top).
func codexTokenUsage(t *testing.T, main []mockmodel.Served, entries []map[string]any) {
	t.Helper()
	type figures struct {
		model                                        string
		input, cacheRead, cacheCreation, out, reason float64
	}
	var want, got []figures
	for _, s := range main {
		if s.Status == http.StatusOK {
			u := s.Usage
			want = append(want, figures{s.Model, float64(u.Input), float64(u.CacheRead), float64(u.CacheCreation), float64(u.Output), float64(u.Reasoning)})
		}
	}
	for _, e := range ofType(entries, "token_usage") {
		d := e["data"].(map[string]any)
		got = append(got, figures{str(d["model"]), num(d["input_tokens"]), num(d["cache_read_tokens"]),
			num(d["cache_creation_tokens"]), num(d["output_tokens"]), num(d["reasoning_tokens"])})
	}
	order := func(a, b figures) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }
	slices.SortFunc(want, order)
	slices.SortFunc(got, order)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("token_usage entries (model input cache_read cache_creation output reasoning):\n got  %v\n want %v", got, want)
	}
}

// codexErrors: one error_occurred per refused request of the main
// conversation, with its HTTP status, and none otherwise (a command that
// fails is a failed tool_use, not an error).
func codexErrors(t *testing.T, main []mockmodel.Served, entries []map[string]any) {
	t.Helper()
	var statuses []int
	for _, s := range main {
		if s.Status >= 400 {
			statuses = append(statuses, s.Status)
		}
	}
	errs := ofType(entries, "error_occurred")
	if len(errs) != len(statuses) {
		t.Errorf("%d error_occurred entries, the mock refused %d requests (%v)", len(errs), len(statuses), statuses)
		return
	}
	for i, e := range errs {
		d := e["data"].(map[string]any)
		want := fmt.Sprint(statuses[i])
		found := false
		for _, k := range []string{"error_type", "status_code", "http.response.status_code"} {
			if v, ok := d[k]; ok && fmt.Sprint(v) == want {
				found = true
			}
		}
		if !found {
			t.Errorf("error_occurred %d: no status %s in error_type or status_code: %v", i, want, d)
		}
	}
}

// codexSessionEnd: the session_end's counts and model.
func codexSessionEnd(t *testing.T, main []mockmodel.Served, model string, entries []map[string]any) {
	t.Helper()
	end := only(t, entries, "session_end")
	if end == nil {
		return
	}
	d := end["data"].(map[string]any)
	var tools, failures, errs int
	for _, s := range main {
		if s.Command != "" {
			tools++
			if isFailCommand(s.Command) {
				failures++
			}
		}
		if s.Status >= 400 {
			errs++
		}
	}
	for _, f := range []struct {
		field string
		want  int
	}{{"tool_uses", tools}, {"tool_failures", failures}, {"errors", errs}} {
		if got := num(d[f.field]); got != float64(f.want) {
			t.Errorf("session_end %s = %v, want %d", f.field, got, f.want)
		}
	}
	if d["model"] != model {
		t.Errorf("session_end model %v, want %q", d["model"], model)
	}
	if d["cost_usd"] != nil {
		t.Errorf("session_end cost_usd %v, want null: Codex reported no cost", d["cost_usd"])
	}
}

// codexTimes: Codex leaves timeUnixNano 0; the entries made from its
// records must still be timed when the records were made (the observed
// time), not at 1970 or at replay time.
func codexTimes(t *testing.T, c capture, entries []map[string]any) {
	t.Helper()
	first, last := recordSpan(t, c)
	if first.IsZero() {
		return
	}
	const slack = 5 * time.Second
	for _, e := range entries {
		switch e["type"] {
		case "session_start", "tool_use", "token_usage", "error_occurred":
		default:
			continue
		}
		ts, err := time.Parse("2006-01-02T15:04:05.000000-07:00", str(e["timestamp"]))
		if err != nil {
			t.Errorf("%v entry: timestamp %v: %v", e["type"], e["timestamp"], err)
			continue
		}
		if ts.Before(first.Add(-slack)) || ts.After(last.Add(slack)) {
			t.Errorf("%v entry timed %s, Codex's records span %s .. %s", e["type"],
				ts.Format(time.RFC3339Nano), first.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano))
		}
	}
}

// codexNoContent: the captures were made with Codex logging the prompt
// (codex.user_prompt prompt), the answer (codex.agent_response response),
// the command (codex.tool_result arguments) and its output
// (codex.tool_result output); by default none of it may reach an entry.
func codexNoContent(t *testing.T, entries []map[string]any) {
	t.Helper()
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{mockmodel.PromptMarker, mockmodel.ResponseMarker, mockmodel.CommandMarker, mockmodel.OutputMarker} {
			if strings.Contains(string(b), m) {
				t.Errorf("%v entry holds content (%s): %s", e["type"], m, b)
			}
		}
	}
}
