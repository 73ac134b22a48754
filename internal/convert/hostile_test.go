package convert

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// A shape is one batch a sender could put in a single OTLP request, built
// to make some part of the converter work hard: many attributes, long or
// colliding keys, deep or wide nesting, many points, resources or scopes.
// Every shape must cost about as much per input byte as a typical Claude
// Code batch (TestCostPerInputByte); the benchmarks below show the figures.
type shape struct {
	name   string
	logs   plog.Logs
	mets   pmetric.Metrics
	metric bool // mets, not logs
}

// run converts the shape once into dst and returns the output.
func (s *shape) run(c *Converter, dst []byte) []byte {
	var st Stats
	if s.metric {
		return c.AppendMetrics(dst[:0], s.mets, &st)
	}
	return c.AppendLogs(dst[:0], s.logs, &st)
}

// inputBytes is the size of the shape as OTLP protobuf, the form it arrives
// in over gRPC.
func (s *shape) inputBytes() int {
	if s.metric {
		return (&pmetric.ProtoMarshaler{}).MetricsSize(s.mets)
	}
	return (&plog.ProtoMarshaler{}).LogsSize(s.logs)
}

// oneRecord is a batch of one tool_result record holding attrs.
func oneRecord(attrs func(m pcommon.Map)) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "claude-code")
	sl := rl.ScopeLogs().AppendEmpty()
	lr := sl.LogRecords().AppendEmpty()
	lr.SetEventName("claude_code.tool_result")
	lr.SetTimestamp(pcommon.Timestamp(at(0)))
	lr.Attributes().PutStr("session.id", ccSession)
	lr.Attributes().PutStr("tool_name", "Bash")
	attrs(lr.Attributes())
	return ld
}

// numberedKeys appends n attributes with keys prefix+i (zero padded to
// width) and short string values to m, whose members must be strings. With
// a fixed width every key has the same length and first byte, so a hash of
// a few bytes collides for most of them. (Put* looks for the key first, so
// putting 32,768 keys one by one would itself be quadratic.)
func numberedKeys(m pcommon.Map, n int, prefix string, width int) {
	kvs := make([][2]string, 0, m.Len()+n)
	for k, v := range m.All() {
		kvs = append(kvs, [2]string{k, v.Str()})
	}
	for i := range n {
		kvs = append(kvs, [2]string{fmt.Sprintf("%s%0*d", prefix, width, i), "v"})
	}
	putWire(m, kvs)
}

// member is one attribute of putMembers: v is a string or a []member (a
// nested map).
type member struct {
	k string
	v any
}

// putMembers puts ms into m in order, repeated keys included. Put* would
// replace a repeated key, so the map goes through OTLP/JSON, whose
// unmarshaler keeps every member as a wire payload carries it.
func putMembers(m pcommon.Map, ms []member) {
	var b strings.Builder
	b.WriteString(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":`)
	writeMembers(&b, ms)
	b.WriteString(`}]}]}]}`)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs([]byte(b.String()))
	if err != nil {
		panic(err)
	}
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().MoveTo(m)
}

func writeMembers(b *strings.Builder, ms []member) {
	b.WriteByte('[')
	for i, mb := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(mb.k)
		fmt.Fprintf(b, `{"key":%s,"value":`, k)
		switch v := mb.v.(type) {
		case string:
			s, _ := json.Marshal(v)
			fmt.Fprintf(b, `{"stringValue":%s}}`, s)
		case []member:
			b.WriteString(`{"kvlistValue":{"values":`)
			writeMembers(b, v)
			b.WriteString(`}}}`)
		}
	}
	b.WriteByte(']')
}

// cyclingKeys is n members whose keys cycle through distinct values
// (distinct = 1: the same key n times).
func cyclingKeys(n, distinct int) []member {
	ms := make([]member, n)
	for i := range ms {
		ms[i] = member{fmt.Sprintf("dup.%06d", i%distinct), "v"}
	}
	return ms
}

// nestedChain is a map nested depth levels deep; every level holds width
// members, the nested map, and then its first key again, so every level
// takes the encoder's repeated-key path.
func nestedChain(depth, width int) []member {
	var ms []member
	for i := range width {
		ms = append(ms, member{fmt.Sprintf("w%03d", i), "x"})
	}
	if depth > 0 {
		ms = append(ms, member{"next", nestedChain(depth-1, width)})
	}
	return append(ms, member{"w000", "again"})
}

