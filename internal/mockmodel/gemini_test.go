package mockmodel

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// geminiMainBody is a main-conversation request as Gemini CLI sends it:
// streamed, with its function declarations.
const geminiMainBody = `{"contents":[{"role":"user","parts":[{"text":"hi"}]}],
 "tools":[{"functionDeclarations":[{"name":"run_shell_command"}]}]}`

// geminiSSEChunks reads the data: lines of a server-sent event stream.
func geminiSSEChunks(t *testing.T, r io.Reader) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		out = append(out, m)
	}
	return out
}

func geminiParts(chunk map[string]any) []any {
	cand := chunk["candidates"].([]any)[0].(map[string]any)
	return cand["content"].(map[string]any)["parts"].([]any)
}

func TestGeminiToolCallThenAnswer(t *testing.T) {
	s := startServer(t, ToolOK)
	const path = "/v1beta/models/gemini-x:streamGenerateContent?alt=sse"

	resp := post(t, s.URL()+path, geminiMainBody)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	chunks := geminiSSEChunks(t, resp.Body)
	if len(chunks) != 2 {
		t.Fatalf("%d chunks, want the text and the call", len(chunks))
	}
	if got := geminiParts(chunks[0])[0].(map[string]any)["text"]; got != ToolOK.Steps[0].Text {
		t.Errorf("first chunk text %v", got)
	}
	call := geminiParts(chunks[1])[0].(map[string]any)["functionCall"].(map[string]any)
	if call["name"] != "run_shell_command" || call["args"].(map[string]any)["command"] != okCommand {
		t.Errorf("function call %v", call)
	}
	final := chunks[1]["usageMetadata"].(map[string]any)
	// usage(1): input 1000 with 300 cached, output 50 of which 7 thoughts.
	want := map[string]float64{"promptTokenCount": 1000, "cachedContentTokenCount": 300,
		"candidatesTokenCount": 43, "thoughtsTokenCount": 7, "totalTokenCount": 1050}
	for k, v := range want {
		if final[k] != v {
			t.Errorf("final usageMetadata %s = %v, want %v", k, final[k], v)
		}
	}
	if fr := chunks[1]["candidates"].([]any)[0].(map[string]any)["finishReason"]; fr != "STOP" {
		t.Errorf("finishReason %v", fr)
	}

	chunks = geminiSSEChunks(t, post(t, s.URL()+path, geminiMainBody).Body)
	if len(chunks) != 1 || geminiParts(chunks[0])[0].(map[string]any)["text"] != ToolOK.Steps[1].Text {
		t.Errorf("answer chunks %v", chunks)
	}
	if s.Remaining() != 0 {
		t.Errorf("%d steps left", s.Remaining())
	}
	served := s.Served()
	if len(served) != 2 || served[0].Command != okCommand || served[0].Model != "gemini-x" || served[0].Step != 0 {
		t.Fatalf("served %+v", served)
	}
	// Cache writes cannot be expressed in the API's usage.
	if u := served[0].Usage; u != (Usage{Input: 1000, CacheRead: 300, Output: 50, Reasoning: 7}) {
		t.Errorf("recorded usage %+v", u)
	}
}

func TestGeminiRateLimit(t *testing.T) {
	s := startServer(t, APIRetry)
	resp := post(t, s.URL()+"/v1beta/models/gemini-x:streamGenerateContent?alt=sse", geminiMainBody)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	var body struct {
		Error struct {
			Code    int              `json:"code"`
			Status  string           `json:"status"`
			Details []map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != 429 || body.Error.Status != "RESOURCE_EXHAUSTED" ||
		len(body.Error.Details) != 1 || body.Error.Details[0]["retryDelay"] != "1s" {
		t.Errorf("error body %+v", body)
	}
	if got := s.Served()[0]; got.Status != 429 || got.Step != 0 || got.Aux || got.Usage != (Usage{}) {
		t.Errorf("served %+v", got)
	}
}

func TestGeminiAuxiliary(t *testing.T) {
	s := startServer(t, ToolOK)
	// The routing classifier: generateContent asking for JSON.
	resp := post(t, s.URL()+"/v1beta/models/gemini-lite:generateContent",
		`{"contents":[],"generationConfig":{"responseMimeType":"application/json",
		  "responseJsonSchema":{"properties":{"complexity_reasoning":{},"complexity_score":{}}}}}`)
	var chunk map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&chunk); err != nil {
		t.Fatal(err)
	}
	var answer struct {
		Score *int `json:"complexity_score"`
	}
	if err := json.Unmarshal([]byte(geminiParts(chunk)[0].(map[string]any)["text"].(string)), &answer); err != nil || answer.Score == nil {
		t.Errorf("classifier answer %v: %v", chunk, err)
	}
	// A streamed request without functions is auxiliary too.
	chunks := geminiSSEChunks(t, post(t, s.URL()+"/v1beta/models/gemini-x:streamGenerateContent?alt=sse", `{"contents":[]}`).Body)
	if len(chunks) != 1 {
		t.Errorf("aux stream %v", chunks)
	}
	post(t, s.URL()+"/v1beta/models/gemini-x:countTokens", `{"contents":[]}`)
	if s.Remaining() != len(ToolOK.Steps) {
		t.Errorf("auxiliary requests took steps: %d left", s.Remaining())
	}
	for _, r := range s.Served() {
		if !r.Aux || r.Step != -1 || r.Status != 200 {
			t.Errorf("served %+v", r)
		}
	}
	if u := s.Served()[0].Usage; u != AuxUsage {
		t.Errorf("aux usage %+v", u)
	}
}

func TestGeminiBadRequests(t *testing.T) {
	s := startServer(t, ToolOK)
	for path, want := range map[string]int{
		"/v1beta/models/gemini-x:streamGenerateContent": http.StatusBadRequest, // body not JSON
		"/v1beta/models/gemini-x:embedContent":          http.StatusNotFound,
		"/v1beta/models/gemini-x":                       http.StatusBadRequest,
	} {
		body := `{}`
		if strings.HasSuffix(path, "streamGenerateContent") {
			body = `{`
		}
		if resp := post(t, s.URL()+path, body); resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
	// Once the script is done, a main request is an error, not a panic.
	for range ToolOK.Steps {
		post(t, s.URL()+"/v1beta/models/gemini-x:streamGenerateContent", geminiMainBody)
	}
	if resp := post(t, s.URL()+"/v1beta/models/gemini-x:streamGenerateContent", geminiMainBody); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("request past the script: status %d", resp.StatusCode)
	}
}
