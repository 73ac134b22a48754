package replay

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

const standin = "../../testdata/agents-standin"

func TestLoadStandin(t *testing.T) {
	caps, err := Load(standin, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		ids      []string
		requests int
	}{
		"claude-code-standin/mixed": {[]string{"0b6b2b1e-7d4f-4b61-9a57-2f7f3c1d9e01"}, 10},
		"codex-standin/mixed":       {[]string{"cx-7"}, 3},
		"gemini-cli-standin/mixed":  {[]string{"c3d9e1f0-2222-4333-8444-955566667777"}, 3},
		"genai-app-standin/mixed":   {[]string{"conv-42"}, 5},
	}
	if len(caps) != len(want) {
		t.Fatalf("%d captures, want %d", len(caps), len(want))
	}
	for _, c := range caps {
		w, ok := want[c.Name]
		if !ok {
			t.Errorf("unexpected capture %q", c.Name)
			continue
		}
		if !slices.Equal(c.IDs, w.ids) {
			t.Errorf("%s: ids %v, want %v", c.Name, c.IDs, w.ids)
		}
		if len(c.Requests) != w.requests {
			t.Errorf("%s: %d requests, want %d", c.Name, len(c.Requests), w.requests)
		}
		if c.Start == 0 {
			t.Errorf("%s: no start timestamp", c.Name)
		}
	}
}

