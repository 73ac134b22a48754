// Package replay turns recorded agent sessions into many fresh ones.
//
// A capture is one agent run recorded in the capture layout:
//
//	<root>/<agent>-<version>/<scenario>/otlp/NNNN-<signal>.json (or .pb)
//
// each file one OTLP/HTTP request body as the agent sent it, NNNN its
// arrival order from 0001, signal logs, metrics or traces. Load reads every
// capture under a root. A Session is one replay of a capture:
//
//   - every session id the capture uses is replaced by a fresh one, wherever
//     the id is a string value (resource, scope, log record, data point,
//     exemplar, span, span event and span link attributes, log bodies, at
//     any depth; an id inside a longer string, such as serialized JSON in an
//     attribute, stays);
//   - every trace id and span id (of spans, their parents and links, and the
//     trace context of log records and exemplars) is replaced by a fresh
//     one, the same for the same id throughout the session, so parent and
//     child spans, and a log record and the span it was emitted in, still
//     belong together; an unset id stays unset, and two sessions share a
//     trace or span id only by the chance of two random 128-bit (64-bit)
//     values being equal;
//   - every timestamp (records, data points, exemplars, span start and end,
//     span events) is moved by the same amount so that the capture's
//     earliest one falls on the session's start.
//
// Sender posts the rewritten bodies to an OTLP/HTTP endpoint (/v1/logs,
// /v1/metrics, /v1/traces) the way an agent's SDK does, retrying until they
// are acknowledged.
package replay

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
)

// DefaultIDKeys are the attribute keys whose string values are a capture's
// per-session ids: the analytics exporter's default session_id_attributes.
var DefaultIDKeys = slices.Clone(convert.DefaultSessionIDAttributes)

// SessionKeys are the analytics exporter's default session_id_attributes:
// the string values found under them are what it writes as session_id.
var SessionKeys = slices.Clone(convert.DefaultSessionIDAttributes)

// Signal is the OTLP signal of a request.
type Signal string

// The signals of the capture layout.
const (
	Logs    Signal = "logs"
	Metrics Signal = "metrics"
	Traces  Signal = "traces"
)

// Request is one recorded OTLP/HTTP request of a capture.
type Request struct {
	// Path is the file the body was read from.
	Path string
	// Signal is the request's signal (from the file name).
	Signal Signal
	// Proto is true for a protobuf body (.pb), false for JSON.
	Proto bool
	// Items counts the log records, metric data points or spans of the
	// request.
	Items int

	logs    plog.Logs       // set for Logs
	metrics pmetric.Metrics // set for Metrics
	traces  ptrace.Traces   // set for Traces
}

// Capture is one recorded agent run.
type Capture struct {
	// Name is "<agent>-<version>/<scenario>", the capture's path under the root.
	Name string
	// Requests are the logs, metrics and traces requests in arrival order.
	Requests []Request
	// IDs are the distinct per-session ids the capture uses (the string
	// values of the idKeys attributes), ordered by the first of idKeys they
	// appear under, then by value.
	IDs []string
	// SessionIDs are the ids of IDs found under one of SessionKeys, in the
	// same order: the session ids the exporter writes for this capture.
	SessionIDs []string
	// Start is the earliest non-zero timestamp of the capture, in Unix ns.
	Start uint64

	idKeys []string // the keys IDs were collected under
}

// requestFile matches NNNN-<signal>.<ext>.
var requestFile = regexp.MustCompile(`^([0-9]{4})-(logs|metrics|traces)\.(json|pb)$`)

// Load reads every capture under root: each directory root/*/*/ holding an
// otlp folder. It fails when there is none, so a mistyped root is not a
// test that replays nothing.
func Load(root string, idKeys []string) ([]*Capture, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "*", "*", "otlp"))
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	var caps []*Capture
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		c, err := LoadCapture(filepath.Dir(d), idKeys)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, filepath.Dir(d))
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		c.Name = filepath.ToSlash(rel)
		caps = append(caps, c)
	}
	if len(caps) == 0 {
		return nil, fmt.Errorf("replay: no capture under %s (expected <agent>-<version>/<scenario>/otlp/NNNN-<signal>.json)", root)
	}
	return caps, nil
}

