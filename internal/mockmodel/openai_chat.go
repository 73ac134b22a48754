package mockmodel

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The OpenAI Chat Completions API (POST /v1/chat/completions), as the
// openai client libraries and the GenAI apps built on them call it, in both
// of its forms: one JSON answer, or server-sent events of
// chat.completion.chunk objects ending with "data: [DONE]" when the request
// says "stream": true (with a last chunk carrying the usage when
// stream_options.include_usage is true, as the real API does).
//
// A request continues the scenario when it is the app's conversation: it
// offers tools, or it carries a tool result (a message of role "tool").
// Any other request (a title or a summary asked for on the side) is
// auxiliary.

// chatPath is the one path of the Chat Completions API.
const chatPath = "/v1/chat/completions"

// maxChatBody bounds a request body.
const maxChatBody = 32 << 20

// openaiChat registers the Chat Completions handler.
func (s *Server) openaiChat(mux *http.ServeMux) {
	var seq atomic.Int64
	mux.HandleFunc("POST "+chatPath, func(w http.ResponseWriter, r *http.Request) {
		s.chatCompletions(w, r, seq.Add(1))
	})
}

// chatRequest is the part of a Chat Completions request the mock reads.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Tools         []chatTool    `json:"tools"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type chatMessage struct {
	Role string `json:"role"`
}

type chatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name       string          `json:"name"`
		Parameters json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// conversation reports whether the request is the app's conversation.
func (q *chatRequest) conversation() bool {
	if len(q.Tools) > 0 {
		return true
	}
	for _, m := range q.Messages {
		if m.Role == "tool" {
			return true
		}
	}
	return false
}

// chatToolCall is a tool call of an answer.
type chatToolCall struct {
	Index    *int   `json:"index,omitempty"` // streaming deltas only
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// chatUsage is the usage object of the API: prompt_tokens counts every input
// token, cached_tokens the part read from the prompt cache;
// completion_tokens counts every generated token, reasoning_tokens the part
// spent on reasoning.
type chatUsage struct {
	PromptTokens        int64 `json:"prompt_tokens"`
	CompletionTokens    int64 `json:"completion_tokens"`
	TotalTokens         int64 `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
		AudioTokens  int64 `json:"audio_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens          int64 `json:"reasoning_tokens"`
		AudioTokens              int64 `json:"audio_tokens"`
		AcceptedPredictionTokens int64 `json:"accepted_prediction_tokens"`
		RejectedPredictionTokens int64 `json:"rejected_prediction_tokens"`
	} `json:"completion_tokens_details"`
}

// chatUsageOf converts u to the API's usage. The API has no count of
// cache writes: the returned Usage is what the answer can tell.
func chatUsageOf(u Usage) (chatUsage, Usage) {
	var c chatUsage
	c.PromptTokens = u.Input
	c.CompletionTokens = u.Output
	c.TotalTokens = u.Input + u.Output
	c.PromptTokensDetails.CachedTokens = u.CacheRead
	c.CompletionTokensDetails.ReasoningTokens = u.Reasoning
	return c, Usage{Input: u.Input, CacheRead: u.CacheRead, Output: u.Output, Reasoning: u.Reasoning}
}

// chatAnswer is what one answer says: text, and a tool call when the step
// asks for a command.
type chatAnswer struct {
	id, model string
	created   int64
	text      string
	call      *chatToolCall // nil: no tool call
	usage     chatUsage
}

func (a chatAnswer) finishReason() string {
	if a.call != nil {
		return "tool_calls"
	}
	return "stop"
}

