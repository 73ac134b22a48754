package convert

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
)

// TestCumulativeStreamsAreKeyedByResource: two senders (resources) with
// the same metric and point attributes are two streams, each counted from
// its own start; the same sender's next point counts its increment.
func TestCumulativeStreamsAreKeyedByResource(t *testing.T) {
	c := testConverter(t, Options{BuiltinRules: true, Rules: []Rule{{Metric: "app.calls", Type: "performance"}}})
	table := deltas.New(0)
	export := func(value int, resources ...string) []entry {
		md := pmetric.NewMetrics()
		for _, r := range resources {
			b := newMetrics(md, []kv{{"service.name", "app"}, {"process.pid", r}}, "s", "")
			b.sum("app.calls", "", pmetric.AggregationTemporalityCumulative, value, []kv{{"kind", "x"}})
			dp := b.sm.Metrics().At(0).Sum().DataPoints().At(0)
			dp.SetTimestamp(tEnd + pcommon.Timestamp(value)) // each export later than the last
		}
		cum := deltas.Lazy{T: table}
		var st Stats
		out := c.AppendMetricsObserved(nil, md, &st, nil, &cum)
		cum.End(true)
		return checkLines(t, out)
	}
	first := export(10, "1")
	if len(first) != 1 {
		t.Fatalf("%d entries", len(first))
	}
	wantData(t, first[0], "value", 10)
	got := export(15, "2", "1")
	if len(got) != 2 {
		t.Fatalf("%d entries", len(got))
	}
	wantData(t, got[0], "value", 15) // a new sender: its whole total
	wantData(t, got[1], "value", 5)  // the first sender: its increment
}
