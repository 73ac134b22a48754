package convert

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

// fuzzKeys are keys with a role, so random records hit the rules, named
// fields, ids and the override as well as unknown keys.
var fuzzKeys = []string{"event.name", "session.id", "user.id", "analytics.type", "duration_ms", "success", "tool_name",
	"decision", "command_name", "exception.type", "error", "model", "input_tokens", "cost_usd", "cwd", "status_code", "value", ""}

var fuzzNames = []string{"api_request", "claude_code.tool_result", "gemini_cli.tool_call", "tool_decision", "user_prompt",
	"session.start", "x.exception", "my_app.tool_run", "tool_use", "not_a_type", "\xff\xfe", "a.b"}

// fuzzReader turns fuzz bytes into choices; it yields zeros when exhausted.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *fuzzReader) bytes(n int) []byte {
	n = min(n, len(r.b))
	out := r.b[:n:n] // capped: callers append to it, which must not write into the input
	r.b = r.b[n:]
	return out
}

// str is a role key or name from list, or raw (possibly invalid UTF-8) bytes.
func (r *fuzzReader) str(list []string) string {
	c := r.byte()
	if int(c) < 2*len(list) && c%2 == 0 {
		return list[int(c)/2]
	}
	return string(r.bytes(int(c % 12)))
}

func (r *fuzzReader) value(v pcommon.Value, depth int) {
	switch r.byte() % 9 {
	case 0:
		v.SetStr(r.str(fuzzNames))
	case 1:
		v.SetInt(int64(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...))))
	case 2:
		v.SetDouble(math.Float64frombits(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...))))
	case 3:
		v.SetDouble([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 1e308}[r.byte()%5])
	case 4:
		v.SetBool(r.byte()%2 == 0)
	case 5:
		v.SetEmptyBytes().FromRaw(r.bytes(int(r.byte() % 16)))
	case 6:
		// Deeper than encode.MaxDepth, so the cut-off is exercised too.
		if depth < 40 {
			r.attrs(v.SetEmptyMap(), 4, depth+1)
		}
	case 7:
		if depth < 4 {
			s := v.SetEmptySlice()
			for n := r.byte() % 4; n > 0; n-- {
				r.value(s.AppendEmpty(), depth+1)
			}
		}
	case 8:
		v.SetStr([]string{"true", "false", "12", "0.5", "NaN", "reject", "tool_use", "1e999", "-"}[r.byte()%9])
	}
}

// attrs puts attributes into m: fewer than small random ones, or, when the
// count byte is 0xf0 or more, a bulk of 1 to 32,768 (see bulk).
func (r *fuzzReader) attrs(m pcommon.Map, small byte, depth int) {
	c := r.byte()
	if c >= 0xf0 {
		r.bulk(m, 1<<(c-0xf0), depth)
		return
	}
	for n := c % small; n > 0; n-- {
		r.value(m.PutEmpty(r.str(fuzzKeys)), depth)
	}
}

// bulk replaces m by n attributes whose keys are a prefix from the input
// and a number below a bound from the input, of fixed width: many keys,
// keys that agree in length and in most bytes, repeated keys (a small
// bound), keys with invalid UTF-8 (a prefix with it). One member, at a
// place from the input, gets a random value (a map nested in a map with
// repeated keys...); the others are "v".
func (r *fuzzReader) bulk(m pcommon.Map, n, depth int) {
	prefix := r.str(fuzzKeys)
	distinct := 1 + (int(r.byte())<<8 | int(r.byte()))
	at := int(r.byte()) * n / 256
	kvs := make([][2]string, n)
	for i := range kvs {
		kvs[i] = [2]string{fmt.Sprintf("%s%05d", prefix, i%distinct), "v"}
	}
	putWire(m, kvs)
	i := 0
	for _, v := range m.All() {
		if i == at {
			r.value(v, depth)
			break
		}
		i++
	}
}

// putWire replaces m by string attributes kvs (key, value), in order,
// repeated keys included: Put* would replace a repeated key, so the map is
// unmarshalled from OTLP protobuf, which keeps every member as sent (and
// keys that are not valid UTF-8, which OTLP/JSON cannot carry).
func putWire(m pcommon.Map, kvs [][2]string) {
	var attrs []byte
	for _, kv := range kvs {
		attrs = pbField(attrs, 1, pbField(pbField(nil, 1, []byte(kv[0])), 2, pbField(nil, 1, []byte(kv[1]))))
	}
	// LogsData.resource_logs[0].resource.attributes
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(pbField(nil, 1, pbField(nil, 1, attrs)))
	if err != nil {
		panic(err)
	}
	ld.ResourceLogs().At(0).Resource().Attributes().MoveTo(m)
}