func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request, seq int64) {
	served := Served{API: "openai", Method: r.Method, Path: r.URL.Path, Step: -1}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxChatBody+1))
	if err != nil || len(body) > maxChatBody {
		served.Status = http.StatusBadRequest
		s.record(served)
		openaiStatus(w, http.StatusBadRequest, "The request body is unreadable or too large.")
		return
	}
	var q chatRequest
	if err := json.Unmarshal(body, &q); err != nil {
		served.Status = http.StatusBadRequest
		s.record(served)
		openaiStatus(w, http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	served.Model = q.Model
	a := chatAnswer{
		id:      fmt.Sprintf("chatcmpl-mock%06d", seq),
		model:   q.Model,
		created: time.Now().Unix(),
	}
	if q.conversation() {
		st, i, err := s.step()
		if err != nil {
			served.Status = http.StatusBadRequest
			s.record(served)
			openaiStatus(w, http.StatusBadRequest, err.Error())
			return
		}
		served.Step = i
		if st.Status != 0 {
			served.Status = st.Status
			s.record(served)
			openaiStatus(w, st.Status, "")
			return
		}
		a.text = st.Text
		if st.Command != "" {
			a.call = chatShellCall(q.Tools, st.Command, seq)
			served.Command = st.Command
		}
		a.usage, served.Usage = chatUsageOf(st.Usage)
	} else {
		served.Aux = true
		a.text = "OK."
		a.usage, served.Usage = chatUsageOf(AuxUsage)
	}
	served.Status = http.StatusOK
	s.record(served)
	if q.Stream {
		chatStream(w, a, q.StreamOptions != nil && q.StreamOptions.IncludeUsage)
		return
	}
	chatJSON(w, a)
}

// chatShellCall makes the tool call that asks for command: the request's shell
// tool (a tool whose name says so, else its first function tool), with the
// command in the parameter its schema names for it.
func chatShellCall(tools []chatTool, command string, seq int64) *chatToolCall {
	name, params := "shell", json.RawMessage(nil)
	found := false
	for _, t := range tools {
		if t.Type != "function" && t.Type != "" {
			continue
		}
		n := strings.ToLower(t.Function.Name)
		shellish := strings.Contains(n, "shell") || strings.Contains(n, "bash") ||
			strings.Contains(n, "command") || strings.Contains(n, "exec")
		if !found || shellish {
			name, params = t.Function.Name, t.Function.Parameters
		}
		found = true
		if shellish {
			break
		}
	}
	arg, array := chatCommandParam(params)
	var v any = command
	if array {
		v = []string{"bash", "-lc", command}
	}
	args, _ := marshalJSON(map[string]any{arg: v})
	c := &chatToolCall{ID: fmt.Sprintf("call_mock%06d", seq), Type: "function"}
	c.Function.Name = name
	c.Function.Arguments = string(args)
	return c
}

// chatCommandParam returns the parameter of a tool's JSON schema that takes
// the command ("command" or "cmd" when it has one, else its first required
// parameter, else "command") and whether it is an array of strings.
func chatCommandParam(schema json.RawMessage) (string, bool) {
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if len(schema) == 0 || json.Unmarshal(schema, &s) != nil {
		return "command", false
	}
	pick := "command"
	switch {
	case chatHasKey(s.Properties, "command"):
	case chatHasKey(s.Properties, "cmd"):
		pick = "cmd"
	case len(s.Required) > 0:
		pick = s.Required[0]
	}
	p, ok := s.Properties[pick]
	return pick, ok && p.Type == "array"
}

func chatHasKey[V any](m map[string]V, k string) bool { _, ok := m[k]; return ok }

// chatJSON writes a's chat.completion object.
func chatJSON(w http.ResponseWriter, a chatAnswer) {
	msg := map[string]any{"role": "assistant", "content": a.text, "refusal": nil, "annotations": []any{}}
	if a.text == "" {
		msg["content"] = nil
	}
	if a.call != nil {
		msg["tool_calls"] = []*chatToolCall{a.call}
	}
	writeJSON(w, http.StatusOK, jsonType, map[string]any{
		"id":      a.id,
		"object":  "chat.completion",
		"created": a.created,
		"model":   a.model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       msg,
			"logprobs":      nil,
			"finish_reason": a.finishReason(),
		}},
		"usage":              a.usage,
		"service_tier":       "default",
		"system_fingerprint": "fp_mock",
	})
}

// chatStream writes a as server-sent events: a first chunk with the role,
// the text in pieces, the tool call (id and name, then the arguments in
// two pieces), a chunk with the finish reason, the usage chunk when asked
// for, and [DONE].
func chatStream(w http.ResponseWriter, a chatAnswer, includeUsage bool) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(choices []any, usage any) {
		chunk := map[string]any{
			"id":                 a.id,
			"object":             "chat.completion.chunk",
			"created":            a.created,
			"model":              a.model,
			"service_tier":       "default",
			"system_fingerprint": "fp_mock",
			"choices":            choices,
		}
		if includeUsage {
			chunk["usage"] = usage // null on every chunk but the last, as the API sends it
		}
		b, _ := marshalJSON(chunk)
		_, _ = fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	delta := func(d map[string]any, finish any) []any {
		return []any{map[string]any{"index": 0, "delta": d, "logprobs": nil, "finish_reason": finish}}
	}
	send(delta(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil), nil)
	for _, piece := range chatSplitText(a.text) {
		send(delta(map[string]any{"content": piece}, nil), nil)
	}
	if a.call != nil {
		zero := 0
		first := &chatToolCall{Index: &zero, ID: a.call.ID, Type: a.call.Type}
		first.Function.Name = a.call.Function.Name
		send(delta(map[string]any{"tool_calls": []*chatToolCall{first}}, nil), nil)
		args := a.call.Function.Arguments
		half := len(args) / 2
		for half > 0 && !utf8.RuneStart(args[half]) {
			half--
		}
		for _, part := range []string{args[:half], args[half:]} {
			more := &chatToolCall{Index: &zero}
			more.Function.Arguments = part
			send(delta(map[string]any{"tool_calls": []*chatToolCall{more}}, nil), nil)
		}
	}
	send(delta(map[string]any{}, a.finishReason()), nil)
	if includeUsage {
		send([]any{}, a.usage)
	}
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// chatSplitText cuts text after each space, so a stream carries it in several
// deltas.
func chatSplitText(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexByte(text, ' ')
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}
