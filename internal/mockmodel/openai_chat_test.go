package mockmodel

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// shellTools is the tools array of an app whose shell tool takes a string.
const shellTools = `[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}},
 {"type":"function","function":{"name":"run_shell_command","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}}]`

// chatResult is the part of a chat.completion the tests read.
type chatResult struct {
	Object  string `json:"object"`
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Role      string         `json:"role"`
			Content   *string        `json:"content"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage chatUsage `json:"usage"`
}

func decodeChat(t *testing.T, resp *http.Response) chatResult {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var r chatResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Object != "chat.completion" || len(r.Choices) != 1 || r.Choices[0].Message.Role != "assistant" {
		t.Fatalf("not one assistant chat.completion: %+v", r)
	}
	return r
}

func checkChatUsage(t *testing.T, got chatUsage, u Usage) {
	t.Helper()
	if got.PromptTokens != u.Input || got.CompletionTokens != u.Output || got.TotalTokens != u.Input+u.Output ||
		got.PromptTokensDetails.CachedTokens != u.CacheRead || got.CompletionTokensDetails.ReasoningTokens != u.Reasoning {
		t.Errorf("usage %+v, want the API's form of %+v", got, u)
	}
}

// TestChatToolOK: the app's conversation takes the steps in order (a tool
// call of its shell tool with the command, then the answer), a request on
// the side is auxiliary, and what was served is recorded with the usage the
// API could express.
func TestChatToolOK(t *testing.T) {
	s := startServer(t, ToolOK)
	first := decodeChat(t, post(t, s.URL()+chatPath, `{"model":"gpt-test","tools":`+shellTools+`,
		"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"run it"}]}`))
	c := first.Choices[0]
	if c.FinishReason != "tool_calls" || len(c.Message.ToolCalls) != 1 {
		t.Fatalf("first answer: finish %q, %d tool calls", c.FinishReason, len(c.Message.ToolCalls))
	}
	call := c.Message.ToolCalls[0]
	if call.Type != "function" || call.Function.Name != "run_shell_command" || !strings.HasPrefix(call.ID, "call_") {
		t.Errorf("tool call %+v, want a function call of run_shell_command", call)
	}
	var args map[string]string
	if err := json.Unmarshal([]byte(call.Function.Arguments), &args); err != nil || args["command"] != okCommand {
		t.Errorf("arguments %q (%v), want the command %q", call.Function.Arguments, err, okCommand)
	}
	if c.Message.Content == nil || *c.Message.Content != ToolOK.Steps[0].Text {
		t.Errorf("content %v, want %q", c.Message.Content, ToolOK.Steps[0].Text)
	}
	if first.Model != "gpt-test" {
		t.Errorf("model %q", first.Model)
	}
	checkChatUsage(t, first.Usage, ToolOK.Steps[0].Usage)

	aux := decodeChat(t, post(t, s.URL()+chatPath, `{"model":"gpt-mini","messages":[{"role":"user","content":"a title for: run it"}]}`))
	if aux.Choices[0].FinishReason != "stop" || len(aux.Choices[0].Message.ToolCalls) != 0 {
		t.Errorf("aux answer %+v", aux.Choices[0])
	}
	checkChatUsage(t, aux.Usage, AuxUsage)
	if s.Remaining() != 1 {
		t.Fatalf("an auxiliary request took a step: %d left", s.Remaining())
	}

	last := decodeChat(t, post(t, s.URL()+chatPath, `{"model":"gpt-test","messages":[{"role":"user","content":"run it"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"`+call.ID+`","type":"function","function":{"name":"run_shell_command","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"`+call.ID+`","content":"`+OutputMarker+`"}]}`))
	if c := last.Choices[0]; c.FinishReason != "stop" || c.Message.Content == nil || *c.Message.Content != ToolOK.Steps[1].Text {
		t.Errorf("last answer %+v", c)
	}
	checkChatUsage(t, last.Usage, ToolOK.Steps[1].Usage)
	if s.Remaining() != 0 {
		t.Errorf("%d steps left", s.Remaining())
	}

	served := s.Served()
	want := []struct {
		step    int
		aux     bool
		model   string
		command string
		usage   Usage
	}{
		{0, false, "gpt-test", okCommand, Usage{Input: 1000, CacheRead: 300, Output: 50, Reasoning: 7}},
		{-1, true, "gpt-mini", "", AuxUsage},
		{1, false, "gpt-test", "", Usage{Input: 2000, CacheRead: 600, Output: 100, Reasoning: 14}},
	}
	if len(served) != len(want) {
		t.Fatalf("served %+v", served)
	}
	for i, w := range want {
		g := served[i]
		if g.API != "openai" || g.Path != chatPath || g.Status != http.StatusOK || g.Step != w.step || g.Aux != w.aux ||
			g.Model != w.model || g.Command != w.command || g.Usage != w.usage {
			t.Errorf("served[%d] = %+v, want %+v", i, g, w)
		}
	}
}

// sseEvents reads a server-sent event stream into its data lines.
func sseEvents(t *testing.T, resp *http.Response) []string {
	t.Helper()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var data []string
	sc := bufio.NewScanner(resp.Body)
	blank := true
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			blank = true
		case strings.HasPrefix(line, "data: "):
			if !blank {
				t.Fatalf("two data lines in one event: %q", line)
			}
			blank = false
			data = append(data, strings.TrimPrefix(line, "data: "))
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
	if len(data) == 0 || data[len(data)-1] != "[DONE]" {
		t.Fatalf("the stream does not end with [DONE]: %q", data)
	}
	return data[:len(data)-1]
}

type chatChunk struct {
	Object  string `json:"object"`
	Choices []struct {
		Delta struct {
			Role      string         `json:"role"`
			Content   string         `json:"content"`
			ToolCalls []chatToolCall `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage json.RawMessage `json:"usage"`
}

// TestChatStream: a streamed answer carries the same text, tool call and
// usage as the JSON one, in chat.completion.chunk deltas; the usage comes
// in a last chunk with no choices only when the request asks for it.
func TestChatStream(t *testing.T) {
	s := startServer(t, ToolOK)
	events := sseEvents(t, post(t, s.URL()+chatPath, `{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},
		"tools":`+shellTools+`,"messages":[{"role":"user","content":"run it"}]}`))
	var text, name, id, args, finish string
	var usage chatUsage
	for i, ev := range events {
		var c chatChunk
		if err := json.Unmarshal([]byte(ev), &c); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if c.Object != "chat.completion.chunk" {
			t.Errorf("event %d: object %q", i, c.Object)
		}
		if i == len(events)-1 {
			if len(c.Choices) != 0 || json.Unmarshal(c.Usage, &usage) != nil {
				t.Errorf("last chunk %s: want no choices and the usage", ev)
			}
			continue
		}
		if string(c.Usage) != "null" {
			t.Errorf("chunk %d: usage %s, want null before the last chunk", i, c.Usage)
		}
		if len(c.Choices) != 1 {
			t.Fatalf("chunk %d: %d choices", i, len(c.Choices))
		}
		d := c.Choices[0].Delta
		if (i == 0) != (d.Role == "assistant") {
			t.Errorf("chunk %d: role %q", i, d.Role)
		}
		text += d.Content
		for _, tc := range d.ToolCalls {
			if tc.Index == nil || *tc.Index != 0 {
				t.Errorf("chunk %d: tool call without index 0", i)
			}
			if tc.ID != "" {
				id, name = tc.ID, tc.Function.Name
			}
			args += tc.Function.Arguments
		}
		if f := c.Choices[0].FinishReason; f != nil {
			finish = *f
		}
	}
	if text != ToolOK.Steps[0].Text || finish != "tool_calls" || name != "run_shell_command" || id == "" {
		t.Errorf("streamed text %q, finish %q, tool %q id %q", text, finish, name, id)
	}
	if args != `{"command":"`+okCommand+`"}` {
		t.Errorf("streamed arguments %q", args)
	}
	checkChatUsage(t, usage, ToolOK.Steps[0].Usage)

	// Without include_usage: no usage key at all.
	events = sseEvents(t, post(t, s.URL()+chatPath, `{"model":"gpt-test","stream":true,"tools":`+shellTools+`,
		"messages":[{"role":"tool","tool_call_id":"`+id+`","content":"x"}]}`))
	text = ""
	for _, ev := range events {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(ev), &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw["usage"]; ok {
			t.Errorf("chunk %s has a usage key without include_usage", ev)
		}
		var c chatChunk
		_ = json.Unmarshal([]byte(ev), &c)
		for _, ch := range c.Choices {
			text += ch.Delta.Content
		}
	}
	if text != ToolOK.Steps[1].Text {
		t.Errorf("streamed text %q", text)
	}
	if s.Remaining() != 0 {
		t.Errorf("%d steps left", s.Remaining())
	}
}

// TestChatErrors: a 429 step answers with the API's rate-limit error and a
// short Retry-After and takes its step; a conversation request past the
// script, and a body that is not JSON, get a 400 error object and are
// recorded.
func TestChatErrors(t *testing.T) {
	s := startServer(t, APIRetry)
	req := `{"model":"gpt-test","tools":` + shellTools + `,"messages":[{"role":"user","content":"run it"}]}`
	resp := post(t, s.URL()+chatPath, req)
	var e struct {
		Error struct {
			Message, Type string
			Code          *string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
		e.Error.Code == nil || *e.Error.Code != "rate_limit_exceeded" || e.Error.Message == "" {
		t.Errorf("429 answer: status %d, Retry-After %q, %+v", resp.StatusCode, resp.Header.Get("Retry-After"), e)
	}
	for range 2 {
		decodeChat(t, post(t, s.URL()+chatPath, req))
	}
	if resp := post(t, s.URL()+chatPath, req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("past the script: status %d", resp.StatusCode)
	}
	if resp := post(t, s.URL()+chatPath, `{"model":`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad JSON: status %d", resp.StatusCode)
	}
	var got []int
	for _, sv := range s.Served() {
		got = append(got, sv.Status, sv.Step)
	}
	want := []int{429, 0, 200, 1, 200, 2, 400, -1, 400, -1}
	if !bytes.Equal(mustJSON(got), mustJSON(want)) {
		t.Errorf("served (status, step) %v, want %v", got, want)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

// TestChatShellCall: the command goes into the parameter the shell tool's
// schema names for it, as an argv when the schema says array.
func TestChatShellCall(t *testing.T) {
	tools := func(s string) []chatTool {
		var ts []chatTool
		if err := json.Unmarshal([]byte(s), &ts); err != nil {
			t.Fatal(err)
		}
		return ts
	}
	cases := []struct {
		name, tools, wantName, wantArgs string
	}{
		{"no tools", `[]`, "shell", `{"command":"ls"}`},
		{"first tool when none is a shell", `[{"type":"function","function":{"name":"run","parameters":{"type":"object","properties":{"line":{"type":"string"}},"required":["line"]}}}]`,
			"run", `{"line":"ls"}`},
		{"cmd", `[{"type":"function","function":{"name":"exec","parameters":{"properties":{"cmd":{"type":"string"}}}}}]`, "exec", `{"cmd":"ls"}`},
		{"argv", `[{"type":"function","function":{"name":"shell","parameters":{"properties":{"command":{"type":"array","items":{"type":"string"}}}}}}]`,
			"shell", `{"command":["bash","-lc","ls"]}`},
		{"schema not an object", `[{"type":"function","function":{"name":"bash","parameters":[1]}}]`, "bash", `{"command":"ls"}`},
	}
	for _, c := range cases {
		call := chatShellCall(tools(c.tools), "ls", 7)
		if call.Function.Name != c.wantName || call.Function.Arguments != c.wantArgs || call.ID != "call_mock000007" {
			t.Errorf("%s: %+v, want %s %s", c.name, call, c.wantName, c.wantArgs)
		}
	}
}
