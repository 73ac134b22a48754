package mockmodel

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// The Anthropic Messages API as Claude Code calls it: POST /v1/messages
// (Claude Code adds ?beta=true), streamed as server-sent events when the
// request says "stream": true and answered as one JSON message otherwise,
// and POST /v1/messages/count_tokens.

// anthropicShellTool is the name of Claude Code's shell tool, the tool the
// scenario's commands are asked of.
const anthropicShellTool = "Bash"

// maxAnthropicBody bounds a request body the mock reads (Claude Code's
// requests carry its system prompt and tool schemas: tens of kilobytes).
const maxAnthropicBody = 16 << 20

// anthropic registers the handlers of the Anthropic Messages API.
func (s *Server) anthropic(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/messages", s.anthropicMessages)
	mux.HandleFunc("POST /v1/messages/count_tokens", s.anthropicCountTokens)
}

// anthropicRequest is the part of a Messages request the mock reads.
type anthropicRequest struct {
	Model    string             `json:"model"`
	Stream   bool               `json:"stream"`
	Tools    []anthropicTool    `json:"tools"`
	Messages []anthropicMessage `json:"messages"`
}

type anthropicTool struct {
	Name string `json:"name"`
}

type anthropicMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"` // a string or a list of blocks
}

// anthropicBlock is the part of a content block the mock reads.
type anthropicBlock struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// anthropicIDs numbers the ids the mock makes up (messages, tool calls,
// requests), unique within the process.
var anthropicIDs atomic.Int64

func anthropicID(prefix string) string {
	return fmt.Sprintf("%s_mock%06d", prefix, anthropicIDs.Add(1))
}

// continuesMain reports whether a request continues the scenario's main
// conversation: it offers the agent's shell tool and its last message is
// the user's (a prompt of the scenario or the result of a tool call the
// mock asked for), system turns after it aside. Claude Code's auxiliary requests (quota probes, titles,
// topic checks, summaries) offer no tools or end with an instruction of
// their own.
func (s *Server) continuesMain(req anthropicRequest) bool {
	hasShell := false
	for _, t := range req.Tools {
		if t.Name == anthropicShellTool {
			hasShell = true
			break
		}
	}
	if !hasShell {
		return false
	}
	// The API takes system turns among the messages: Claude Code ends
	// the conversation with one (its environment notes).
	i := len(req.Messages) - 1
	for i >= 0 && req.Messages[i].Role == "system" {
		i--
	}
	if i < 0 || req.Messages[i].Role != "user" {
		return false
	}
	last := req.Messages[i]
	var text string
	if err := json.Unmarshal(last.Content, &text); err == nil {
		return s.isPrompt(text)
	}
	var blocks []anthropicBlock
	if err := json.Unmarshal(last.Content, &blocks); err != nil {
		return false
	}
	for _, b := range blocks {
		if b.Type == "tool_result" || (b.Type == "text" && s.isPrompt(b.Text)) {
			return true
		}
	}
	return false
}

// isPrompt reports whether text holds one of the scenario's prompts.
func (s *Server) isPrompt(text string) bool {
	for _, p := range s.sc.Prompts {
		if strings.Contains(text, p) {
			return true
		}
	}
	return false
}

func (s *Server) anthropicMessages(w http.ResponseWriter, r *http.Request) {
	req, ok := s.anthropicRead(w, r)
	if !ok {
		return
	}
	rec := Served{API: "anthropic", Method: r.Method, Path: r.URL.Path, Model: req.Model, Step: -1}
	var st Step
	if s.continuesMain(req) {
		var err error
		st, rec.Step, err = s.step()
		if err != nil {
			// The agent went on past the script: a visible failure.
			rec.Status = http.StatusInternalServerError
			s.record(rec)
			anthropicError(w, rec.Status, err.Error())
			return
		}
	} else {
		rec.Aux = true
		st = Step{Text: "OK.", Usage: AuxUsage}
	}
	if st.Status != 0 {
		rec.Status = st.Status
		s.record(rec)
		anthropicError(w, st.Status, http.StatusText(st.Status))
		return
	}
	msg := anthropicAnswer(req.Model, st)
	rec.Status = http.StatusOK
	rec.Usage = anthropicServedUsage(st.Usage)
	rec.Command = st.Command
	s.record(rec)
	w.Header().Set("request-id", anthropicID("req"))
	if !req.Stream {
		writeJSON(w, http.StatusOK, jsonType, msg)
		return
	}
	streamAnthropic(w, msg)
}

