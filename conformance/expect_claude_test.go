package conformance

import (
	"math"
	"net/http"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// claudeCode is what the suite expects of claude-code.
//
// Its shell tool is Bash. Every model request it makes, auxiliary ones
// too, is an api_request event with its tokens (query_source tells them
// apart), so auxiliary tokens count; in print mode it made none here.
var claudeCode = agentSpec{
	name:              "claude-code",
	pkg:               "@anthropic-ai/claude-code",
	version:           "2.1.328",
	shellTool:         "Bash",
	countsAux:         true,
	maxLinesPerPrompt: 10,
	// Anthropic's API reports no reasoning count (thinking is in output).
	unsentTokens: []string{"reasoning_tokens"},
	extra:        checkClaude,
}

// claudeRequest is what one api_request event of a capture says.
type claudeRequest struct {
	model string
	cost  float64
}

// claudeSent reads from a capture the api_request events, in the order
// sent, and the user.id values of the session's records.
func claudeSent(t *testing.T, c capture) (reqs []claudeRequest, userIDs map[string]bool) {
	t.Helper()
	userIDs = map[string]bool{}
	eachLogRecord(t, loadRequests(t, c.otlpDir()), func(_ pcommon.Map, lr plog.LogRecord) {
		attrs := lr.Attributes()
		if v, ok := attrs.Get("user.id"); ok {
			userIDs[v.AsString()] = true
		}
		if v, ok := attrs.Get("event.name"); !ok || v.AsString() != "api_request" {
			return
		}
		var req claudeRequest
		if v, ok := attrs.Get("model"); ok {
			req.model = v.AsString()
		}
		if v, ok := attrs.Get("cost_usd"); ok {
			req.cost = v.Double()
		}
		reqs = append(reqs, req)
	})
	return reqs, userIDs
}

// checkClaude checks what is particular to Claude Code.
func checkClaude(t *testing.T, _ mockmodel.Scenario, c capture, entries []map[string]any) {
	t.Helper()
	var answered []mockmodel.Served // the answers Claude Code reports, in order
	commands, failed := 0, 0
	for _, s := range c.served {
		if s.Status == http.StatusOK {
			answered = append(answered, s)
		}
		if s.Command != "" {
			commands++
			if isFailCommand(s.Command) {
				failed++
			}
		}
	}
	sent, userIDs := claudeSent(t, c)
	if len(sent) != len(answered) {
		t.Fatalf("the capture has %d api_request events for %d answers: the capture does not match the mock", len(sent), len(answered))
	}

	// One token_usage per answered model request (the token and cost
	// metrics repeat the api_request events: no second count), in order,
	// with the request's model, its normalized tokens (Claude Code's
	// input_tokens leaves the cache out) and its cost.
	usage := ofType(entries, "token_usage")
	if len(usage) != len(answered) {
		t.Errorf("%d token_usage entries, want one per answered request: %d", len(usage), len(answered))
	}
	var cost float64
	for i, s := range answered {
		cost += sent[i].cost
		if i >= len(usage) {
			continue
		}
		d := usage[i]["data"].(map[string]any)
		if d["model"] != s.Model {
			t.Errorf("token_usage %d: model %v, want %q", i, d["model"], s.Model)
		}
		for _, k := range tokenKinds {
			if k.field == "reasoning_tokens" {
				continue // Anthropic reports none: the shared check covers it
			}
			if got, want := num(d[k.field]), float64(k.of(s.Usage)); got != want {
				t.Errorf("token_usage %d: %s = %v, want %v", i, k.field, got, want)
			}
		}
		if got := num(d["cost_usd"]); math.Abs(got-sent[i].cost) > 1e-9 || math.IsNaN(got) {
			t.Errorf("token_usage %d: cost_usd = %v, the agent reported %v", i, got, sent[i].cost)
		}
	}

	// The session's totals: model, cost, tools and failures. Claude Code
	// reports a failed command as a failed tool_result (not an error), and
	// a 429 it retried only on the llm_request span of its traces (attempt
	// 2): no error in logs or metrics, so errors stay 0.
	if n := len(ofType(entries, "error_occurred")); n != 0 {
		t.Errorf("%d error_occurred entries, want 0 (Claude Code reported no error)", n)
	}
	if end := only(t, entries, "session_end"); end != nil {
		d := end["data"].(map[string]any)
		if want := answered[len(answered)-1].Model; d["model"] != want {
			t.Errorf("session_end model = %v, want %q", d["model"], want)
		}
		if got := num(d["cost_usd"]); math.Abs(got-cost) > 1e-6 || math.IsNaN(got) {
			t.Errorf("session_end cost_usd = %v, the agent reported %v in all", got, cost)
		}
		for k, want := range map[string]int{"tool_uses": commands, "tool_failures": failed, "errors": 0} {
			if got := num(d[k]); got != float64(want) {
				t.Errorf("session_end %s = %v, want %d", k, got, want)
			}
		}
	}

	// A failed command says why.
	for i, e := range ofType(entries, "tool_use") {
		d := e["data"].(map[string]any)
		if d["success"] == false && str(d["error"]) == "" {
			t.Errorf("tool_use %d failed without an error message: %v", i, d)
		}
	}

	// Every entry is the one user Claude Code named in user.id.
	if len(userIDs) != 1 {
		t.Fatalf("the capture has user.id values %v, want one", userIDs)
	}
	for _, e := range entries {
		if id := str(e["user_id"]); !userIDs[id] {
			t.Errorf("%v entry: user_id %q, want the agent's user.id %v", e["type"], id, userIDs)
			break
		}
	}
}