// pbField appends a length-delimited protobuf field.
func pbField(b []byte, field int, payload []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field<<3|2))
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

// fuzzLogs builds a batch of log records from the fuzz input.
func fuzzLogs(data []byte) plog.Logs {
	r := &fuzzReader{b: data}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	r.attrs(rl.Resource().Attributes(), 4, 0)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(r.str(fuzzNames))
	for recs := 1 + r.byte()%4; recs > 0; recs-- {
		lr := sl.LogRecords().AppendEmpty()
		if r.byte()%3 == 0 {
			lr.SetEventName(r.str(fuzzNames))
		}
		r.value(lr.Body(), 0)
		lr.SetSeverityNumber(plog.SeverityNumber(r.byte() % 26))
		lr.SetSeverityText(r.str(nil))
		lr.SetTimestamp(pcommon.Timestamp(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...))))
		r.attrs(lr.Attributes(), 12, 0)
	}
	return ld
}

// FuzzAppendLogs: whatever the records hold, every line is strict JSON with
// the seven keys in order, and nothing panics (a recovered panic would show
// as DroppedInvalid).
func FuzzAppendLogs(f *testing.F) {
	f.Add([]byte("\x02\x02\x00\x03\x00\x01\x05\x00\x00\x04"))
	f.Add([]byte{1, 0, 0, 3, 1, 0, 2, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 2, 0, 7, 8, 6, 2, 2, 3, 0xff, 0xfe, 0x01})
	f.Add(bytes.Repeat([]byte{6, 3, 0, 0xff, 2, 1, 8, 5}, 30))
	// One record of 32,768 attributes: distinct keys, one key repeated,
	// keys with invalid UTF-8; then a chain of maps 35 deep whose every
	// level repeats a key after the nested map.
	head := []byte{0, 0, 0, 0, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	f.Add(append(head, 0xff, 1, 'a', 0xff, 0xff, 0, 0, 0))
	f.Add(append(head, 0xff, 1, 'a', 0, 0, 0, 0, 0))
	f.Add(append(head, 0xff, 1, 0xff, 0xff, 0xff, 0, 0, 0))
	f.Add(append(head, bytes.Repeat([]byte{0xf2, 1, 'w', 0, 2, 64, 6}, 35)...))
	convs := []*Converter{
		newConverter(f, defaultOptions()),
		newConverter(f, Options{TypeAttribute: "analytics.type", BuiltinRules: true, Unmatched: "performance",
			Rules: []Rule{{Event: "my_app.tool_*", Type: "tool_use", Fields: map[string]string{"tool_name": "model", "duration_ms": "value"}},
				{SeverityMin: 13, Attributes: map[string]string{"error": "*"}, Type: "error_occurred"}}}),
		// Privacy: content by key and by prefix (also unknown keys), a user
		// id to hash, every value over 7 bytes cut.
		newConverter(f, Options{BuiltinRules: true, Unmatched: "performance", Privacy: Privacy{DropContent: true,
			ContentAttributes: []string{"model", "event.*"}, Identities: IdentitiesHash, IdentityAttributes: []string{"user.id"},
			HashKey: []byte("fuzz-key"), MaxValueBytes: 7}}),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ld := fuzzLogs(data)
		in := (&plog.ProtoMarshaler{}).LogsSize(ld)
		for _, c := range convs {
			var st Stats
			var out []byte
			checkBudget(t, in, &out, func() { out = c.AppendLogs(nil, ld, &st) })
			if st.DroppedInvalid != 0 {
				t.Fatalf("a record was dropped as invalid (a recovered panic): %+v", st)
			}
			var written int64
			for _, n := range st.Written {
				written += n
			}
			lines := bytes.Split(out, []byte("\n"))
			if len(out) > 0 && out[len(out)-1] != '\n' {
				t.Fatalf("no final newline: %q", out)
			}
			if int64(len(lines)-1) != written {
				t.Fatalf("%d lines, Written %d", len(lines)-1, written)
			}
			for _, line := range lines[:len(lines)-1] {
				if _, err := schema.CheckLine(line); err != nil {
					t.Fatalf("%v\n%q", err, line)
				}
			}
		}
	})
}

var fuzzMetricNames = []string{"gen_ai.client.token.usage", "claude_code.token.usage", "claude_code.cost.usage", "x.duration",
	"claude_code.session.count", "rpc.latency", "plain"}

