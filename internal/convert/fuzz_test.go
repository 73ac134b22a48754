package convert

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

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
	out := r.b[:n]
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
		if depth < 4 {
			m := v.SetEmptyMap()
			for n := r.byte() % 4; n > 0; n-- {
				r.value(m.PutEmpty(r.str(fuzzKeys)), depth+1)
			}
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

// fuzzLogs builds a batch of log records from the fuzz input.
func fuzzLogs(data []byte) plog.Logs {
	r := &fuzzReader{b: data}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	for n := r.byte() % 4; n > 0; n-- {
		r.value(rl.Resource().Attributes().PutEmpty(r.str(fuzzKeys)), 0)
	}
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
		for n := r.byte() % 12; n > 0; n-- {
			r.value(lr.Attributes().PutEmpty(r.str(fuzzKeys)), 0)
		}
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
	convs := []*Converter{
		testConverter(f, defaultOptions()),
		testConverter(f, Options{TypeAttribute: "analytics.type", BuiltinRules: true, Unmatched: "performance",
			Rules: []Rule{{Event: "my_app.tool_*", Type: "tool_use", Fields: map[string]string{"tool_name": "model", "duration_ms": "value"}},
				{SeverityMin: 13, Attributes: map[string]string{"error": "*"}, Type: "error_occurred"}}}),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ld := fuzzLogs(data)
		for _, c := range convs {
			var st Stats
			out := c.AppendLogs(nil, ld, &st)
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
	for n := r.byte() % 3; n > 0; n-- {
		r.value(rm.Resource().Attributes().PutEmpty(r.str(fuzzKeys)), 0)
	}
	sm := rm.ScopeMetrics().AppendEmpty()
	for metrics := 1 + r.byte()%4; metrics > 0; metrics-- {
		m := sm.Metrics().AppendEmpty()
		m.SetName(r.str(fuzzMetricNames))
		m.SetUnit([]string{"s", "ms", "", "USD", "\xff"}[r.byte()%5])
		f := func() float64 {
			return math.Float64frombits(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...)))
		}
		attrs := func(a pcommon.Map) {
			for n := r.byte() % 6; n > 0; n-- {
				r.value(a.PutEmpty(r.str(fuzzKeys)), 0)
			}
		}
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
	c := testConverter(f, Options{TypeAttribute: "analytics.type", BuiltinRules: true, IncludeBuckets: true,
		Unmatched: "performance", Rules: []Rule{ClaudeCodeUsageRule}})
	f.Fuzz(func(t *testing.T, data []byte) {
		var st Stats
		md := fuzzMetrics(data)
		out := c.AppendMetrics(nil, md, &st)
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
