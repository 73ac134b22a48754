package mockmodel

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// openaiMaxBody bounds one request body the mock reads.
const openaiMaxBody = 32 << 20

// openaiSeq numbers the ids of the OpenAI answers (resp_, msg_, fc_, call_).
var openaiSeq atomic.Int64

// openai registers the handlers of the OpenAI API: POST /v1/responses (the
// Responses API, streamed as server-sent events or not), GET /v1/models,
// and POST /v1/analytics/codex/turn-costs, where Codex signed in with an API
// key asks what its turns cost.
func (s *Server) openai(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/responses", s.openaiResponses)
	mux.HandleFunc("GET /v1/models", s.openaiModels)
	mux.HandleFunc("POST /v1/analytics/codex/turn-costs", s.openaiTurnCosts)
}

// openaiRequest is the part of a Responses API request the mock reads.
type openaiRequest struct {
	Model  string            `json:"model"`
	Stream bool              `json:"stream"`
	Input  json.RawMessage   `json:"input"`
	Tools  []json.RawMessage `json:"tools"`
}

// openaiTool is one entry of a request's tools.
type openaiTool struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// The shell tools of the Responses API clients, in the order the mock
// prefers them when a request offers several: Codex's unified exec tool
// (arguments {"cmd": "..."}), its single-string shell tool ({"command":
// "..."}), its argv shell tool ({"command": ["bash", "-lc", "..."]}) and the
// built-in local_shell tool type.
const (
	toolExecCommand  = "exec_command"
	toolShellCommand = "shell_command"
	toolShell        = "shell"
	toolLocalShell   = "local_shell"
)

// shellTool returns the shell tool the request offers, "" if none.
func (r openaiRequest) shellTool() string {
	have := map[string]bool{}
	for _, raw := range r.Tools {
		var t openaiTool
		if json.Unmarshal(raw, &t) != nil {
			continue
		}
		switch t.Type {
		case toolLocalShell:
			have[toolLocalShell] = true
		case "function":
			have[t.Name] = true
		}
	}
	for _, name := range []string{toolExecCommand, toolShellCommand, toolShell, toolLocalShell} {
		if have[name] {
			return name
		}
	}
	return ""
}

// isMain says whether a request continues the scenario's conversation: it
// offers a shell tool and its input holds a scenario prompt (every prompt
// carries PromptMarker). Anything else (a compaction, a title, a memory
// summary) is auxiliary.
func (r openaiRequest) isMain() bool {
	return r.shellTool() != "" && strings.Contains(string(r.Input), PromptMarker)
}

// openaiResponses answers POST /v1/responses.
func (s *Server) openaiResponses(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, openaiMaxBody))
	if err != nil {
		openaiError(w, http.StatusBadRequest, "invalid_request_error", "", "could not read the request body")
		return
	}
	var req openaiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.record(Served{API: "openai", Method: r.Method, Path: r.URL.Path, Step: -1, Status: http.StatusBadRequest})
		openaiError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	rec := Served{API: "openai", Method: r.Method, Path: r.URL.Path, Model: req.Model, Step: -1}
	if !req.isMain() {
		rec.Aux, rec.Status, rec.Usage = true, http.StatusOK, AuxUsage
		s.record(rec)
		s.openaiAnswer(w, req, openaiOutput(req, Step{Text: "OK.", Usage: AuxUsage}), AuxUsage)
		return
	}
	st, i, err := s.step()
	if err != nil {
		// A main request past the end of the script: the agent did more
		// than the scenario says. Refuse it so the run shows it.
		rec.Status = http.StatusInternalServerError
		s.record(rec)
		openaiError(w, http.StatusInternalServerError, "server_error", "", err.Error())
		return
	}
	rec.Step = i
	if st.Status != 0 {
		rec.Status = st.Status
		s.record(rec)
		openaiStatus(w, st.Status, "")
		return
	}
	u := st.Usage
	u.CacheCreation = 0 // the Responses API has no cache-write count
	rec.Status, rec.Usage, rec.Command = http.StatusOK, u, st.Command
	s.record(rec)
	s.openaiAnswer(w, req, openaiOutput(req, st), u)
}