// LoadCapture reads the capture in dir (the folder holding otlp/). Files are
// taken in NNNN order; a gap or a repeated number, a name outside the
// layout, or a body that does not parse is an error naming the file.
// idKeys nil means DefaultIDKeys.
func LoadCapture(dir string, idKeys []string) (*Capture, error) {
	if idKeys == nil {
		idKeys = DefaultIDKeys
	}
	odir := filepath.Join(dir, "otlp")
	ents, err := os.ReadDir(odir)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	c := &Capture{Name: filepath.Base(dir), idKeys: idKeys}
	want := 1
	for _, e := range ents { // ReadDir sorts by name, so by NNNN
		m := requestFile.FindStringSubmatch(e.Name())
		path := filepath.Join(odir, e.Name())
		if m == nil || !e.Type().IsRegular() {
			return nil, fmt.Errorf("replay: %s: not a request file (NNNN-logs|metrics|traces.json|pb)", path)
		}
		if n, _ := strconv.Atoi(m[1]); n != want {
			return nil, fmt.Errorf("replay: %s: expected request number %04d", path, want)
		}
		want++
		r := Request{Path: path, Signal: Signal(m[2]), Proto: m[3] == "pb"}
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		if err := r.parse(body); err != nil {
			return nil, fmt.Errorf("replay: %s: %w", path, err)
		}
		c.Requests = append(c.Requests, r)
	}
	if len(c.Requests) == 0 {
		return nil, fmt.Errorf("replay: %s: no request", odir)
	}
	c.index()
	return c, nil
}

// Without returns a copy of c without its requests of the given signals,
// its IDs, SessionIDs and Start those of the requests that remain; nil
// when none remains. The requests' bodies are shared, not copied.
func (c *Capture) Without(signals ...Signal) *Capture {
	out := &Capture{Name: c.Name, idKeys: c.idKeys}
	for _, r := range c.Requests {
		if !slices.Contains(signals, r.Signal) {
			out.Requests = append(out.Requests, r)
		}
	}
	if len(out.Requests) == 0 {
		return nil
	}
	out.index()
	return out
}

// index sets IDs, SessionIDs and Start from the requests.
func (c *Capture) index() {
	ids := map[string]int{} // id -> index in idKeys of the first key it is under
	c.Start = math.MaxUint64
	for i := range c.Requests {
		c.Requests[i].scan(c.idKeys, ids, &c.Start)
	}
	if c.Start == math.MaxUint64 {
		c.Start = 0
	}
	c.IDs, c.SessionIDs = nil, nil
	for id := range ids {
		c.IDs = append(c.IDs, id)
	}
	slices.SortFunc(c.IDs, func(a, b string) int {
		if ids[a] != ids[b] {
			return ids[a] - ids[b]
		}
		return strings.Compare(a, b)
	})
	for _, id := range c.IDs {
		if slices.Contains(SessionKeys, c.idKeys[ids[id]]) {
			c.SessionIDs = append(c.SessionIDs, id)
		}
	}
}

// parse decodes the body with the OTLP/HTTP unmarshaller of its encoding,
// the one the Collector's receiver uses.
func (r *Request) parse(body []byte) error {
	if !r.Proto && len(body) == 0 {
		return errors.New("empty JSON body")
	}
	stored := otlpcapture.Request{Signal: string(r.Signal), Proto: r.Proto, Body: body}
	var err error
	switch r.Signal {
	case Logs:
		if r.logs, err = stored.Logs(); err == nil {
			r.Items = r.logs.LogRecordCount()
		}
	case Metrics:
		if r.metrics, err = stored.Metrics(); err == nil {
			r.Items = r.metrics.DataPointCount()
		}
	case Traces:
		if r.traces, err = stored.Traces(); err == nil {
			r.Items = r.traces.SpanCount()
		}
	default:
		err = fmt.Errorf("signal %q is not replayed", r.Signal)
	}
	return err
}