// fuzzMetrics builds metrics of every kind with random points.
func fuzzMetrics(data []byte) pmetric.Metrics {
	r := &fuzzReader{b: data}
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	r.attrs(rm.Resource().Attributes(), 3, 0)
	sm := rm.ScopeMetrics().AppendEmpty()
	for metrics := 1 + r.byte()%4; metrics > 0; metrics-- {
		m := sm.Metrics().AppendEmpty()
		m.SetName(r.str(fuzzMetricNames))
		m.SetUnit([]string{"s", "ms", "", "USD", "\xff"}[r.byte()%5])
		f := func() float64 {
			return math.Float64frombits(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...)))
		}
		attrs := func(a pcommon.Map) { r.attrs(a, 6, 0) }
		switch r.byte() % 6 {
		case 0:
			p := m.SetEmptyGauge().DataPoints().AppendEmpty()
			p.SetDoubleValue(f())
			attrs(p.Attributes())
		case 1:
			p := m.SetEmptySum().DataPoints().AppendEmpty()
			p.SetIntValue(int64(r.byte()) - 100)
			attrs(p.Attributes())
		case 2:
			p := m.SetEmptyHistogram().DataPoints().AppendEmpty()
			p.SetCount(uint64(r.byte()))
			p.SetSum(f())
			p.SetMin(f())
			p.BucketCounts().FromRaw([]uint64{uint64(r.byte())})
			p.ExplicitBounds().FromRaw([]float64{f()})
			attrs(p.Attributes())
		case 3:
			p := m.SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
			p.SetCount(math.MaxUint64)
			p.SetSum(f())
			p.Positive().BucketCounts().FromRaw([]uint64{math.MaxUint64})
			attrs(p.Attributes())
		case 4:
			p := m.SetEmptySummary().DataPoints().AppendEmpty()
			p.SetSum(f())
			q := p.QuantileValues().AppendEmpty()
			q.SetQuantile(f())
			q.SetValue(f())
			attrs(p.Attributes())
		}
	}
	return md
}

// FuzzAppendMetrics: every metric kind with random values (NaN, huge
// counts) and attributes gives strict lines, never a recovered panic.
func FuzzAppendMetrics(f *testing.F) {
	f.Add([]byte{1, 0, 4, 2, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	f.Add(bytes.Repeat([]byte{3, 1, 2, 3, 4, 5, 0xff}, 20))
	// 32,768 resource attributes, and a point with 32,768 attributes whose
	// keys have invalid UTF-8 and repeat.
	f.Add([]byte{0xff, 1, 'a', 0xff, 0xff, 0, 0, 0, 0, 2, 0, 1, 0, 0xff, 1, 0xff, 0, 7, 0, 0, 0})
	c := newConverter(f, Options{TypeAttribute: "analytics.type", BuiltinRules: true, IncludeBuckets: true,
		Unmatched: "performance", Rules: []Rule{claudeUsageRule}})
	f.Fuzz(func(t *testing.T, data []byte) {
		var st Stats
		md := fuzzMetrics(data)
		var out []byte
		checkBudget(t, (&pmetric.ProtoMarshaler{}).MetricsSize(md), &out, func() { out = c.AppendMetrics(nil, md, &st) })
		if st.DroppedInvalid != int64(countEmpty(md)) {
			t.Fatalf("dropped as invalid: %d, empty metrics: %d (a recovered panic?)", st.DroppedInvalid, countEmpty(md))
		}
		for _, line := range bytes.Split(out, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			if _, err := schema.CheckLine(line); err != nil {
				t.Fatalf("%v\n%q", err, line)
			}
		}
	})
}

func countEmpty(md pmetric.Metrics) int {
	n := 0
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		if ms.At(i).Type() == pmetric.MetricTypeEmpty {
			n++
		}
	}
	return n
}

// checkBudget runs convert, which sets *out, and fails t when it took more
// CPU time than a conversion linear in the input and the output may: 50 ms
// plus 200 ns per byte (2 µs under the race detector), hundreds of times
// what the converter needs per byte (TestCostPerInputByte), so noise does
// not trip it while work that grows with the square of some count in the
// batch (32,768 attributes, say) does. convert runs on a goroutine of its
// own, so one that does not end in ten times its budget (plus 10 s for a
// busy machine) fails the input instead of hanging the fuzzer.
func checkBudget(t *testing.T, in int, out *[]byte, convert func()) {
	t.Helper()
	perByte := 200 * time.Nanosecond
	if raceEnabled {
		perByte *= 10
	}
	budget := func(bytes int) time.Duration { return 50*time.Millisecond + time.Duration(bytes)*perByte }
	done := make(chan time.Duration, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		start := threadCPU()
		convert()
		done <- threadCPU() - start
	}()
	select {
	case used := <-done:
		if b := budget(in + len(*out)); used > b {
			t.Fatalf("conversion of %d input bytes to %d output bytes took %v of CPU, over its budget of %v",
				in, len(*out), used, b)
		}
	case <-time.After(10*budget(in) + 10*time.Second):
		t.Fatalf("conversion of %d input bytes still running after %v", in, 10*budget(in)+10*time.Second)
	}
}
