package mockmodel

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// openaiScenario: a command, a 429, a final answer.
var openaiScenario = Scenario{
	Name:    "openai_test",
	Prompts: []string{"go " + PromptMarker},
	Steps: []Step{
		{Command: "echo hi", Text: "Running it.", Usage: usage(1)},
		{Status: http.StatusTooManyRequests},
		{Text: "Done. " + ResponseMarker, Usage: usage(2)},
	},
}

// openaiBody is a Responses API request offering the given function
// tools (and the local_shell tool type for "local_shell").
func openaiBody(t *testing.T, stream bool, text string, tools ...string) string {
	t.Helper()
	var ts []map[string]any
	for _, name := range tools {
		if name == toolLocalShell {
			ts = append(ts, map[string]any{"type": "local_shell"})
			continue
		}
		ts = append(ts, map[string]any{"type": "function", "name": name, "parameters": map[string]any{"type": "object"}})
	}
	b, err := json.Marshal(map[string]any{
		"model": "gpt-test", "stream": stream, "tools": ts,
		"input": []map[string]any{{"type": "message", "role": "user", "content": []map[string]any{{"type": "input_text", "text": text}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func openaiEventsNamed(evs []namedEvent, name string) []map[string]any {
	var out []map[string]any
	for _, e := range evs {
		if e.name == name {
			out = append(out, e.data)
		}
	}
	return out
}

func TestOpenAIStreamsTheScript(t *testing.T) {
	s := startServer(t, openaiScenario)
	body := openaiBody(t, true, "go "+PromptMarker, "write_stdin", toolExecCommand)

	// Step 0: a commentary message, then a call of exec_command.
	resp := post(t, s.URL()+"/v1/responses", body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	evs := readNamedEvents(t, resp.Body)
	if evs[0].name != "response.created" || evs[len(evs)-1].name != "response.completed" {
		t.Fatalf("stream from %s to %s", evs[0].name, evs[len(evs)-1].name)
	}
	done := openaiEventsNamed(evs, "response.output_item.done")
	if len(done) != 2 {
		t.Fatalf("%d output items, want 2", len(done))
	}
	msg, call := done[0]["item"].(map[string]any), done[1]["item"].(map[string]any)
	if msg["type"] != "message" || msg["phase"] != "commentary" {
		t.Errorf("first item %v, want a commentary message", msg)
	}
	if call["type"] != "function_call" || call["name"] != toolExecCommand || call["arguments"] != `{"cmd":"echo hi"}` || call["call_id"] == "" {
		t.Errorf("second item %v, want a call of exec_command with cmd", call)
	}
	if d := openaiEventsNamed(evs, "response.output_text.delta"); len(d) != 1 || d[0]["delta"] != "Running it." {
		t.Errorf("text deltas %v", d)
	}
	completed := openaiEventsNamed(evs, "response.completed")[0]["response"].(map[string]any)
	u, _ := json.Marshal(completed["usage"])
	if want := `{"input_tokens":1000,"input_tokens_details":{"cached_tokens":300},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":7},"total_tokens":1050}`; string(u) != want {
		t.Errorf("usage %s, want %s", u, want)
	}
	for i, e := range evs {
		if e.data["sequence_number"] != float64(i) {
			t.Errorf("event %d (%s) has sequence_number %v", i, e.name, e.data["sequence_number"])
		}
	}

	// Step 1: 429 with the API's error body and a short Retry-After.
	resp = post(t, s.URL()+"/v1/responses", body)
	var e struct {
		Error struct{ Type, Code, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || e.Error.Code != "rate_limit_exceeded" || e.Error.Message == "" {
		t.Errorf("429 answer: status %d, Retry-After %q, error %+v", resp.StatusCode, resp.Header.Get("Retry-After"), e.Error)
	}

	// Step 2: the final answer, text only.
	evs = readNamedEvents(t, post(t, s.URL()+"/v1/responses", body).Body)
	done = openaiEventsNamed(evs, "response.output_item.done")
	if len(done) != 1 || done[0]["item"].(map[string]any)["phase"] != "final_answer" {
		t.Errorf("final answer items %v", done)
	}

	// Past the script: refused.
	if resp := post(t, s.URL()+"/v1/responses", body); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("a request past the script got %d", resp.StatusCode)
	}

	served := s.Served()
	if len(served) != 4 || s.Remaining() != 0 {
		t.Fatalf("served %+v, %d steps left", served, s.Remaining())
	}
	want := []Served{
		{API: "openai", Step: 0, Status: 200, Command: "echo hi", Usage: Usage{Input: 1000, CacheRead: 300, Output: 50, Reasoning: 7}},
		{API: "openai", Step: 1, Status: 429},
		{API: "openai", Step: 2, Status: 200, Usage: Usage{Input: 2000, CacheRead: 600, Output: 100, Reasoning: 14}},
		{API: "openai", Step: -1, Status: 500},
	}
	for i, w := range want {
		g := served[i]
		if g.API != w.API || g.Step != w.Step || g.Status != w.Status || g.Command != w.Command || g.Usage != w.Usage || g.Aux || g.Model != "gpt-test" || g.Path != "/v1/responses" {
			t.Errorf("served[%d] = %+v, want %+v", i, g, w)
		}
	}
}

func TestOpenAIShellToolShapes(t *testing.T) {
	for _, tc := range []struct {
		tools []string
		check func(item map[string]any) bool
	}{
		{[]string{toolShellCommand}, func(it map[string]any) bool {
			return it["name"] == toolShellCommand && it["arguments"] == `{"command":"echo hi"}`
		}},
		{[]string{toolShell}, func(it map[string]any) bool {
			return it["name"] == toolShell && it["arguments"] == `{"command":["bash","-lc","echo hi"]}`
		}},
		{[]string{toolLocalShell}, func(it map[string]any) bool {
			a, _ := it["action"].(map[string]any)
			return it["type"] == "local_shell_call" && a != nil && a["type"] == "exec"
		}},
		{[]string{toolShell, toolExecCommand}, func(it map[string]any) bool { return it["name"] == toolExecCommand }},
	} {
		s := startServer(t, openaiScenario)
		evs := readNamedEvents(t, post(t, s.URL()+"/v1/responses", openaiBody(t, true, PromptMarker, tc.tools...)).Body)
		done := openaiEventsNamed(evs, "response.output_item.done")
		if len(done) != 2 || !tc.check(done[1]["item"].(map[string]any)) {
			t.Errorf("tools %v: items %v", tc.tools, done)
		}
	}
}

func TestOpenAIAuxiliaryAndNonStreaming(t *testing.T) {
	s := startServer(t, openaiScenario)
	// No scenario prompt: auxiliary, answered without a stream when asked.
	resp := post(t, s.URL()+"/v1/responses", openaiBody(t, false, "summarize this", toolExecCommand))
	var r map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(r["output"])
	if r["status"] != "completed" || !strings.Contains(string(out), `"text":"OK."`) {
		t.Errorf("aux answer %v", r)
	}
	// A scenario prompt but no shell tool: auxiliary too.
	readNamedEvents(t, post(t, s.URL()+"/v1/responses", openaiBody(t, true, PromptMarker)).Body)
	for i, g := range s.Served() {
		if !g.Aux || g.Step != -1 || g.Usage != AuxUsage || g.Status != 200 {
			t.Errorf("served[%d] = %+v, want auxiliary", i, g)
		}
	}
	if s.Remaining() != len(openaiScenario.Steps) {
		t.Errorf("auxiliary requests took steps: %d left", s.Remaining())
	}
}

func TestOpenAITurnCostsAndModels(t *testing.T) {
	s := startServer(t, openaiScenario)
	resp := post(t, s.URL()+"/v1/analytics/codex/turn-costs", `{"turn_ids":["t1","t2"]}`)
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(b)) != `{"turns":[{"status":"pending","turn_id":"t1"},{"status":"pending","turn_id":"t2"}]}` {
		t.Errorf("turn costs: %d %s", resp.StatusCode, b)
	}
	if resp := post(t, s.URL()+"/v1/analytics/codex/turn-costs", `{`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad turn cost query got %d", resp.StatusCode)
	}
	mr, err := http.Get(s.URL() + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Body.Close()
	var models struct{ Data []struct{ ID string } }
	if err := json.NewDecoder(mr.Body).Decode(&models); err != nil || len(models.Data) == 0 {
		t.Errorf("models: %v %+v", err, models)
	}
	served := s.Served()
	if len(served) != 3 {
		t.Fatalf("served %+v", served)
	}
	for i, g := range served {
		if !g.Aux || g.Usage != (Usage{}) {
			t.Errorf("served[%d] = %+v, want auxiliary with no usage", i, g)
		}
	}
}
