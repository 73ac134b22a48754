//go:build reliability

package reliability

import (
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// metricCase is one hostile metrics payload.
type metricCase struct {
	name   string
	points int // data points in it
	build  func() pmetric.Metrics
}

// newMetric appends a metric to md.
func newMetric(md pmetric.Metrics, name, unit string) pmetric.Metric {
	if md.ResourceMetrics().Len() == 0 {
		md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	}
	m := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().AppendEmpty()
	m.SetName(name)
	m.SetUnit(unit)
	return m
}

// label marks a data point with its case and, unless typ is "", the type override.
func label(attrs pcommon.Map, name, typ string) {
	attrs.PutStr("rel.case", name)
	if typ != "" {
		attrs.PutStr("analytics.type", typ)
	}
}

func metricOf(name string, points int, fill func(md pmetric.Metrics)) metricCase {
	return metricCase{name: name, points: points, build: func() pmetric.Metrics {
		md := pmetric.NewMetrics()
		fill(md)
		return md
	}}
}

var now = func() pcommon.Timestamp { return pcommon.NewTimestampFromTime(time.Now()) }

// hostileMetrics are the metric cases; every data point carries rel.case.
func hostileMetrics() []metricCase {
	return []metricCase{
		metricOf("gauge_nan_inf", 6, func(md pmetric.Metrics) {
			g := newMetric(md, "rel.gauge", "ms").SetEmptyGauge()
			for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64} {
				dp := g.DataPoints().AppendEmpty()
				dp.SetTimestamp(now())
				dp.SetDoubleValue(f)
				label(dp.Attributes(), "gauge_nan_inf", "performance")
			}
			for _, i := range []int64{math.MaxInt64, math.MinInt64} {
				dp := g.DataPoints().AppendEmpty()
				dp.SetTimestamp(now())
				dp.SetIntValue(i)
				label(dp.Attributes(), "gauge_nan_inf", "performance")
			}
		}),
		metricOf("seconds_overflow", 2, func(md pmetric.Metrics) {
			// unit s is converted to ms: 1e308 s is +Inf ms.
			g := newMetric(md, "rel.op.duration", "s").SetEmptyGauge()
			for _, f := range []float64{1e308, math.NaN()} {
				dp := g.DataPoints().AppendEmpty()
				dp.SetTimestamp(now())
				dp.SetDoubleValue(f)
				label(dp.Attributes(), "seconds_overflow", "performance")
			}
		}),
		metricOf("sum_unspecified", 2, func(md pmetric.Metrics) {
			s := newMetric(md, "rel.sum", "").SetEmptySum()
			s.SetIsMonotonic(true)
			for range 2 {
				dp := s.DataPoints().AppendEmpty()
				dp.SetTimestamp(now())
				dp.SetDoubleValue(math.NaN())
				label(dp.Attributes(), "sum_unspecified", "token_usage")
			}
		}),
		metricOf("histogram_bad", 3, func(md pmetric.Metrics) {
			h := newMetric(md, "rel.latency", "ms").SetEmptyHistogram()
			h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			a := h.DataPoints().AppendEmpty() // bounds and counts disagree, mean 0/0
			a.SetTimestamp(now())
			a.ExplicitBounds().FromRaw([]float64{1, 2, 3})
			a.BucketCounts().FromRaw([]uint64{1})
			a.SetSum(math.NaN())
			label(a.Attributes(), "histogram_bad", "performance")
			b := h.DataPoints().AppendEmpty() // more counts than bounds+1, Inf sum and min/max
			b.SetTimestamp(now())
			b.SetCount(math.MaxUint64)
			b.SetSum(math.Inf(1))
			b.SetMin(math.Inf(-1))
			b.SetMax(math.NaN())
			b.ExplicitBounds().FromRaw([]float64{math.NaN()})
			b.BucketCounts().FromRaw([]uint64{1, 2, 3, 4, 5})
			label(b.Attributes(), "histogram_bad", "performance")
			c := h.DataPoints().AppendEmpty() // nothing set at all
			label(c.Attributes(), "histogram_bad", "")
		}),
		metricOf("exp_histogram", 2, func(md pmetric.Metrics) {
			e := newMetric(md, "rel.exp.latency", "ms").SetEmptyExponentialHistogram()
			a := e.DataPoints().AppendEmpty()
			a.SetTimestamp(now())
			a.SetScale(20)
			a.Positive().SetOffset(math.MinInt32)
			a.Positive().BucketCounts().FromRaw([]uint64{1, math.MaxUint64})
			a.Negative().SetOffset(math.MaxInt32)
			a.Negative().BucketCounts().FromRaw([]uint64{3})
			a.SetSum(math.NaN())
			label(a.Attributes(), "exp_histogram", "performance")
			b := e.DataPoints().AppendEmpty()
			b.SetScale(-100)
			label(b.Attributes(), "exp_histogram", "performance")
		}),
		metricOf("summary", 2, func(md pmetric.Metrics) {
			s := newMetric(md, "rel.summary", "ms").SetEmptySummary()
			a := s.DataPoints().AppendEmpty()
			a.SetTimestamp(now())
			q := a.QuantileValues().AppendEmpty()
			q.SetQuantile(math.NaN())
			q.SetValue(math.Inf(1))
			a.SetSum(math.NaN())
			label(a.Attributes(), "summary", "performance")
			b := s.DataPoints().AppendEmpty()
			label(b.Attributes(), "summary", "performance")
		}),
		metricOf("names", 2, func(md pmetric.Metrics) {
			for _, n := range []string{"", "rel.\xff\n"} {
				g := newMetric(md, n, "\xfe").SetEmptyGauge()
				dp := g.DataPoints().AppendEmpty()
				dp.SetTimestamp(now())
				dp.SetIntValue(1)
				label(dp.Attributes(), "names", "performance")
			}
		}),
		metricOf("metric_timestamps", 3, func(md pmetric.Metrics) {
			g := newMetric(md, "rel.ts", "ms").SetEmptyGauge()
			for _, ts := range []pcommon.Timestamp{0, math.MaxInt64, math.MaxUint64} {
				dp := g.DataPoints().AppendEmpty()
				dp.SetTimestamp(ts)
				dp.SetStartTimestamp(math.MaxUint64)
				dp.SetDoubleValue(1)
				label(dp.Attributes(), "metric_timestamps", "performance")
			}
		}),
		metricOf("no_recorded_value", 1, func(md pmetric.Metrics) {
			g := newMetric(md, "rel.norec", "ms").SetEmptyGauge()
			dp := g.DataPoints().AppendEmpty()
			dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
			label(dp.Attributes(), "no_recorded_value", "performance")
		}),
		metricOf("unmatched_metric", 3, func(md pmetric.Metrics) {
			s := newMetric(md, "rel.unmatched.counter", "").SetEmptySum()
			for range 3 {
				label(s.DataPoints().AppendEmpty().Attributes(), "unmatched_metric", "")
			}
		}),
	}
}

// emptyMetric is a metric with no data type at all (and so no data point).
func emptyMetric() pmetric.Metrics {
	md := pmetric.NewMetrics()
	newMetric(md, "rel.empty", "ms")
	return md
}
