package mockmodel

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The Gemini API (generativelanguage.googleapis.com) as Gemini CLI calls it
// with an API key and GOOGLE_GEMINI_BASE_URL pointing here:
//
//	POST /v1beta/models/{model}:streamGenerateContent?alt=sse  the agent's turns
//	POST /v1beta/models/{model}:generateContent                 one-shot calls
//	POST /v1beta/models/{model}:countTokens                     token counting
//
// A streamed request that declares functions continues the main
// conversation. Everything else is auxiliary (Gemini CLI's model routing
// classifier, next-speaker check, loop detection, compression, summaries,
// token counts): a short answer with AuxUsage.

// geminiShellTool is the name of Gemini CLI's shell tool.
const geminiShellTool = "run_shell_command"

// geminiMaxBody bounds the request body the mock reads.
const geminiMaxBody = 16 << 20

func (s *Server) gemini(mux *http.ServeMux) {
	for _, v := range []string{"v1beta", "v1", "v1alpha"} {
		mux.HandleFunc("POST /"+v+"/models/{call}", s.geminiModels)
	}
}

// geminiRequest is the part of a GenerateContentRequest the mock reads.
type geminiRequest struct {
	Tools []struct {
		FunctionDeclarations []json.RawMessage `json:"functionDeclarations"`
	} `json:"tools"`
	GenerationConfig struct {
		ResponseMimeType   string          `json:"responseMimeType"`
		ResponseSchema     json.RawMessage `json:"responseSchema"`
		ResponseJSONSchema json.RawMessage `json:"responseJsonSchema"`
	} `json:"generationConfig"`
}

func (r *geminiRequest) declaresFunctions() bool {
	for _, t := range r.Tools {
		if len(t.FunctionDeclarations) > 0 {
			return true
		}
	}
	return false
}

