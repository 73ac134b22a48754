package mockmodel

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// anthropicMainRequest is a request of Claude Code's main conversation: the shell
// tool offered, the prompt in the last user message, a system turn after
// it (as Claude Code sends them).
func anthropicMainRequest(t *testing.T, sc Scenario, stream bool) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"model":  "claude-test-1",
		"stream": stream,
		"tools":  []map[string]any{{"name": "Read"}, {"name": "Bash"}},
		"messages": []map[string]any{
			{"role": "user", "content": []map[string]any{
				{"type": "text", "text": "<system-reminder>notes</system-reminder>"},
				{"type": "text", "text": sc.Prompts[0]},
			}},
			{"role": "system", "content": []map[string]any{{"type": "text", "text": "# Environment"}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// anthropicToolResultRequest continues anthropicMainRequest after a tool call.
func anthropicToolResultRequest(t *testing.T, stream bool) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"model":  "claude-test-1",
		"stream": stream,
		"tools":  []map[string]any{{"name": "Bash"}},
		"messages": []map[string]any{
			{"role": "user", "content": "earlier"},
			{"role": "assistant", "content": []map[string]any{{"type": "tool_use", "id": "x", "name": "Bash", "input": map[string]any{}}}},
			{"role": "user", "content": []map[string]any{{"type": "tool_result", "tool_use_id": "x", "content": "out"}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// anthropicAssembled is a streamed message put together as a client does.
type anthropicAssembled struct {
	text, toolName, toolInput string
	stopReason                string
	usage                     map[string]float64
}

func assembleAnthropic(t *testing.T, events []namedEvent) anthropicAssembled {
	t.Helper()
	var a anthropicAssembled
	a.usage = map[string]float64{}
	if len(events) == 0 || events[0].name != "message_start" || events[len(events)-1].name != "message_stop" {
		t.Fatalf("stream does not run message_start .. message_stop: %v", events)
	}
	for _, e := range events {
		switch e.name {
		case "message_start":
			for k, v := range e.data["message"].(map[string]any)["usage"].(map[string]any) {
				if f, ok := v.(float64); ok {
					a.usage[k] = f
				}
			}
		case "content_block_start":
			if b := e.data["content_block"].(map[string]any); b["type"] == "tool_use" {
				a.toolName = b["name"].(string)
			}
		case "content_block_delta":
			d := e.data["delta"].(map[string]any)
			switch d["type"] {
			case "text_delta":
				a.text += d["text"].(string)
			case "input_json_delta":
				a.toolInput += d["partial_json"].(string)
			}
		case "message_delta":
			a.stopReason = e.data["delta"].(map[string]any)["stop_reason"].(string)
			for k, v := range e.data["usage"].(map[string]any) {
				a.usage[k] = v.(float64)
			}
		}
	}
	return a
}

func TestAnthropicStreamsTheScript(t *testing.T) {
	s := startServer(t, ToolOK)
	resp := post(t, s.URL()+"/v1/messages?beta=true", anthropicMainRequest(t, ToolOK, true))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("request-id") == "" {
		t.Error("no request-id header")
	}
	a := assembleAnthropic(t, readNamedEvents(t, resp.Body))
	st := ToolOK.Steps[0]
	if a.text != st.Text || a.toolName != "Bash" || a.stopReason != "tool_use" {
		t.Errorf("got text %q, tool %q, stop %q", a.text, a.toolName, a.stopReason)
	}
	var input map[string]any
	if err := json.Unmarshal([]byte(a.toolInput), &input); err != nil || input["command"] != st.Command {
		t.Errorf("tool input %q (%v), want the command %q", a.toolInput, err, st.Command)
	}
	// Anthropic's input_tokens leaves the cache out.
	want := map[string]float64{
		"input_tokens":                float64(st.Usage.Input - st.Usage.CacheRead - st.Usage.CacheCreation),
		"cache_read_input_tokens":     float64(st.Usage.CacheRead),
		"cache_creation_input_tokens": float64(st.Usage.CacheCreation),
		"output_tokens":               float64(st.Usage.Output),
	}
	for k, v := range want {
		if a.usage[k] != v {
			t.Errorf("usage %s = %v, want %v", k, a.usage[k], v)
		}
	}

	resp = post(t, s.URL()+"/v1/messages", anthropicToolResultRequest(t, true))
	a = assembleAnthropic(t, readNamedEvents(t, resp.Body))
	if a.text != ToolOK.Steps[1].Text || a.toolName != "" || a.stopReason != "end_turn" {
		t.Errorf("second answer: text %q, tool %q, stop %q", a.text, a.toolName, a.stopReason)
	}
	if s.Remaining() != 0 {
		t.Errorf("%d steps left", s.Remaining())
	}
	served := s.Served()
	if len(served) != 2 {
		t.Fatalf("served %+v", served)
	}
	first := served[0]
	if first.API != "anthropic" || first.Step != 0 || first.Aux || first.Status != http.StatusOK ||
		first.Command != st.Command || first.Model != "claude-test-1" {
		t.Errorf("recorded %+v", first)
	}
	// No reasoning count in the API: recorded as 0.
	if u := first.Usage; u.Reasoning != 0 || u.Input != st.Usage.Input || u.Output != st.Usage.Output {
		t.Errorf("recorded usage %+v for %+v", u, st.Usage)
	}
}

func TestAnthropicNonStreaming(t *testing.T) {
	s := startServer(t, ToolOK)
	resp := post(t, s.URL()+"/v1/messages", anthropicMainRequest(t, ToolOK, false))
	var msg struct {
		Type       string           `json:"type"`
		Role       string           `json:"role"`
		Content    []map[string]any `json:"content"`
		StopReason string           `json:"stop_reason"`
		Usage      map[string]any   `json:"usage"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&msg); err != nil {
		t.Fatal(err)
	}
	if msg.Type != "message" || msg.Role != "assistant" || msg.StopReason != "tool_use" || len(msg.Content) != 2 {
		t.Fatalf("message %+v", msg)
	}
	if msg.Content[1]["type"] != "tool_use" || msg.Content[1]["input"].(map[string]any)["command"] != ToolOK.Steps[0].Command {
		t.Errorf("tool block %v", msg.Content[1])
	}
	if msg.Usage["cache_read_input_tokens"] != float64(ToolOK.Steps[0].Usage.CacheRead) {
		t.Errorf("usage %v", msg.Usage)
	}
}

func TestAnthropicRateLimit(t *testing.T) {
	s := startServer(t, APIRetry)
	resp := post(t, s.URL()+"/v1/messages", anthropicMainRequest(t, APIRetry, true))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("retry-after") != "1" ||
		resp.Header.Get("x-should-retry") != "true" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	var body struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "error" || body.Error.Type != "rate_limit_error" || body.Error.Message == "" {
		t.Errorf("error body %+v", body)
	}
	// The retry takes the next step.
	resp = post(t, s.URL()+"/v1/messages", anthropicMainRequest(t, APIRetry, true))
	if a := assembleAnthropic(t, readNamedEvents(t, resp.Body)); a.toolName != "Bash" {
		t.Errorf("retry answered %+v", a)
	}
	if got := s.Served(); got[0].Status != http.StatusTooManyRequests || got[0].Step != 0 || got[1].Step != 1 {
		t.Errorf("served %+v", got)
	}
}

func TestAnthropicAuxiliary(t *testing.T) {
	s := startServer(t, ToolOK)
	aux := []string{
		// No tools: a title or a quota probe.
		`{"model":"claude-small","max_tokens":1,"messages":[{"role":"user","content":"quota"}]}`,
		// The tools of the main conversation, but its own instruction last.
		`{"model":"claude-test-1","stream":true,"tools":[{"name":"Bash"}],"messages":[{"role":"user","content":"` +
			ToolOK.Prompts[0] + `"},{"role":"assistant","content":"x"},{"role":"user","content":"Summarize the conversation."}]}`,
	}
	for i, body := range aux {
		resp := post(t, s.URL()+"/v1/messages", body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("aux %d: status %d", i, resp.StatusCode)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	resp := post(t, s.URL()+"/v1/messages/count_tokens", `{"model":"claude-test-1","messages":[{"role":"user","content":"hi"}]}`)
	var count map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&count); err != nil || count["input_tokens"] <= 0 {
		t.Errorf("count_tokens answered %v (%v)", count, err)
	}
	if s.Remaining() != len(ToolOK.Steps) {
		t.Errorf("auxiliary requests took steps: %d left", s.Remaining())
	}
	served := s.Served()
	if len(served) != 3 {
		t.Fatalf("served %+v", served)
	}
	for i, r := range served[:2] {
		if !r.Aux || r.Step != -1 || r.Usage != AuxUsage || r.Status != http.StatusOK {
			t.Errorf("aux %d recorded %+v", i, r)
		}
	}
	if c := served[2]; !c.Aux || c.Usage != (Usage{}) || c.Path != "/v1/messages/count_tokens" {
		t.Errorf("count_tokens recorded %+v", c)
	}
}

func TestAnthropicPastTheScript(t *testing.T) {
	s := startServer(t, Scenario{Name: "empty", Prompts: ToolOK.Prompts})
	resp := post(t, s.URL()+"/v1/messages", anthropicMainRequest(t, ToolOK, true))
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	resp = post(t, s.URL()+"/v1/messages", `{not json`)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad body: status %d, want 400", resp.StatusCode)
	}
	for _, r := range s.Served() {
		if r.Status == http.StatusOK {
			t.Errorf("recorded %+v as served", r)
		}
	}
}