// TestSessionRewrite replays every stand-in capture twice and checks each
// body: no original id left anywhere in it, the fresh id exactly where the
// original was, the two sessions' ids distinct, and every timestamp moved
// by the same amount, the earliest one onto the session start.
func TestSessionRewrite(t *testing.T) {
	caps, err := Load(standin, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, c := range caps {
		a, b := NewSession(c, start, rng), NewSession(c, start.Add(time.Hour), rng)
		if a.SessionID() == b.SessionID() || a.SessionID() == "" {
			t.Fatalf("%s: session ids %q and %q", c.Name, a.SessionID(), b.SessionID())
		}
		earliest := uint64(1<<64 - 1)
		for i, r := range c.Requests {
			orig, err := os.ReadFile(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			ct, body, err := a.Body(i)
			if err != nil {
				t.Fatal(err)
			}
			if ct != "application/json" {
				t.Errorf("%s: content type %q", r.Path, ct)
			}
			for _, id := range c.IDs {
				if bytes.Contains(body, []byte(id)) {
					t.Errorf("%s: original id %q still in the body", r.Path, id)
				}
				if got, want := bytes.Count(body, []byte(`"`+a.IDs[id]+`"`)), bytes.Count(orig, []byte(`"`+id+`"`)); got != want {
					t.Errorf("%s: fresh id %d times, original %d times", r.Path, got, want)
				}
			}
			origTS, newTS := timestamps(t, r.Signal, orig), timestamps(t, r.Signal, body)
			if len(origTS) != len(newTS) || len(origTS) == 0 {
				t.Fatalf("%s: %d timestamps, then %d", r.Path, len(origTS), len(newTS))
			}
			for j := range origTS {
				if origTS[j] == 0 {
					if newTS[j] != 0 {
						t.Errorf("%s: an unset timestamp became %d", r.Path, newTS[j])
					}
					continue
				}
				if d := newTS[j] - origTS[j]; d != uint64(start.UnixNano())-c.Start {
					t.Errorf("%s: timestamp %d moved by %d, want %d", r.Path, j, d, uint64(start.UnixNano())-c.Start)
				}
				earliest = min(earliest, newTS[j])
			}
		}
		if earliest != uint64(start.UnixNano()) {
			t.Errorf("%s: earliest timestamp %d, want the session start %d", c.Name, earliest, start.UnixNano())
		}
	}
}

// timestamps lists every timestamp of a body in walk order.
func timestamps(t *testing.T, sig Signal, body []byte) []uint64 {
	t.Helper()
	r := Request{Signal: sig}
	if err := r.parse(body); err != nil {
		t.Fatal(err)
	}
	var out []uint64
	if sig == Logs {
		walkLogs(r.logs, func(pcommon.Map) {}, func(lr plog.LogRecord) {
			out = append(out, uint64(lr.Timestamp()), uint64(lr.ObservedTimestamp()))
		})
		return out
	}
	walkMetrics(r.metrics, func(pcommon.Map) {}, func(p point) {
		out = append(out, uint64(p.StartTimestamp()), uint64(p.Timestamp()))
	}, func(e pmetric.Exemplar) { out = append(out, uint64(e.Timestamp())) })
	return out
}

// writeCapture lays files (name -> body) out as dir/otlp/<name>.
func writeCapture(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "otlp"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, "otlp", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestProtobufAndNesting: a .pb capture is replayed as protobuf, and an id
// nested in a map inside a list, in scope attributes, in an exemplar and in
// a log body is rewritten too; traces are counted, not replayed.
func TestProtobufAndNesting(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().Attributes().PutStr("owner", "sess-1")
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTimestamp(1000)
	lr.Attributes().PutStr("thread.id", "thr-9")
	lr.Attributes().PutStr("session.id", "sess-1")
	lst := lr.Attributes().PutEmptySlice("nested")
	lst.AppendEmpty().SetEmptyMap().PutStr("again", "sess-1")
	lr.Body().SetStr("thr-9")
	logsPB, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	md := pmetric.NewMetrics()
	g := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge()
	p := g.DataPoints().AppendEmpty()
	p.SetTimestamp(3000)
	p.SetIntValue(1)
	ex := p.Exemplars().AppendEmpty()
	ex.SetTimestamp(2000)
	ex.FilteredAttributes().PutStr("session.id", "sess-1")
	metricsJSON, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeCapture(t, map[string][]byte{
		"0001-logs.pb":      logsPB,
		"0002-traces.json":  []byte(`{}`),
		"0003-metrics.json": metricsJSON,
	})
	c, err := LoadCapture(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Traces != 1 || len(c.Requests) != 2 || c.Start != 1000 || !slices.Equal(c.IDs, []string{"sess-1", "thr-9"}) ||
		!slices.Equal(c.SessionIDs, []string{"sess-1"}) {
		t.Fatalf("capture: traces %d requests %d start %d ids %v session ids %v", c.Traces, len(c.Requests), c.Start, c.IDs, c.SessionIDs)
	}
	s := NewSession(c, time.Unix(0, 5000), rand.New(rand.NewPCG(3, 4)))
	if got := s.SessionIDs(); len(got) != 1 || got[0] != s.IDs["sess-1"] || s.SessionID() != got[0] {
		t.Fatalf("SessionIDs %v, SessionID %q; want the fresh id of sess-1", got, s.SessionID())
	}
	ct, body, err := s.Body(0)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "application/x-protobuf" {
		t.Fatalf("content type %q", ct)
	}
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		t.Fatal(err)
	}
	got := req.Logs().ResourceLogs().At(0).ScopeLogs().At(0)
	sid, tid := s.IDs["sess-1"], s.IDs["thr-9"]
	rec := got.LogRecords().At(0)
	checks := map[string][2]string{
		"scope":     {got.Scope().Attributes().AsRaw()["owner"].(string), sid},
		"thread.id": {rec.Attributes().AsRaw()["thread.id"].(string), tid},
		"nested":    {rec.Attributes().AsRaw()["nested"].([]any)[0].(map[string]any)["again"].(string), sid},
		"body":      {rec.Body().Str(), tid},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: %q, want %q", name, c[0], c[1])
		}
	}
	if rec.Timestamp() != 5000 {
		t.Errorf("timestamp %d, want 5000", rec.Timestamp())
	}
	_, body, err = s.Body(1)
	if err != nil {
		t.Fatal(err)
	}
	mreq := pmetricotlp.NewExportRequest()
	if err := mreq.UnmarshalJSON(body); err != nil {
		t.Fatal(err)
	}
	gp := mreq.Metrics().ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0)
	if v, _ := gp.Exemplars().At(0).FilteredAttributes().Get("session.id"); v.Str() != sid {
		t.Errorf("exemplar session.id %q, want %q", v.Str(), sid)
	}
	if gp.Timestamp() != 7000 || gp.Exemplars().At(0).Timestamp() != 6000 {
		t.Errorf("metric timestamps %d, %d; want 7000, 6000", gp.Timestamp(), gp.Exemplars().At(0).Timestamp())
	}
}

func TestLoadErrors(t *testing.T) {
	good := []byte(`{"resourceLogs":[]}`)
	tests := []struct {
		name  string
		files map[string][]byte
		want  string
	}{
		{"gap", map[string][]byte{"0001-logs.json": good, "0003-logs.json": good}, "expected request number 0002"},
		{"not from one", map[string][]byte{"0002-logs.json": good}, "expected request number 0001"},
		{"bad name", map[string][]byte{"0001-spans.json": good}, "not a request file"},
		{"bad json", map[string][]byte{"0001-logs.json": []byte(`{"resourceLogs":`)}, "0001-logs.json"},
		{"empty json", map[string][]byte{"0001-metrics.json": nil}, "empty JSON body"},
		{"traces only", map[string][]byte{"0001-traces.json": good}, "no logs or metrics request"},
		{"empty", map[string][]byte{}, "no logs or metrics request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCapture(writeCapture(t, tt.files), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Load(t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "no capture under") {
		t.Fatalf("empty root: error %v", err)
	}
}

func TestNewID(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	seen := map[string]bool{}
	for range 1000 {
		id := NewID(a)
		if !uuid.MatchString(id) {
			t.Fatalf("%q is not a version-4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q drawn twice", id)
		}
		seen[id] = true
		if again := NewID(b); again != id {
			t.Fatalf("same seed gave %q then %q", id, again)
		}
	}
}

// TestSenderRetries: 503 and 429 are retried, the acknowledgement's
// partial success is read, and a 400 is final.
func TestSenderRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" || r.URL.Path != "/v1/logs" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			resp := plogotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedLogRecords(2)
			b, _ := resp.MarshalJSON()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		}
	}))
	defer srv.Close()
	s := &Sender{Endpoint: srv.URL, Backoff: time.Millisecond}
	res, err := s.Send(context.Background(), Logs, "application/json", []byte(`{}`))
	if err != nil || res.Attempts != 3 || res.Rejected != 2 {
		t.Fatalf("Send: %+v, %v; want 3 attempts, 2 rejected", res, err)
	}
	res, err = s.Send(context.Background(), Metrics, "application/json", []byte(`{}`))
	if err == nil || res.Attempts != 1 || !strings.Contains(err.Error(), "400") {
		t.Fatalf("Send to a refusing path: %+v, %v; want one attempt and the 400", res, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	closed := &Sender{Endpoint: "http://127.0.0.1:1", Backoff: time.Millisecond}
	if _, err := closed.Send(ctx, Logs, "application/json", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("Send to a closed port: %v; want it to retry until the deadline", err)
	}
}

// TestRunnerOrder replays a plan against a recording server: every session
// sends its requests in capture order, each session with its own id.
func TestRunnerOrder(t *testing.T) {
	caps, err := Load(standin, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string][]string{} // session id -> signals in arrival order
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		m := regexp.MustCompile(`"(session\.id|conversation\.id|gen_ai\.conversation\.id)","value":\{"stringValue":"([^"]+)"`).FindSubmatch(b)
		mu.Lock()
		defer mu.Unlock()
		key := "none"
		if m != nil {
			key = string(m[2])
		}
		seen[key] = append(seen[key], strings.TrimPrefix(r.URL.Path, "/v1/"))
	}))
	defer srv.Close()
	p := NewPlan(caps, 8, time.Now(), 20*time.Millisecond, time.Millisecond, 42)
	r := &Runner{Sender: &Sender{Endpoint: srv.URL}}
	half, all, beyond := r.At(int64(p.Requests()/2)), r.At(int64(p.Requests())), r.At(int64(p.Requests()+1))
	out := r.Run(context.Background(), p)
	for name, ch := range map[string]<-chan struct{}{"half": half, "all": all} {
		select {
		case <-ch:
		default:
			t.Errorf("At(%s) not closed after the run", name)
		}
	}
	select {
	case <-beyond:
		t.Error("At(requests+1) closed")
	default:
	}
	select {
	case <-r.At(1):
	default:
		t.Error("At(1) after the run is not closed at once")
	}
	for i, o := range out {
		if o.Err != nil || o.Acked != len(p.Sessions[i].Capture.Requests) {
			t.Fatalf("session %d: %+v", i, o)
		}
	}
	if m := r.MaxActive.Load(); m < 1 || m > int64(len(p.Sessions)) {
		t.Fatalf("MaxActive %d with %d sessions", m, len(p.Sessions))
	}
	if int(r.Acked.Load()) != p.Requests() {
		t.Fatalf("acked %d, plan has %d requests", r.Acked.Load(), p.Requests())
	}
	none := 0
	for _, s := range p.Sessions {
		var want []string
		for _, req := range s.Capture.Requests {
			orig, err := os.ReadFile(req.Path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(orig, []byte(s.Capture.IDs[0])) {
				none++ // Codex metrics, process metrics: no session id
				continue
			}
			want = append(want, string(req.Signal))
		}
		if got := seen[s.SessionID()]; !slices.Equal(got, want) {
			t.Errorf("%s %s: arrived %v, want %v", s.Capture.Name, s.SessionID(), got, want)
		}
	}
	if none == 0 || len(seen["none"]) != none {
		t.Errorf("%d requests without a session id arrived, want %d", len(seen["none"]), none)
	}
}

// TestIDOrder: ids are ordered by the first key they appear under (the
// exporter's priority), so SessionID is the one the exporter writes even
// when a thread id or a conversation id sorts first by value.
func TestIDOrder(t *testing.T) {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(1)
	lr.Attributes().PutStr("thread.id", "a-thread")
	lr.Attributes().PutStr("conversation.id", "b-conv")
	lr.Attributes().PutStr("session.id", "z-session")
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadCapture(writeCapture(t, map[string][]byte{"0001-logs.json": body}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.IDs, []string{"z-session", "b-conv", "a-thread"}) || !slices.Equal(c.SessionIDs, []string{"z-session", "b-conv"}) {
		t.Fatalf("ids %v, session ids %v", c.IDs, c.SessionIDs)
	}
	s := NewSession(c, time.Unix(0, 1), rand.New(rand.NewPCG(5, 6)))
	if s.SessionID() != s.IDs["z-session"] {
		t.Fatalf("SessionID %q is not the fresh session.id", s.SessionID())
	}
}