// openaiOutput builds the output items of an answer: a message with the
// step's text, then a call of the request's shell tool if the step has a
// command.
func openaiOutput(req openaiRequest, st Step) []map[string]any {
	var out []map[string]any
	if st.Text != "" {
		// The phase of an assistant message tells the text said on the way
		// (before a tool call) from the final answer; Codex logs only the
		// final answer as codex.agent_response.
		phase := "final_answer"
		if st.Command != "" {
			phase = "commentary"
		}
		out = append(out, map[string]any{
			"id": fmt.Sprintf("msg_%024d", openaiSeq.Add(1)), "type": "message", "status": "completed", "role": "assistant",
			"phase":   phase,
			"content": []map[string]any{{"type": "output_text", "text": st.Text, "annotations": []any{}}},
		})
	}
	if st.Command == "" {
		return out
	}
	n := openaiSeq.Add(1)
	id, callID := fmt.Sprintf("fc_%024d", n), fmt.Sprintf("call_%024d", n)
	switch tool := req.shellTool(); tool {
	case toolLocalShell:
		out = append(out, map[string]any{
			"id": id, "type": "local_shell_call", "status": "completed", "call_id": callID,
			"action": map[string]any{"type": "exec", "command": []string{"bash", "-lc", st.Command}},
		})
	default:
		var args any
		switch tool {
		case toolExecCommand:
			args = map[string]any{"cmd": st.Command}
		case toolShellCommand:
			args = map[string]any{"command": st.Command}
		default:
			args = map[string]any{"command": []string{"bash", "-lc", st.Command}}
		}
		a, _ := json.Marshal(args)
		out = append(out, map[string]any{
			"id": id, "type": "function_call", "status": "completed", "call_id": callID,
			"name": tool, "arguments": string(a),
		})
	}
	return out
}

// openaiUsage is u in the Responses API's fields: input_tokens counts the
// cached tokens too, output_tokens the reasoning tokens too.
func openaiUsage(u Usage) map[string]any {
	return map[string]any{
		"input_tokens":          u.Input,
		"input_tokens_details":  map[string]any{"cached_tokens": u.CacheRead},
		"output_tokens":         u.Output,
		"output_tokens_details": map[string]any{"reasoning_tokens": u.Reasoning},
		"total_tokens":          u.Input + u.Output,
	}
}

// openaiResponse is the response object, status in_progress (no output, no
// usage) or completed.
func openaiResponse(id, model, status string, output []map[string]any, u *Usage) map[string]any {
	resp := map[string]any{
		"id": id, "object": "response", "created_at": time.Now().Unix(), "status": status,
		"model": model, "output": output, "parallel_tool_calls": false, "tool_choice": "auto",
		"error": nil, "incomplete_details": nil, "usage": nil,
	}
	if output == nil {
		resp["output"] = []any{}
	}
	if u != nil {
		resp["usage"] = openaiUsage(*u)
	}
	return resp
}

