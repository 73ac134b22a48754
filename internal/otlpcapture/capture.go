// Package otlpcapture records the OTLP/HTTP requests a sender makes and
// reads them back. A Proxy stands between a sender (a real agent) and a
// receiver (the Collector): it stores every request body in arrival order
// and forwards it unchanged. Load reads such a directory back as pdata, so a
// test can replay what a real sender sent.
//
// A capture directory holds one file per request, NNNN-<signal>.<ext>:
// NNNN the arrival order from 0001, signal logs, metrics or traces, ext json
// for OTLP/JSON and pb for OTLP/protobuf. Bodies are stored decompressed.
package otlpcapture

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// maxBody bounds one stored request, decompressed.
const maxBody = 64 << 20

// Signals are the OTLP/HTTP paths the proxy records, by signal.
var Signals = map[string]string{"/v1/logs": "logs", "/v1/metrics": "metrics", "/v1/traces": "traces"}

// Proxy records and forwards OTLP/HTTP requests.
type Proxy struct {
	dir      string
	upstream string // base URL, without a slash; "" answers 200 itself
	client   *http.Client
	ln       net.Listener
	srv      *http.Server

	mu  sync.Mutex
	seq int
	n   map[string]int
}

// Start listens on 127.0.0.1 at a free port, storing requests into dir
// (created if missing) and forwarding them to upstream (a base URL such as
// http://127.0.0.1:4318; "" to answer every request with an empty success
// instead).
func Start(dir, upstream string) (*Proxy, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		dir: dir, upstream: strings.TrimSuffix(upstream, "/"), ln: ln,
		client: &http.Client{Timeout: 30 * time.Second},
		n:      map[string]int{},
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL, http://127.0.0.1:port.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Close stops the proxy; requests in flight finish first.
func (p *Proxy) Close() error { return p.srv.Close() }

// Counts returns the number of requests stored per signal.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.n))
	for k, v := range p.n {
		out[k] = v
	}
	return out
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	signal, ok := Signals[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(raw) > maxBody {
		http.Error(w, "body too large or unreadable", http.StatusBadRequest)
		return
	}
	body, err := decode(raw, r.Header.Get("Content-Encoding"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ext := "pb"
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		ext = "json"
	}
	if err := p.store(signal, ext, body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if p.upstream == "" {
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		if ext == "json" {
			_, _ = w.Write([]byte("{}"))
		}
		return
	}
	p.forward(w, r, signal, raw)
}

// store writes one body under the next sequence number.
func (p *Proxy) store(signal, ext string, body []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	p.n[signal]++
	name := fmt.Sprintf("%04d-%s.%s", p.seq, signal, ext)
	return os.WriteFile(filepath.Join(p.dir, name), body, 0o600)
}

// forward sends the request as it came to the upstream and copies the
// answer back.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, signal string, raw []byte) {
	// The upstream is the caller's own receiver and the path one of three
	// fixed OTLP paths.
	url := p.upstream + "/v1/" + signal
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, h := range []string{"Content-Type", "Content-Encoding"} {
		if v := r.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Retry-After"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func decode(raw []byte, encoding string) ([]byte, error) {
	switch encoding {
	case "", "identity":
		return raw, nil
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		b, err := io.ReadAll(io.LimitReader(zr, maxBody+1))
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		if len(b) > maxBody {
			return nil, fmt.Errorf("body over %d bytes", maxBody)
		}
		return b, nil
	}
	return nil, fmt.Errorf("content encoding %q not supported", encoding)
}