// anthropicCountTokens answers a token count. It generates nothing, so it
// is recorded as auxiliary with no usage.
func (s *Server) anthropicCountTokens(w http.ResponseWriter, r *http.Request) {
	req, ok := s.anthropicRead(w, r)
	if !ok {
		return
	}
	s.record(Served{API: "anthropic", Method: r.Method, Path: r.URL.Path, Model: req.Model, Step: -1, Aux: true, Status: http.StatusOK})
	w.Header().Set("request-id", anthropicID("req"))
	writeJSON(w, http.StatusOK, jsonType, map[string]int64{"input_tokens": AuxUsage.Input})
}

// anthropicServedUsage is what an Anthropic answer can tell of u: no
// reasoning count (thinking tokens are part of output_tokens).
func anthropicServedUsage(u Usage) Usage {
	u.Reasoning = 0
	return u
}

// anthropicUsage is the usage object of the API. input_tokens excludes
// the cache.
type anthropicUsage struct {
	InputTokens              int64                  `json:"input_tokens"`
	CacheCreationInputTokens int64                  `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64                  `json:"cache_read_input_tokens"`
	CacheCreation            anthropicCacheCreation `json:"cache_creation"`
	OutputTokens             int64                  `json:"output_tokens"`
	ServiceTier              string                 `json:"service_tier"`
}

type anthropicCacheCreation struct {
	Ephemeral5m int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1h int64 `json:"ephemeral_1h_input_tokens"`
}

func toAnthropicUsage(u Usage) anthropicUsage {
	return anthropicUsage{
		InputTokens:              u.Input - u.CacheRead - u.CacheCreation,
		CacheCreationInputTokens: u.CacheCreation,
		CacheReadInputTokens:     u.CacheRead,
		CacheCreation:            anthropicCacheCreation{Ephemeral5m: u.CacheCreation},
		OutputTokens:             u.Output,
		ServiceTier:              "standard",
	}
}

// anthropicMessageBody is a Messages API response.
type anthropicMessageBody struct {
	ID           string           `json:"id"`
	Type         string           `json:"type"`
	Role         string           `json:"role"`
	Model        string           `json:"model"`
	Content      []map[string]any `json:"content"`
	StopReason   *string          `json:"stop_reason"`
	StopSequence *string          `json:"stop_sequence"`
	Usage        anthropicUsage   `json:"usage"`
}

// anthropicAnswer is the message of a step: its text, then a call of the
// shell tool when it has a command.
func anthropicAnswer(model string, st Step) anthropicMessageBody {
	stop := "end_turn"
	var content []map[string]any
	if st.Text != "" {
		content = append(content, map[string]any{"type": "text", "text": st.Text})
	}
	if st.Command != "" {
		stop = "tool_use"
		content = append(content, map[string]any{
			"type":  "tool_use",
			"id":    anthropicID("toolu"),
			"name":  anthropicShellTool,
			"input": map[string]any{"command": st.Command, "description": "Run the requested command"},
		})
	}
	return anthropicMessageBody{
		ID: anthropicID("msg"), Type: "message", Role: "assistant", Model: model,
		Content: content, StopReason: &stop, Usage: toAnthropicUsage(st.Usage),
	}
}

// streamAnthropic sends msg as the API's event stream: message_start with
// the input usage, each block as content_block_start, deltas and
// content_block_stop, message_delta with the stop reason and the final
// usage, message_stop.
func streamAnthropic(w http.ResponseWriter, msg anthropicMessageBody) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	send := func(event string, data any) {
		b, err := json.Marshal(data)
		if err != nil {
			return // only maps and structs of plain values: cannot happen
		}
		_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		if flusher != nil {
			flusher.Flush()
		}
	}

	start := msg
	start.Content = []map[string]any{}
	start.StopReason = nil
	start.Usage.OutputTokens = min(1, msg.Usage.OutputTokens)
	send("message_start", map[string]any{"type": "message_start", "message": start})
	send("ping", map[string]any{"type": "ping"})
	for i, block := range msg.Content {
		switch block["type"] {
		case "text":
			send("content_block_start", map[string]any{"type": "content_block_start", "index": i,
				"content_block": map[string]any{"type": "text", "text": ""}})
			for _, part := range anthropicSplit(block["text"].(string)) {
				send("content_block_delta", map[string]any{"type": "content_block_delta", "index": i,
					"delta": map[string]any{"type": "text_delta", "text": part}})
			}
		case "tool_use":
			send("content_block_start", map[string]any{"type": "content_block_start", "index": i,
				"content_block": map[string]any{"type": "tool_use", "id": block["id"], "name": block["name"], "input": map[string]any{}}})
			input, err := json.Marshal(block["input"])
			if err != nil {
				input = []byte("{}")
			}
			for _, part := range append([]string{""}, anthropicSplit(string(input))...) {
				send("content_block_delta", map[string]any{"type": "content_block_delta", "index": i,
					"delta": map[string]any{"type": "input_json_delta", "partial_json": part}})
			}
		}
		send("content_block_stop", map[string]any{"type": "content_block_stop", "index": i})
	}
	send("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": msg.StopReason, "stop_sequence": nil},
		"usage": map[string]any{
			"input_tokens":                msg.Usage.InputTokens,
			"cache_creation_input_tokens": msg.Usage.CacheCreationInputTokens,
			"cache_read_input_tokens":     msg.Usage.CacheReadInputTokens,
			"output_tokens":               msg.Usage.OutputTokens,
		}})
	send("message_stop", map[string]any{"type": "message_stop"})
}

// anthropicSplit cuts s in two (at a byte that starts a character), as the API
// streams text in several deltas.
func anthropicSplit(s string) []string {
	i := len(s) / 2
	for i > 0 && i < len(s) && s[i]&0xC0 == 0x80 {
		i--
	}
	if i == 0 {
		return []string{s}
	}
	return []string{s[:i], s[i:]}
}

// anthropicErrorTypes are the API's error types by HTTP status.
var anthropicErrorTypes = map[int]string{
	http.StatusBadRequest:            "invalid_request_error",
	http.StatusUnauthorized:          "authentication_error",
	http.StatusForbidden:             "permission_error",
	http.StatusNotFound:              "not_found_error",
	http.StatusRequestEntityTooLarge: "request_too_large",
	http.StatusTooManyRequests:       "rate_limit_error",
	529:                              "overloaded_error",
}

// anthropicError writes the API's error body. A rate limit or an overload
// says to retry after one second (the API's retry-after is in seconds).
func anthropicError(w http.ResponseWriter, status int, message string) {
	typ, ok := anthropicErrorTypes[status]
	if !ok {
		typ = "api_error"
	}
	w.Header().Set("request-id", anthropicID("req"))
	if status == http.StatusTooManyRequests || status >= 500 {
		w.Header().Set("x-should-retry", "true")
	}
	if status == http.StatusTooManyRequests || status == 529 {
		w.Header().Set("retry-after", "1")
	}
	writeJSON(w, status, jsonType, map[string]any{
		"type":  "error",
		"error": map[string]any{"type": typ, "message": message},
	})
}

// anthropicRead reads the request; a bad one is answered and recorded as a
// 400, and ok is false.
func (s *Server) anthropicRead(w http.ResponseWriter, r *http.Request) (req anthropicRequest, ok bool) {
	if err := anthropicReadJSON(r, &req); err != nil {
		anthropicError(w, http.StatusBadRequest, err.Error())
		s.record(Served{API: "anthropic", Method: r.Method, Path: r.URL.Path, Step: -1, Status: http.StatusBadRequest})
		return req, false
	}
	return req, true
}

// anthropicReadJSON decodes a request body of at most maxAnthropicBody bytes.
func anthropicReadJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAnthropicBody+1))
	if err != nil {
		return fmt.Errorf("reading the body: %w", err)
	}
	if len(b) > maxAnthropicBody {
		return fmt.Errorf("body over %d bytes", maxAnthropicBody)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}
