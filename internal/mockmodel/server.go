package mockmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// Served is one request the server answered.
type Served struct {
	// API is "anthropic", "gemini" or "openai".
	API    string `json:"api"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Model is the model the request asked for.
	Model string `json:"model,omitempty"`
	// Step is the index in Scenario.Steps of the answer, -1 for an
	// auxiliary request or an unknown path.
	Step int `json:"step"`
	// Aux marks a request that is not part of the main conversation.
	Aux bool `json:"aux,omitempty"`
	// Status is the HTTP status of the answer.
	Status int `json:"status"`
	// Usage is the usage the answer reported, as far as the API can
	// express it (Anthropic has no reasoning count, Gemini and OpenAI no
	// cache-creation count): what an agent could have learned from it.
	Usage Usage `json:"usage"`
	// Command is the shell command the answer asked for, if any.
	Command string    `json:"command,omitempty"`
	Time    time.Time `json:"time"`
}

// Server serves one Scenario on a loopback address.
type Server struct {
	sc  Scenario
	srv *http.Server
	ln  net.Listener

	mu     sync.Mutex
	next   int // the next step of sc.Steps
	served []Served
}

// Start serves sc on 127.0.0.1 at a free port.
func Start(sc Scenario) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("mockmodel: %w", err)
	}
	s := &Server{sc: sc, ln: ln}
	mux := http.NewServeMux()
	s.anthropic(mux)
	s.gemini(mux)
	s.openai(mux)
	s.openaiChat(mux)
	mux.HandleFunc("/", s.unknown)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the server's base URL, http://127.0.0.1:port, without a slash.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// Served returns a copy of what the server answered, in order.
func (s *Server) Served() []Served {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Served(nil), s.served...)
}

// Remaining is the number of steps not yet served: a run that ends with
// steps left did not follow the script.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sc.Steps) - s.next
}

// WriteFile stores what the server answered as indented JSON.
func (s *Server) WriteFile(path string) error {
	b, err := json.MarshalIndent(s.Served(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// ReadServed reads a file written by WriteFile.
func ReadServed(path string) ([]Served, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Served
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// errScriptDone is returned by step when every step was served.
var errScriptDone = errors.New("mockmodel: the scenario has no more steps")

// step takes the next step of the main conversation.
func (s *Server) step() (Step, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= len(s.sc.Steps) {
		return Step{}, -1, errScriptDone
	}
	i := s.next
	s.next++
	return s.sc.Steps[i], i, nil
}

// record appends what was served.
func (s *Server) record(r Served) {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	s.mu.Lock()
	s.served = append(s.served, r)
	s.mu.Unlock()
}

// unknown answers a path no API handler knows with 404 and records it, so a
// test sees what an agent asked for that the mock does not serve.
func (s *Server) unknown(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	s.record(Served{Method: r.Method, Path: r.URL.Path, Step: -1, Status: http.StatusNotFound})
	http.NotFound(w, r)
}

// The Content-Type of the APIs' JSON answers (Gemini's names the charset).
const (
	jsonType       = "application/json"
	geminiJSONType = "application/json; charset=UTF-8"
)

// writeJSON writes v as the JSON body of a response with status.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := marshalJSON(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// marshalJSON encodes v as the APIs do: without escaping <, > and &.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