// scan adds the request's per-session ids (top-level string values of the
// idKeys attributes, each with the lowest index of a key it is under) to
// ids and lowers start to its earliest timestamp.
func (r *Request) scan(idKeys []string, ids map[string]int, start *uint64) {
	collect := func(m pcommon.Map) {
		for i, k := range idKeys {
			if v, ok := m.Get(k); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
				if prev, seen := ids[v.Str()]; !seen || i < prev {
					ids[v.Str()] = i
				}
			}
		}
	}
	low := func(ts pcommon.Timestamp) {
		if ts != 0 && uint64(ts) < *start {
			*start = uint64(ts)
		}
	}
	switch r.Signal {
	case Logs:
		walkLogs(r.logs, collect, func(lr plog.LogRecord) {
			low(lr.Timestamp())
			low(lr.ObservedTimestamp())
		})
		return
	case Traces:
		walkTraces(r.traces, collect, func(sp ptrace.Span) {
			low(sp.StartTimestamp())
			low(sp.EndTimestamp())
		}, func(ev ptrace.SpanEvent) { low(ev.Timestamp()) })
		return
	}
	walkMetrics(r.metrics, collect, func(p point) {
		low(p.StartTimestamp())
		low(p.Timestamp())
	}, func(e pmetric.Exemplar) { low(e.Timestamp()) })
}

// walkLogs calls attrs on every attribute map of ld (resource, scope,
// record) and rec on every record.
func walkLogs(ld plog.Logs, attrs func(pcommon.Map), rec func(plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		attrs(rl.Resource().Attributes())
		for _, sl := range rl.ScopeLogs().All() {
			attrs(sl.Scope().Attributes())
			for _, lr := range sl.LogRecords().All() {
				attrs(lr.Attributes())
				rec(lr)
			}
		}
	}
}

// walkTraces calls attrs on every attribute map of td (resource, scope,
// span, span event, span link), sp on every span and ev on every span
// event.
func walkTraces(td ptrace.Traces, attrs func(pcommon.Map), sp func(ptrace.Span), ev func(ptrace.SpanEvent)) {
	for _, rs := range td.ResourceSpans().All() {
		attrs(rs.Resource().Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			attrs(ss.Scope().Attributes())
			for _, s := range ss.Spans().All() {
				attrs(s.Attributes())
				sp(s)
				for _, e := range s.Events().All() {
					attrs(e.Attributes())
					ev(e)
				}
				for _, l := range s.Links().All() {
					attrs(l.Attributes())
				}
			}
		}
	}
}

// point is what every metric data point type has.
type point interface {
	Attributes() pcommon.Map
	StartTimestamp() pcommon.Timestamp
	Timestamp() pcommon.Timestamp
	SetStartTimestamp(pcommon.Timestamp)
	SetTimestamp(pcommon.Timestamp)
}

// walkMetrics calls attrs on every attribute map of md (resource, scope,
// data point, exemplar filtered attributes), pt on every data point and ex
// on every exemplar.
func walkMetrics(md pmetric.Metrics, attrs func(pcommon.Map), pt func(point), ex func(pmetric.Exemplar)) {
	exemplars := func(es pmetric.ExemplarSlice) {
		for _, e := range es.All() {
			attrs(e.FilteredAttributes())
			ex(e)
		}
	}
	for _, rm := range md.ResourceMetrics().All() {
		attrs(rm.Resource().Attributes())
		for _, sm := range rm.ScopeMetrics().All() {
			attrs(sm.Scope().Attributes())
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					points(m.Gauge().DataPoints().All(), attrs, pt, exemplars)
				case pmetric.MetricTypeSum:
					points(m.Sum().DataPoints().All(), attrs, pt, exemplars)
				case pmetric.MetricTypeHistogram:
					points(m.Histogram().DataPoints().All(), attrs, pt, exemplars)
				case pmetric.MetricTypeExponentialHistogram:
					points(m.ExponentialHistogram().DataPoints().All(), attrs, pt, exemplars)
				case pmetric.MetricTypeSummary:
					points(m.Summary().DataPoints().All(), attrs, pt, exemplars)
				}
			}
		}
	}
}

// points is walkMetrics over the points of one metric; a summary's points
// have no exemplars.
func points[P point](all iter.Seq2[int, P], attrs func(pcommon.Map), pt func(point), exemplars func(pmetric.ExemplarSlice)) {
	for _, p := range all {
		attrs(p.Attributes())
		pt(p)
		if e, ok := any(p).(interface{ Exemplars() pmetric.ExemplarSlice }); ok {
			exemplars(e.Exemplars())
		}
	}
}
