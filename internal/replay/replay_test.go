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
	"strconv"
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
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The capture sets: the stand-in one cut from this repository's payloads,
// and the real agents' captures.
const (
	standin = "../../testdata/agents-standin"
	agents  = "../../testdata/agents"
)

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

// TestLoadAgents loads the real agents' captures: every request of every
// signal, protobuf (traceloop-openai) as well as JSON, one session id per
// capture wherever the agent puts it (on log records, on the resource, only
// on the root span, on every span), and captures of traces alone.
func TestLoadAgents(t *testing.T) {
	caps, err := Load(agents, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) < 15 {
		t.Fatalf("%d captures under %s, want the 15 of the three agents' four scenarios and the three GenAI apps", len(caps), agents)
	}
	tracesOnly := 0
	for _, c := range caps {
		files, err := filepath.Glob(filepath.Join(agents, c.Name, "otlp", "*"))
		if err != nil {
			t.Fatal(err)
		}
		signals := map[Signal]int{}
		for _, r := range c.Requests {
			signals[r.Signal]++
			if r.Items == 0 {
				t.Errorf("%s: no record, data point or span", r.Path)
			}
		}
		if len(c.Requests) != len(files) || signals[Traces] == 0 {
			t.Errorf("%s: %d requests of %d files, %d of them traces", c.Name, len(c.Requests), len(files), signals[Traces])
		}
		if signals[Traces] == len(c.Requests) {
			tracesOnly++
		}
		if len(c.SessionIDs) != 1 || c.Start == 0 {
			t.Errorf("%s: session ids %v, start %d; want one session id and a start", c.Name, c.SessionIDs, c.Start)
		}
	}
	if tracesOnly < 2 {
		t.Errorf("%d captures of traces alone, want traceloop-openai and vercel-ai-sdk", tracesOnly)
	}
}

// TestWithout: a capture without one signal keeps the others in order,
// and its ids and start are those of what remains; the original is
// unchanged, and nothing left is nil.
func TestWithout(t *testing.T) {
	c, err := LoadCapture(filepath.Join(agents, "codex-0.169.0", "tool_ok"), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := len(c.Requests)
	moved := false
	for _, sig := range []Signal{Traces, Metrics} {
		w := c.Without(sig)
		if w == nil || len(c.Requests) != n {
			t.Fatalf("Without(%s): %v; the original has %d requests, had %d", sig, w, len(c.Requests), n)
		}
		var kept, got []string
		for _, r := range c.Requests {
			if r.Signal != sig {
				kept = append(kept, r.Path)
			}
		}
		earliest := uint64(1<<64 - 1)
		for i, r := range w.Requests {
			got = append(got, r.Path)
			for _, ts := range timestamps(&w.Requests[i]) {
				if ts != 0 {
					earliest = min(earliest, ts)
				}
			}
		}
		if !slices.Equal(got, kept) || len(kept) == n {
			t.Errorf("Without(%s): requests %v, want %v", sig, got, kept)
		}
		if !slices.Equal(w.SessionIDs, c.SessionIDs) || w.Name != c.Name || w.Start != earliest {
			t.Errorf("Without(%s): session ids %v, name %q, start %d; want %v, %q and the earliest timestamp left, %d",
				sig, w.SessionIDs, w.Name, w.Start, c.SessionIDs, c.Name, earliest)
		}
		moved = moved || w.Start != c.Start
	}
	if !moved {
		t.Error("no signal held the earliest timestamp: the start is not checked")
	}
	if c.Without(Logs, Metrics, Traces) != nil {
		t.Error("Without every signal is not nil")
	}
}

// TestTracesOnly: a capture of spans alone is a capture; its session id is
// the one its spans carry, and its replay posts to /v1/traces.
func TestTracesOnly(t *testing.T) {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{9})
	sp.SetSpanID(pcommon.SpanID{9})
	sp.SetStartTimestamp(10)
	sp.SetEndTimestamp(20)
	sp.Attributes().PutStr("ai.telemetry.metadata.sessionId", "app-session")
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadCapture(writeCapture(t, map[string][]byte{"0001-traces.json": body}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Requests) != 1 || c.Requests[0].Items != 1 || !slices.Equal(c.SessionIDs, []string{"app-session"}) || c.Start != 10 {
		t.Fatalf("requests %d, session ids %v, start %d", len(c.Requests), c.SessionIDs, c.Start)
	}
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { path.Store(r.URL.Path) }))
	defer srv.Close()
	p := NewPlan([]*Capture{c}, 1, time.Now(), 0, 0, 1)
	out := (&Runner{Sender: &Sender{Endpoint: srv.URL}}).Run(context.Background(), p)
	if out[0].Err != nil || out[0].Acked != 1 || out[0].Items != 1 || path.Load() != "/v1/traces" {
		t.Fatalf("outcome %+v, path %v", out[0], path.Load())
	}
}