// geminiModels serves POST .../models/{model}:{method}.
func (s *Server) geminiModels(w http.ResponseWriter, r *http.Request) {
	model, method, ok := strings.Cut(r.PathValue("call"), ":")
	served := Served{API: "gemini", Method: r.Method, Path: r.URL.Path, Model: model, Step: -1}
	body, err := io.ReadAll(io.LimitReader(r.Body, geminiMaxBody))
	if !ok || err != nil {
		s.geminiError(w, served, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid request.")
		return
	}
	var req geminiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.geminiError(w, served, http.StatusBadRequest, "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error())
		return
	}
	switch method {
	case "streamGenerateContent":
		if req.declaresFunctions() {
			s.geminiMain(w, served)
			return
		}
		s.geminiAux(w, served, &req, true)
	case "generateContent":
		s.geminiAux(w, served, &req, false)
	case "countTokens":
		served.Aux, served.Status = true, http.StatusOK
		s.record(served)
		writeJSON(w, http.StatusOK, geminiJSONType, map[string]any{"totalTokens": AuxUsage.Input})
	default:
		s.geminiError(w, served, http.StatusNotFound, "NOT_FOUND", "Method "+method+" not found.")
	}
}

// geminiMain answers with the next step of the scenario, streamed.
func (s *Server) geminiMain(w http.ResponseWriter, served Served) {
	st, i, err := s.step()
	served.Step = i
	if err != nil {
		s.geminiError(w, served, http.StatusInternalServerError, "INTERNAL", err.Error())
		return
	}
	if st.Status != 0 {
		s.geminiStepError(w, served, st.Status)
		return
	}
	u := geminiUsage(st.Usage)
	served.Status = http.StatusOK
	served.Usage = u.truth()
	served.Command = st.Command
	s.record(served)

	// As the real API streams: the text first, then the function call
	// with the finish reason. Every chunk carries the usage so far; the
	// last one the final usage.
	id := fmt.Sprintf("mock-step-%d", i)
	var chunks []map[string]any
	if st.Text != "" {
		last := st.Command == ""
		sofar := u
		if !last {
			sofar.CandidatesTokenCount = 1
			sofar.TotalTokenCount = sofar.PromptTokenCount + sofar.ThoughtsTokenCount + 1
		}
		chunks = append(chunks, geminiChunk(id, served.Model, map[string]any{"text": st.Text}, last, sofar))
	}
	if st.Command != "" {
		call := map[string]any{"functionCall": map[string]any{
			"name": geminiShellTool,
			"args": map[string]any{"command": st.Command, "description": "Run the requested command."},
		}}
		chunks = append(chunks, geminiChunk(id, served.Model, call, true, u))
	}
	geminiWriteSSE(w, chunks)
}

// geminiAux answers an auxiliary request. A request for JSON gets JSON
// that Gemini CLI's own checks accept and that changes nothing in the run
// (a simple task, the user speaks next, no loop).
func (s *Server) geminiAux(w http.ResponseWriter, served Served, req *geminiRequest, stream bool) {
	u := geminiUsage(AuxUsage)
	served.Aux, served.Status, served.Usage = true, http.StatusOK, u.truth()
	s.record(served)
	text := "OK."
	if req.GenerationConfig.ResponseMimeType == "application/json" {
		text = geminiAuxJSON(req)
	}
	chunk := geminiChunk("mock-aux", served.Model, map[string]any{"text": text}, true, u)
	if stream {
		geminiWriteSSE(w, []map[string]any{chunk})
		return
	}
	writeJSON(w, http.StatusOK, geminiJSONType, chunk)
}

// geminiAuxJSON answers the JSON requests of Gemini CLI by the properties
// their schemas ask for.
func geminiAuxJSON(req *geminiRequest) string {
	schema := string(req.GenerationConfig.ResponseJSONSchema) + string(req.GenerationConfig.ResponseSchema)
	switch {
	case strings.Contains(schema, "complexity_score"):
		return `{"complexity_reasoning":"A single explicit command.","complexity_score":10}`
	case strings.Contains(schema, "model_choice"):
		return `{"reasoning":"A single explicit command.","model_choice":"flash"}`
	case strings.Contains(schema, "next_speaker"):
		return `{"reasoning":"The model answered; the user speaks next.","next_speaker":"user"}`
	case strings.Contains(schema, "unproductive_state_confidence"):
		return `{"unproductive_state_analysis":"No loop.","unproductive_state_confidence":0}`
	}
	return `{}`
}

// geminiStepError answers a scripted error step with the API's error body.
func (s *Server) geminiStepError(w http.ResponseWriter, served Served, status int) {
	if status != http.StatusTooManyRequests {
		s.geminiError(w, served, status, googleStatus(status), http.StatusText(status))
		return
	}
	// A RetryInfo of 1 s (and Retry-After) asks for the shortest backoff;
	// Gemini CLI waits at least its initial delay of 5 s all the same.
	served.Status = status
	s.record(served)
	w.Header().Set("Retry-After", "1")
	writeJSON(w, status, geminiJSONType, map[string]any{"error": map[string]any{
		"code":    status,
		"message": "Resource has been exhausted (e.g. check quota).",
		"status":  "RESOURCE_EXHAUSTED",
		"details": []any{map[string]any{
			"@type":      "type.googleapis.com/google.rpc.RetryInfo",
			"retryDelay": "1s",
		}},
	}})
}

// geminiError records and sends an error in the Google API error format.
func (s *Server) geminiError(w http.ResponseWriter, served Served, code int, status, msg string) {
	served.Status = code
	s.record(served)
	writeJSON(w, code, geminiJSONType, map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

// googleStatus is the google.rpc.Code name the API puts beside an HTTP
// status.
func googleStatus(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	return "INTERNAL"
}

// geminiUsageMetadata is the API's usageMetadata. promptTokenCount counts
// every input token, cached ones included; candidatesTokenCount excludes
// the thoughts, which thoughtsTokenCount counts. The API has no count of
// cache writes.
type geminiUsageMetadata struct {
	PromptTokenCount        int64 `json:"promptTokenCount"`
	CachedContentTokenCount int64 `json:"cachedContentTokenCount,omitempty"`
	CandidatesTokenCount    int64 `json:"candidatesTokenCount"`
	ThoughtsTokenCount      int64 `json:"thoughtsTokenCount,omitempty"`
	TotalTokenCount         int64 `json:"totalTokenCount"`
}

// geminiUsage expresses u in the API's fields.
func geminiUsage(u Usage) geminiUsageMetadata {
	return geminiUsageMetadata{
		PromptTokenCount:        u.Input,
		CachedContentTokenCount: u.CacheRead,
		CandidatesTokenCount:    u.Output - u.Reasoning,
		ThoughtsTokenCount:      u.Reasoning,
		TotalTokenCount:         u.Input + u.Output,
	}
}

// truth is what an agent can learn from m, as a Usage.
func (m geminiUsageMetadata) truth() Usage {
	return Usage{
		Input:     m.PromptTokenCount,
		CacheRead: m.CachedContentTokenCount,
		Output:    m.CandidatesTokenCount + m.ThoughtsTokenCount,
		Reasoning: m.ThoughtsTokenCount,
	}
}

// geminiChunk is a GenerateContentResponse with one part; last adds the
// finish reason.
func geminiChunk(id, model string, part map[string]any, last bool, u geminiUsageMetadata) map[string]any {
	cand := map[string]any{
		"content": map[string]any{"role": "model", "parts": []any{part}},
		"index":   0,
	}
	if last {
		cand["finishReason"] = "STOP"
	}
	return map[string]any{
		"candidates":    []any{cand},
		"usageMetadata": u,
		"modelVersion":  model,
		"responseId":    id,
	}
}

// geminiWriteSSE writes chunks as server-sent events (alt=sse).
func geminiWriteSSE(w http.ResponseWriter, chunks []map[string]any) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	for _, c := range chunks {
		b, _ := json.Marshal(c)
		_, _ = fmt.Fprintf(w, "data: %s\r\n\r\n", b)
		if f != nil {
			f.Flush()
		}
	}
}
