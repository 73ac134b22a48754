package convert

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// TestPointsWithoutValueWriteNull converts points that carry no number: a
// gauge and a histogram flagged no-recorded-value (a staleness marker), and
// a sum point with neither an int nor a double. Their numbers, and the named
// fields derived from them, are null, never a made-up 0; the other points of
// the same metric keep theirs.
func TestPointsWithoutValueWriteNull(t *testing.T) {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	noValue := pmetric.DefaultDataPointFlags.WithNoRecordedValue(true)

	g := ms.AppendEmpty()
	g.SetName("gen_ai.client.operation.duration")
	g.SetUnit("s")
	gps := g.SetEmptyGauge().DataPoints()
	gps.AppendEmpty().SetDoubleValue(2) // flagged below
	gps.At(0).SetFlags(noValue)
	gps.AppendEmpty().SetDoubleValue(0.5)

	s := ms.AppendEmpty()
	s.SetName("claude_code.token.usage")
	sps := s.SetEmptySum().DataPoints()
	sps.AppendEmpty().Attributes().PutStr("type", "input") // no value at all

	h := ms.AppendEmpty()
	h.SetName("gen_ai.client.operation.duration")
	h.SetUnit("s")
	hp := h.SetEmptyHistogram().DataPoints().AppendEmpty()
	hp.SetCount(4)
	hp.SetSum(2)
	hp.SetFlags(noValue)

	c := testConverter(t, Options{BuiltinRules: true, Rules: []Rule{claudeUsageRule}})
	var st Stats
	got := checkLines(t, c.AppendMetrics(nil, md, &st))
	if len(got) != 4 {
		t.Fatalf("%d entries, want 4 (stats %+v)", len(got), st)
	}
	want := []struct {
		typ    string
		nulls  []string
		values map[string]string
	}{
		{"performance", []string{"value", "duration_ms"}, nil},
		{"performance", nil, map[string]string{"value": "0.5", "duration_ms": "500.0"}},
		{"token_usage", []string{"value", "input_tokens"}, nil},
		{"performance", []string{"count", "sum", "min", "max", "duration_ms"}, nil},
	}
	for i, w := range want {
		e := got[i]
		if e.Type != w.typ {
			t.Errorf("entry %d: type %s, want %s", i, e.Type, w.typ)
		}
		for _, k := range w.nulls {
			if v, ok := e.Data[k]; !ok || v != nil {
				t.Errorf("entry %d: data.%s = %v (present %v), want null\n%s", i, k, v, ok, e.raw)
			}
		}
		for k, want := range w.values {
			if v := e.Data[k]; v == nil || v.(interface{ String() string }).String() != want {
				t.Errorf("entry %d: data.%s = %v, want %s\n%s", i, k, v, want, e.raw)
			}
		}
	}
}