// hostileShapes are the shapes of TestCostPerInputByte and
// BenchmarkHostile, beside the typical batch (the first one).
func hostileShapes() []*shape {
	longKey := strings.Repeat("k", 4096)
	escapes := strings.Repeat("\"\\\x01\n\u2028é😀<>", 4096)
	shapes := []*shape{
		{name: "typical_claude_code", logs: claudeBatch(1000, true)},
		{name: "attrs_1k", logs: oneRecord(func(m pcommon.Map) { numberedKeys(m, 1000, "attr.", 5) })},
		{name: "attrs_32k", logs: oneRecord(func(m pcommon.Map) { numberedKeys(m, 32768, "attr.", 5) })},
		{name: "attrs_32k_colliding", logs: oneRecord(func(m pcommon.Map) { numberedKeys(m, 32768, "a", 12) })},
		{name: "long_keys", logs: oneRecord(func(m pcommon.Map) { numberedKeys(m, 256, longKey, 5) })},
		{name: "repeated_key_32k", logs: oneRecord(func(m pcommon.Map) { putMembers(m, cyclingKeys(32768, 1)) })},
		{name: "repeated_keys_32k_pairs", logs: oneRecord(func(m pcommon.Map) { putMembers(m, cyclingKeys(32768, 16384)) })},
		{name: "invalid_utf8_keys_8k", logs: oneRecord(func(m pcommon.Map) { numberedKeys(m, 8192, "\xff", 5) })},
		{name: "nested_wide_32k", logs: oneRecord(func(m pcommon.Map) {
			numberedKeys(m.PutEmptyMap("nested"), 32768, "attr.", 5)
		})},
		{name: "nested_wide_invalid_utf8_8k", logs: oneRecord(func(m pcommon.Map) {
			numberedKeys(m.PutEmptyMap("nested"), 8192, "\xfe", 5)
		})},
		{name: "nested_deep_repeats", logs: oneRecord(func(m pcommon.Map) {
			// 31 maps inside one another, the deepest the encoder follows.
			putMembers(m, []member{{"nested", nestedChain(30, 4)}})
		})},
		{name: "long_escaped_strings", logs: oneRecord(func(m pcommon.Map) {
			for i := range 8 {
				m.PutStr(fmt.Sprintf("text%d", i), escapes)
			}
		})},
		{name: "resource_attrs_32k", logs: func() plog.Logs {
			ld := oneRecord(func(pcommon.Map) {})
			numberedKeys(ld.ResourceLogs().At(0).Resource().Attributes(), 32768, "attr.", 5)
			return ld
		}()},
		{name: "resources_scopes_4k", logs: manyResources(1024, 4)},
		{name: "empty_scopes_64k_big_resource", logs: emptyScopes(65536, 4096)},
		{name: "records_32_colliding_keys", logs: manyRecords(1000, func(m pcommon.Map) { numberedKeys(m, smallAttrs-2, "a", 12) })},
		{name: "records_48_keys", logs: manyRecords(1000, func(m pcommon.Map) { numberedKeys(m, 48, "attr.", 5) })},
		{name: "points_32k", mets: manyPoints(32768, 4), metric: true},
		{name: "point_attrs_32k", mets: manyPoints(1, 32768), metric: true},
	}
	return shapes
}

// manyResources is n resources of scopes scopes each, one record per scope.
func manyResources(n, scopes int) plog.Logs {
	ld := plog.NewLogs()
	src := claudeBatch(1, true).ResourceLogs().At(0)
	for i := range n {
		rl := ld.ResourceLogs().AppendEmpty()
		src.Resource().CopyTo(rl.Resource())
		rl.Resource().Attributes().PutInt("host.index", int64(i))
		for j := range scopes {
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(fmt.Sprintf("scope-%d", j))
			src.ScopeLogs().At(0).LogRecords().At(0).CopyTo(sl.LogRecords().AppendEmpty())
		}
	}
	return ld
}

// emptyScopes is one resource with attrs attributes and n scopes, only the
// last of which holds a record.
func emptyScopes(n, attrs int) plog.Logs {
	ld := oneRecord(func(pcommon.Map) {})
	rl := ld.ResourceLogs().At(0)
	numberedKeys(rl.Resource().Attributes(), attrs, "attr.", 5)
	rec := rl.ScopeLogs().At(0)
	for range n - 1 {
		rl.ScopeLogs().AppendEmpty()
	}
	rec.MoveTo(rl.ScopeLogs().AppendEmpty())
	return ld
}