// TestSessionRewrite replays every stand-in capture and every real agent's
// capture twice and checks each body: no original id left as a string value
// (an id inside a longer string, such as serialized JSON in an attribute,
// stays), the fresh id exactly where the original was, the two sessions' ids
// distinct, every timestamp moved by the same amount, the earliest one onto
// the session start, and the content type the one recorded.
func TestSessionRewrite(t *testing.T) {
	var caps []*Capture
	for _, root := range []string{standin, agents} {
		cs, err := Load(root, nil)
		if err != nil {
			t.Fatal(err)
		}
		caps = append(caps, cs...)
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
			raw, err := os.ReadFile(r.Path)
			if err != nil {
				t.Fatal(err)
			}
			ct, body, err := a.Body(i)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{false: "application/json", true: "application/x-protobuf"}[r.Proto]; ct != want {
				t.Errorf("%s: content type %q, want %q", r.Path, ct, want)
			}
			orig, got := parsed(t, r, raw), parsed(t, r, body)
			origJSON, gotJSON := asJSON(t, orig), asJSON(t, got)
			for _, id := range c.IDs {
				if bytes.Contains(gotJSON, []byte(`"`+id+`"`)) {
					t.Errorf("%s: original id %q still a value in the body", r.Path, id)
				}
				if got, want := bytes.Count(gotJSON, []byte(`"`+a.IDs[id]+`"`)), bytes.Count(origJSON, []byte(`"`+id+`"`)); got != want {
					t.Errorf("%s: fresh id %d times, original %d times", r.Path, got, want)
				}
			}
			origTS, newTS := timestamps(orig), timestamps(got)
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

// parsed decodes a body of request r's signal and encoding.
func parsed(t *testing.T, r Request, body []byte) *Request {
	t.Helper()
	out := &Request{Path: r.Path, Signal: r.Signal, Proto: r.Proto}
	if err := out.parse(body); err != nil {
		t.Fatalf("%s: %v", r.Path, err)
	}
	return out
}

// asJSON encodes a parsed request as OTLP/JSON (a protobuf body's string
// values become comparable with a JSON one's).
func asJSON(t *testing.T, r *Request) []byte {
	t.Helper()
	var b []byte
	var err error
	switch r.Signal {
	case Logs:
		b, err = plogotlp.NewExportRequestFromLogs(r.logs).MarshalJSON()
	case Metrics:
		b, err = pmetricotlp.NewExportRequestFromMetrics(r.metrics).MarshalJSON()
	case Traces:
		b, err = ptraceotlp.NewExportRequestFromTraces(r.traces).MarshalJSON()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// timestamps lists every timestamp of a parsed request in walk order.
func timestamps(r *Request) []uint64 {
	var out []uint64
	none := func(pcommon.Map) {}
	switch r.Signal {
	case Logs:
		walkLogs(r.logs, none, func(lr plog.LogRecord) {
			out = append(out, uint64(lr.Timestamp()), uint64(lr.ObservedTimestamp()))
		})
	case Metrics:
		walkMetrics(r.metrics, none, func(p point) {
			out = append(out, uint64(p.StartTimestamp()), uint64(p.Timestamp()))
		}, func(e pmetric.Exemplar) { out = append(out, uint64(e.Timestamp())) })
	case Traces:
		walkTraces(r.traces, none, func(sp ptrace.Span) {
			out = append(out, uint64(sp.StartTimestamp()), uint64(sp.EndTimestamp()))
		}, func(ev ptrace.SpanEvent) { out = append(out, uint64(ev.Timestamp())) })
	}
	return out
}

// traceContext lists every trace id and span id of a parsed request in walk
// order: of log records, exemplars, and spans (trace, span, parent, then
// each link's trace and span).
func traceContext(r *Request) (traces []pcommon.TraceID, spans []pcommon.SpanID) {
	none := func(pcommon.Map) {}
	switch r.Signal {
	case Logs:
		walkLogs(r.logs, none, func(lr plog.LogRecord) {
			traces, spans = append(traces, lr.TraceID()), append(spans, lr.SpanID())
		})
	case Metrics:
		walkMetrics(r.metrics, none, func(point) {}, func(e pmetric.Exemplar) {
			traces, spans = append(traces, e.TraceID()), append(spans, e.SpanID())
		})
	case Traces:
		walkTraces(r.traces, none, func(sp ptrace.Span) {
			traces, spans = append(traces, sp.TraceID()), append(spans, sp.SpanID(), sp.ParentSpanID())
			for _, l := range sp.Links().All() {
				traces, spans = append(traces, l.TraceID()), append(spans, l.SpanID())
			}
		}, func(ptrace.SpanEvent) {})
	}
	return traces, spans
}

// idMap checks that the pairs (original, replayed) seen so far are a
// consistent one-to-one mapping that keeps the unset id unset and changes
// every other id.
type idMap[T comparable] struct {
	fwd, back map[T]T
}

func newIDMap[T comparable]() *idMap[T] { return &idMap[T]{fwd: map[T]T{}, back: map[T]T{}} }

func (m *idMap[T]) add(t *testing.T, where string, orig, got T) {
	t.Helper()
	var zero T
	switch {
	case (orig == zero) != (got == zero):
		t.Errorf("%s: id %v replayed as %v: an unset id must stay unset and a set one set", where, orig, got)
	case orig != zero && orig == got:
		t.Errorf("%s: id %v not replaced", where, orig)
	}
	if prev, ok := m.fwd[orig]; ok && prev != got {
		t.Errorf("%s: id %v replayed as %v and as %v", where, orig, prev, got)
	}
	if prev, ok := m.back[got]; ok && prev != orig {
		t.Errorf("%s: ids %v and %v both replayed as %v", where, prev, orig, got)
	}
	m.fwd[orig], m.back[got] = got, orig
}

// TestTraceAndSpanIDs replays every real capture in two sessions: within a
// session every trace id and span id (of spans, parents, links, log records
// and exemplars) maps to one fresh id, the same in every request (so a
// child still names its parent and a log record its span), the unset id
// stays unset; and no trace id or span id of one session is in another.
func TestTraceAndSpanIDs(t *testing.T) {
	caps, err := Load(agents, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	seenTrace := map[pcommon.TraceID]string{}
	seenSpan := map[pcommon.SpanID]string{}
	withTraces, parents, logsInSpans := 0, 0, 0
	for _, c := range caps {
		for round := range 2 {
			s := NewSession(c, time.Unix(1, 0), rng)
			name := c.Name + "#" + strconv.Itoa(round)
			tm, sm := newIDMap[pcommon.TraceID](), newIDMap[pcommon.SpanID]()
			spanIDs := map[pcommon.SpanID]bool{} // the session's replayed span ids
			for i, r := range c.Requests {
				_, body, err := s.Body(i)
				if err != nil {
					t.Fatal(err)
				}
				orig, got := &c.Requests[i], parsed(t, r, body)
				ot, osp := traceContext(orig)
				gt, gsp := traceContext(got)
				if len(ot) != len(gt) || len(osp) != len(gsp) {
					t.Fatalf("%s: %d/%d trace and span ids, replayed %d/%d", r.Path, len(ot), len(osp), len(gt), len(gsp))
				}
				for j := range ot {
					tm.add(t, r.Path, ot[j], gt[j])
				}
				for j := range osp {
					sm.add(t, r.Path, osp[j], gsp[j])
				}
				if r.Signal == Traces {
					walkTraces(got.traces, func(pcommon.Map) {}, func(sp ptrace.Span) { spanIDs[sp.SpanID()] = true }, func(ptrace.SpanEvent) {})
				}
			}
			// A parent or a log record's span that was a span of the
			// capture is a span of the replay.
			for i := range c.Requests {
				orig := &c.Requests[i]
				switch orig.Signal {
				case Traces:
					walkTraces(orig.traces, func(pcommon.Map) {}, func(sp ptrace.Span) {
						if p := sm.fwd[sp.ParentSpanID()]; !sp.ParentSpanID().IsEmpty() && spanIDs[p] {
							parents++
						}
					}, func(ptrace.SpanEvent) {})
				case Logs:
					walkLogs(orig.logs, func(pcommon.Map) {}, func(lr plog.LogRecord) {
						if !lr.SpanID().IsEmpty() && spanIDs[sm.fwd[lr.SpanID()]] {
							logsInSpans++
						}
					})
				}
			}
			if len(spanIDs) > 0 {
				withTraces++
			}
			for id := range tm.back {
				if prev, ok := seenTrace[id]; ok && !id.IsEmpty() {
					t.Errorf("trace id %v in %s and in %s", id, prev, name)
				}
				seenTrace[id] = name
			}
			for id := range sm.back {
				if prev, ok := seenSpan[id]; ok && !id.IsEmpty() {
					t.Errorf("span id %v in %s and in %s", id, prev, name)
				}
				seenSpan[id] = name
			}
		}
	}
	// The captures exercise what is checked: spans, children naming their
	// parent, log records emitted inside a span.
	if withTraces == 0 || parents == 0 || logsInSpans == 0 {
		t.Fatalf("sessions with spans %d, parent links %d, log records in a span %d: the captures no longer exercise the mapping",
			withTraces, parents, logsInSpans)
	}
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
// nested in a map inside a list, in scope attributes, in an exemplar, in a
// log body, in span, span event and span link attributes is rewritten too;
// span and event times move, and the log record emitted in the span keeps
// pointing at its (fresh) trace and span.
func TestProtobufAndNesting(t *testing.T) {
	traceA, traceB := pcommon.TraceID{1, 2, 3}, pcommon.TraceID{4, 5, 6}
	spanA, spanB, spanC := pcommon.SpanID{1}, pcommon.SpanID{2}, pcommon.SpanID{3}
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
	lr.SetTraceID(traceA)
	lr.SetSpanID(spanA)
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
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(traceA)
	sp.SetSpanID(spanA)
	sp.SetParentSpanID(spanB)
	sp.SetStartTimestamp(1500)
	sp.SetEndTimestamp(4000)
	sp.Attributes().PutEmptyMap("deep").PutEmptySlice("list").AppendEmpty().SetStr("sess-1")
	sp.Attributes().PutInt("thread.id", 7) // an OS thread: no id, stays
	ev := sp.Events().AppendEmpty()
	ev.SetTimestamp(2500)
	ev.Attributes().PutStr("gen_ai.conversation.id", "sess-1")
	link := sp.Links().AppendEmpty()
	link.SetTraceID(traceB)
	link.SetSpanID(spanC)
	link.Attributes().PutStr("from", "thr-9")
	tracesPB, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeCapture(t, map[string][]byte{
		"0001-logs.pb":      logsPB,
		"0002-traces.pb":    tracesPB,
		"0003-metrics.json": metricsJSON,
	})
	c, err := LoadCapture(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Requests) != 3 || c.Requests[1].Signal != Traces || c.Requests[1].Items != 1 || c.Start != 1000 ||
		!slices.Equal(c.IDs, []string{"sess-1", "thr-9"}) || !slices.Equal(c.SessionIDs, []string{"sess-1", "thr-9"}) {
		t.Fatalf("capture: requests %d start %d ids %v session ids %v", len(c.Requests), c.Start, c.IDs, c.SessionIDs)
	}
	s := NewSession(c, time.Unix(0, 5000), rand.New(rand.NewPCG(3, 4)))
	if got := s.SessionIDs(); len(got) != 2 || got[0] != s.IDs["sess-1"] || got[1] != s.IDs["thr-9"] || s.SessionID() != got[0] {
		t.Fatalf("SessionIDs %v, SessionID %q; want the fresh ids of sess-1 and thr-9, SessionID sess-1's", got, s.SessionID())
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
	_, body, err = s.Body(2)
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

	ct, body, err = s.Body(1)
	if err != nil {
		t.Fatal(err)
	}
	treq := ptraceotlp.NewExportRequest()
	if err := treq.UnmarshalProto(body); err != nil || ct != "application/x-protobuf" {
		t.Fatalf("traces body (%s): %v", ct, err)
	}
	gs := treq.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	deep := gs.Attributes().AsRaw()["deep"].(map[string]any)["list"].([]any)[0]
	thr, _ := gs.Attributes().Get("thread.id")
	evSID, _ := gs.Events().At(0).Attributes().Get("gen_ai.conversation.id")
	from, _ := gs.Links().At(0).Attributes().Get("from")
	if deep != sid || thr.Int() != 7 || evSID.Str() != sid || from.Str() != tid {
		t.Errorf("span attributes: deep %v, thread.id %v, event %q, link %q; want %q, 7, %q, %q",
			deep, thr.AsRaw(), evSID.Str(), from.Str(), sid, sid, tid)
	}
	if gs.StartTimestamp() != 5500 || gs.EndTimestamp() != 8000 || gs.Events().At(0).Timestamp() != 6500 {
		t.Errorf("span times %d-%d, event %d; want 5500-8000, 6500", gs.StartTimestamp(), gs.EndTimestamp(), gs.Events().At(0).Timestamp())
	}
	gl := gs.Links().At(0)
	for name, c := range map[string][2]bool{
		"trace id":     {gs.TraceID() != traceA, gs.TraceID() == rec.TraceID()},
		"span id":      {gs.SpanID() != spanA, gs.SpanID() == rec.SpanID()},
		"parent":       {gs.ParentSpanID() != spanB && !gs.ParentSpanID().IsEmpty(), gs.ParentSpanID() != gs.SpanID()},
		"link trace":   {gl.TraceID() != traceB && !gl.TraceID().IsEmpty(), gl.TraceID() != gs.TraceID()},
		"link span id": {gl.SpanID() != spanC && !gl.SpanID().IsEmpty(), gl.SpanID() != gs.SpanID()},
	} {
		if !c[0] || !c[1] {
			t.Errorf("%s: fresh %v, consistent %v", name, c[0], c[1])
		}
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
		{"bad traces", map[string][]byte{"0001-logs.json": good, "0002-traces.pb": {0xff}}, "0002-traces.pb"},
		{"empty", map[string][]byte{}, "no request"},
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

// TestSenderTraces: a traces request goes to /v1/traces, and the partial
// success of a protobuf response counts rejected spans.
func TestSenderTraces(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" {
			http.Error(w, "wrong path", http.StatusNotFound)
			return
		}
		resp := ptraceotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedSpans(3)
		b, _ := resp.MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	res, err := (&Sender{Endpoint: srv.URL}).Send(context.Background(), Traces, "application/x-protobuf", nil)
	if err != nil || res.Rejected != 3 {
		t.Fatalf("Send: %+v, %v; want 3 rejected spans", res, err)
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
	if !slices.Equal(c.IDs, []string{"z-session", "b-conv", "a-thread"}) || !slices.Equal(c.SessionIDs, c.IDs) {
		t.Fatalf("ids %v, session ids %v", c.IDs, c.SessionIDs)
	}
	s := NewSession(c, time.Unix(0, 1), rand.New(rand.NewPCG(5, 6)))
	if s.SessionID() != s.IDs["z-session"] {
		t.Fatalf("SessionID %q is not the fresh session.id", s.SessionID())
	}
}
