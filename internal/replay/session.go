package replay

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Session is one replay of a capture: its own ids and its own clock.
type Session struct {
	// Capture is what is replayed.
	Capture *Capture
	// IDs maps every id of Capture.IDs to this session's fresh one.
	IDs map[string]string
	// Start is where the capture's earliest timestamp is moved to.
	Start time.Time

	// The session's trace and span ids are the capture's XORed with these
	// random masks (see traceID, spanID).
	traceMask pcommon.TraceID
	spanMask  pcommon.SpanID
}

// NewSession returns a replay of c starting at start, with fresh ids drawn
// from rng (version-4 UUIDs, so the same rng seed gives the same ids) and
// fresh trace and span ids.
func NewSession(c *Capture, start time.Time, rng *rand.Rand) *Session {
	s := &Session{Capture: c, IDs: make(map[string]string, len(c.IDs)), Start: start}
	for _, id := range c.IDs {
		s.IDs[id] = NewID(rng)
	}
	putUint64(s.traceMask[:8], rng.Uint64())
	putUint64(s.traceMask[8:], rng.Uint64())
	putUint64(s.spanMask[:], rng.Uint64())
	return s
}

func putUint64(b []byte, v uint64) {
	for j := range b {
		b[j] = byte(v >> (8 * j))
	}
}

// traceID is the session's fresh id for the capture's trace id: id XOR the
// session's mask. That is one-to-one, so spans of one trace stay in one
// trace and the log records emitted in a span keep pointing at it, without
// a table of the capture's ids. The unset (zero) id stays unset, and the
// one id the XOR would make zero, the mask itself, stays as it is (the
// zero id is already taken by itself), which keeps the mapping one-to-one.
// Two sessions share a trace id only if their masks differ by the XOR of
// two of their captures' trace ids: a chance of one in 2^128 per pair.
func (s *Session) traceID(id pcommon.TraceID) pcommon.TraceID {
	if id.IsEmpty() || id == s.traceMask {
		return id
	}
	for i := range id {
		id[i] ^= s.traceMask[i]
	}
	return id
}

// spanID is traceID for span ids (a chance of one in 2^64 per pair of
// span ids that two sessions share one).
func (s *Session) spanID(id pcommon.SpanID) pcommon.SpanID {
	if id.IsEmpty() || id == s.spanMask {
		return id
	}
	for i := range id {
		id[i] ^= s.spanMask[i]
	}
	return id
}

// NewID returns a random version-4 UUID in canonical form, drawn from rng.
func NewID(rng *rand.Rand) string {
	var b [16]byte
	putUint64(b[:8], rng.Uint64())
	putUint64(b[8:], rng.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// SessionID is the session's fresh id for the capture's first session id
// ("" when the capture has none).
func (s *Session) SessionID() string {
	if len(s.Capture.SessionIDs) == 0 {
		return ""
	}
	return s.IDs[s.Capture.SessionIDs[0]]
}

// SessionIDs are the session's fresh ids for every Capture.SessionIDs.
func (s *Session) SessionIDs() []string {
	out := make([]string, len(s.Capture.SessionIDs))
	for i, id := range s.Capture.SessionIDs {
		out[i] = s.IDs[id]
	}
	return out
}

// Body returns request i of the session, rewritten, encoded as recorded
// (JSON or protobuf), with its Content-Type.
func (s *Session) Body(i int) (contentType string, body []byte, err error) {
	r := &s.Capture.Requests[i]
	shift := func(ts pcommon.Timestamp) pcommon.Timestamp {
		if ts == 0 {
			return 0
		}
		return pcommon.Timestamp(uint64(ts) - s.Capture.Start + uint64(s.Start.UnixNano()))
	}
	attrs := func(m pcommon.Map) { rewriteMap(m, s.IDs) }
	var req interface {
		MarshalProto() ([]byte, error)
		MarshalJSON() ([]byte, error)
	}
	switch r.Signal {
	case Logs:
		ld := plog.NewLogs()
		r.logs.CopyTo(ld)
		walkLogs(ld, attrs, func(lr plog.LogRecord) {
			rewriteValue(lr.Body(), s.IDs)
			lr.SetTimestamp(shift(lr.Timestamp()))
			lr.SetObservedTimestamp(shift(lr.ObservedTimestamp()))
			lr.SetTraceID(s.traceID(lr.TraceID()))
			lr.SetSpanID(s.spanID(lr.SpanID()))
		})
		req = plogotlp.NewExportRequestFromLogs(ld)
	case Metrics:
		md := pmetric.NewMetrics()
		r.metrics.CopyTo(md)
		walkMetrics(md, attrs, func(p point) {
			p.SetStartTimestamp(shift(p.StartTimestamp()))
			p.SetTimestamp(shift(p.Timestamp()))
		}, func(e pmetric.Exemplar) {
			e.SetTimestamp(shift(e.Timestamp()))
			e.SetTraceID(s.traceID(e.TraceID()))
			e.SetSpanID(s.spanID(e.SpanID()))
		})
		req = pmetricotlp.NewExportRequestFromMetrics(md)
	case Traces:
		td := ptrace.NewTraces()
		r.traces.CopyTo(td)
		walkTraces(td, attrs, func(sp ptrace.Span) {
			sp.SetStartTimestamp(shift(sp.StartTimestamp()))
			sp.SetEndTimestamp(shift(sp.EndTimestamp()))
			sp.SetTraceID(s.traceID(sp.TraceID()))
			sp.SetSpanID(s.spanID(sp.SpanID()))
			sp.SetParentSpanID(s.spanID(sp.ParentSpanID()))
			for _, l := range sp.Links().All() {
				l.SetTraceID(s.traceID(l.TraceID()))
				l.SetSpanID(s.spanID(l.SpanID()))
			}
		}, func(ev ptrace.SpanEvent) { ev.SetTimestamp(shift(ev.Timestamp())) })
		req = ptraceotlp.NewExportRequestFromTraces(td)
	default:
		return "", nil, fmt.Errorf("replay: %s: signal %q is not replayed", r.Path, r.Signal)
	}
	if r.Proto {
		b, err := req.MarshalProto()
		return "application/x-protobuf", b, err
	}
	b, err := req.MarshalJSON()
	return "application/json", b, err
}

// rewriteMap replaces, at any depth, every string value of m found in ids.
func rewriteMap(m pcommon.Map, ids map[string]string) {
	for _, v := range m.All() {
		rewriteValue(v, ids)
	}
}

// maxDepth bounds the recursion on hostile nesting; deeper values stay as
// they are.
const maxDepth = 64

func rewriteValue(v pcommon.Value, ids map[string]string) { rewriteDepth(v, ids, 0) }

func rewriteDepth(v pcommon.Value, ids map[string]string, depth int) {
	if depth > maxDepth {
		return
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if fresh, ok := ids[v.Str()]; ok {
			v.SetStr(fresh)
		}
	case pcommon.ValueTypeMap:
		for _, e := range v.Map().All() {
			rewriteDepth(e, ids, depth+1)
		}
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			rewriteDepth(e, ids, depth+1)
		}
	}
}