// manyRecords is n tool_result records, each with attrs besides a session
// id and a tool name.
func manyRecords(n int, attrs func(m pcommon.Map)) plog.Logs {
	ld := oneRecord(attrs)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for range n - 1 {
		lrs.At(0).CopyTo(lrs.AppendEmpty())
	}
	return ld
}

// manyPoints is one Claude Code token.usage sum of n points with attrs
// attributes each.
func manyPoints(n, attrs int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "claude-code")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("claude_code.token.usage")
	m.SetUnit("tokens")
	dps := m.SetEmptySum().DataPoints()
	for i := range n {
		p := dps.AppendEmpty()
		p.SetTimestamp(pcommon.Timestamp(at(i)))
		p.SetIntValue(int64(i))
		p.Attributes().PutStr("session.id", ccSession)
		p.Attributes().PutStr("type", "input")
		numberedKeys(p.Attributes(), attrs-2, "attr.", 5)
	}
	return md
}

// hostileConverter converts with the default rules plus the Claude Code
// usage rule, so the metric shapes are written too.
func hostileConverter(t testing.TB) *Converter {
	opts := defaultOptions()
	opts.Rules = []Rule{claudeUsageRule}
	return newConverter(t, opts)
}

// BenchmarkHostile converts each shape; bytes/s is per input byte (OTLP
// protobuf), so the shapes compare with the typical batch directly.
func BenchmarkHostile(b *testing.B) {
	c := hostileConverter(b)
	for _, s := range hostileShapes() {
		b.Run(s.name, func(b *testing.B) {
			dst := s.run(c, nil)
			b.SetBytes(int64(s.inputBytes()))
			b.ReportMetric(float64(len(dst)), "out-bytes")
			b.ResetTimer()
			for b.Loop() {
				dst = s.run(c, dst)
			}
		})
	}
}

// TestCostPerInputByte converts every shape and checks that its CPU time
// per input byte stays within maxFactor of the typical batch's. A
// conversion that is quadratic in some dimension (a repeated-key scan over
// every earlier attribute, say) costs 40 to 2,600 times more per byte on
// these sizes; a linear one costs about the same, up to about 7 times for
// the exact repeated-key paths, which allocate for every key that is not
// valid UTF-8 (invalid_utf8_keys_8k, nested_wide_invalid_utf8_8k). The shapes are measured
// interleaved, several rounds, on one thread's CPU clock, and the medians
// compared, so a busy machine shifts all of them alike. The race detector
// changes what costs what, so the test runs without it (make test-norace).
func TestCostPerInputByte(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("measures CPU time: skipped under -race (make test-norace runs it) and with -short")
	}
	const (
		maxFactor = 12
		rounds    = 9
		minCPU    = 3 * time.Millisecond // per measurement, repeating the shape
		deadline  = 2 * time.Minute      // for all of it; the linear code needs a few seconds
	)
	c := hostileConverter(t)
	shapes := hostileShapes()
	in := make([]int, len(shapes))
	for i, s := range shapes {
		in[i] = s.inputBytes()
	}
	perByte := make([][]float64, len(shapes))
	dst := make([][]byte, len(shapes))
	// The conversions run on a goroutine of their own, so that one that
	// never ends (exponential in the nesting, say) fails the test at the
	// deadline instead of hanging the package.
	var running atomic.Value // the name of the shape being converted
	running.Store("")
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		reps := make([]int, len(shapes))
		for i, s := range shapes {
			running.Store(s.name)
			start := threadCPU()
			dst[i] = s.run(c, nil)
			reps[i] = max(1, int(minCPU/max(threadCPU()-start, time.Microsecond)))
		}
		for range rounds {
			for i, s := range shapes {
				running.Store(s.name)
				start := threadCPU()
				for range reps[i] {
					dst[i] = s.run(c, dst[i])
				}
				used := threadCPU() - start
				perByte[i] = append(perByte[i], float64(used.Nanoseconds())/float64(reps[i]*in[i]))
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(deadline):
		t.Fatalf("%s: still converting after %v", running.Load(), deadline)
	}
	base := median(perByte[0])
	for i, s := range shapes {
		got := median(perByte[i])
		t.Logf("%-30s %8d input bytes %9d output bytes %7.2f ns/input byte (%.2fx typical)",
			s.name, in[i], len(dst[i]), got, got/base)
		if i > 0 && got > maxFactor*base {
			t.Errorf("%s: %.2f ns per input byte, %.1fx the typical batch's %.2f (limit %dx)",
				s.name, got, got/base, base, maxFactor)
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