// openaiAnswer writes a successful answer, as server-sent events when the
// request asked for a stream, else as one response object.
func (s *Server) openaiAnswer(w http.ResponseWriter, req openaiRequest, output []map[string]any, u Usage) {
	id := fmt.Sprintf("resp_%024d", openaiSeq.Add(1))
	w.Header().Set("X-Request-Id", "req_"+id[len("resp_"):])
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(openaiResponse(id, req.Model, "completed", output, &u))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	seq := 0
	send := func(typ string, ev map[string]any) {
		ev["type"] = typ
		ev["sequence_number"] = seq
		seq++
		b, _ := json.Marshal(ev)
		_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, b)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	send("response.created", map[string]any{"response": openaiResponse(id, req.Model, "in_progress", nil, nil)})
	send("response.in_progress", map[string]any{"response": openaiResponse(id, req.Model, "in_progress", nil, nil)})
	for i, item := range output {
		switch item["type"] {
		case "message":
			text := item["content"].([]map[string]any)[0]["text"].(string)
			added := map[string]any{"id": item["id"], "type": "message", "status": "in_progress", "role": "assistant", "phase": item["phase"], "content": []any{}}
			send("response.output_item.added", map[string]any{"output_index": i, "item": added})
			part := map[string]any{"type": "output_text", "text": "", "annotations": []any{}}
			send("response.content_part.added", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "part": part})
			send("response.output_text.delta", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "delta": text})
			send("response.output_text.done", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "text": text})
			done := map[string]any{"type": "output_text", "text": text, "annotations": []any{}}
			send("response.content_part.done", map[string]any{"item_id": item["id"], "output_index": i, "content_index": 0, "part": done})
		case "function_call":
			added := map[string]any{}
			for k, v := range item {
				added[k] = v
			}
			added["status"], added["arguments"] = "in_progress", ""
			send("response.output_item.added", map[string]any{"output_index": i, "item": added})
			send("response.function_call_arguments.delta", map[string]any{"item_id": item["id"], "output_index": i, "delta": item["arguments"]})
			send("response.function_call_arguments.done", map[string]any{"item_id": item["id"], "output_index": i, "arguments": item["arguments"]})
		default:
			send("response.output_item.added", map[string]any{"output_index": i, "item": item})
		}
		send("response.output_item.done", map[string]any{"output_index": i, "item": item})
	}
	send("response.completed", map[string]any{"response": openaiResponse(id, req.Model, "completed", output, &u)})
}

// openaiStatus answers with an HTTP error and the API's error body, for
// the Responses and the Chat Completions API alike (message, when not
// empty, replaces the API's usual text); a 429 says to retry soon
// (Retry-After, and the finer Retry-After-Ms the openai clients read).
func openaiStatus(w http.ResponseWriter, status int, message string) {
	typ, code, text := "invalid_request_error", "", http.StatusText(status)
	switch {
	case status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Retry-After-Ms", "200")
		typ, code, text = "requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 200ms."
	case status == http.StatusUnauthorized:
		code, text = "invalid_api_key", "Incorrect API key provided."
	case status >= 500:
		typ, text = "server_error", "The server had an error while processing your request."
	}
	if message != "" {
		text = message
	}
	openaiError(w, status, typ, code, text)
}

// openaiError writes the API's error body.
func openaiError(w http.ResponseWriter, status int, typ, code, msg string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, jsonType, map[string]any{
		"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c},
	})
}

// openaiModels answers GET /v1/models with the one model the scenarios
// use, recorded as auxiliary.
func (s *Server) openaiModels(w http.ResponseWriter, r *http.Request) {
	s.record(Served{API: "openai", Method: r.Method, Path: r.URL.Path, Step: -1, Aux: true, Status: http.StatusOK})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list",
		"data":   []map[string]any{{"id": "gpt-5.1-codex", "object": "model", "created": 1700000000, "owned_by": "openai"}},
	})
}

// openaiTurnCosts answers Codex's turn cost query ({"turn_ids": [...]})
// with every turn still unpriced ("pending"): the mock has no prices.
// Codex sends it at startup with a random id to learn whether the backend
// serves costs, then polls finished turns every few minutes. Recorded as
// auxiliary, with no usage.
func (s *Server) openaiTurnCosts(w http.ResponseWriter, r *http.Request) {
	var req struct {
		TurnIDs []string `json:"turn_ids"`
	}
	rec := Served{API: "openai", Method: r.Method, Path: r.URL.Path, Step: -1, Aux: true}
	if err := json.NewDecoder(io.LimitReader(r.Body, openaiMaxBody)).Decode(&req); err != nil {
		rec.Status = http.StatusBadRequest
		s.record(rec)
		openaiError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	turns := make([]map[string]any, 0, len(req.TurnIDs))
	for _, id := range req.TurnIDs {
		turns = append(turns, map[string]any{"turn_id": id, "status": "pending"})
	}
	rec.Status = http.StatusOK
	s.record(rec)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"turns": turns})
}
