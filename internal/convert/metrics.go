package convert

import (
	"strings"

	"github.com/analyticsexporter/analyticsexporter/internal/deltas"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// point is the data point being converted, whatever its kind.
type point struct {
	kind pmetric.MetricType
	// none: the point has no numbers (flagged no-recorded-value, as a
	// staleness marker is, or a number point with neither an int nor a
	// double); they are written as null, never as a made-up 0.
	none bool
	num  pmetric.NumberDataPoint
	hist pmetric.HistogramDataPoint
	exp  pmetric.ExponentialHistogramDataPoint
	summ pmetric.SummaryDataPoint
}

// metricMeta is the per-metric part of the metadata.
type metricMeta struct {
	m           pmetric.Metric
	temporality pmetric.AggregationTemporality
	monotonic   bool
	hasTemp     bool
}

// AppendMetrics appends one line per converted metric data point to dst. A
// metric with no data kind (empty) is counted in DroppedInvalid.
// Cumulative points are written as they came.
func (c *Converter) AppendMetrics(dst []byte, md pmetric.Metrics, st *Stats) []byte {
	return c.AppendMetricsObserved(dst, md, st, nil, nil)
}

// AppendMetricsObserved is AppendMetrics with a per-call Observer (nil =
// none), as AppendLogsObserved, and with cum (nil = none) turning
// cumulative points into the increments since their stream's last point:
// a point that adds nothing writes nothing (Stats.DroppedUnchanged).
func (c *Converter) AppendMetricsObserved(dst []byte, md pmetric.Metrics, st *Stats, obs Observer, cum *deltas.Lazy) []byte {
	return c.AppendMetricsJoined(dst, md, st, obs, cum, nil)
}

// AppendMetricsJoined is AppendMetricsObserved with a per-call JoinBatch of
// the exporter's JoinStore (nil = none): a gen_ai.client metric point of a
// service whose inference spans were written is ignored, and one of a
// service whose spans were not (yet) is held for them.
func (c *Converter) AppendMetricsJoined(dst []byte, md pmetric.Metrics, st *Stats, obs Observer, cum *deltas.Lazy, jb *JoinBatch) []byte {
	sc := c.pool.get()
	defer c.pool.put(sc)
	sc.observe(obs)
	sc.cum = cum
	sc.jb = jb
	n, start := md.DataPointCount(), len(dst)
	dst = c.metSize.reserve(dst, n)
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		c.loadResource(sc, rm.Resource())
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			c.loadScope(sc, sm.Scope())
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				dst = c.appendMetric(dst, sc, ms.At(k), st)
			}
		}
	}
	c.metSize.learn(len(dst)-start, n)
	return dst
}

// appendMetric writes one entry per data point of m.
func (c *Converter) appendMetric(dst []byte, sc *scratch, m pmetric.Metric, st *Stats) []byte {
	mm := metricMeta{m: m}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p := point{kind: pmetric.MetricTypeGauge, num: dps.At(i), none: noNumber(dps.At(i))}
			dst = c.appendPoint(dst, sc, &mm, &p, dps.At(i).Attributes(), dps.At(i).Timestamp(), st)
		}
	case pmetric.MetricTypeSum:
		mm.temporality, mm.monotonic, mm.hasTemp = m.Sum().AggregationTemporality(), m.Sum().IsMonotonic(), true
		dps := m.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p := point{kind: pmetric.MetricTypeSum, num: dps.At(i), none: noNumber(dps.At(i))}
			dst = c.appendPoint(dst, sc, &mm, &p, dps.At(i).Attributes(), dps.At(i).Timestamp(), st)
		}
	case pmetric.MetricTypeHistogram:
		mm.temporality, mm.hasTemp = m.Histogram().AggregationTemporality(), true
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p := point{kind: pmetric.MetricTypeHistogram, hist: dps.At(i), none: dps.At(i).Flags().NoRecordedValue()}
			dst = c.appendPoint(dst, sc, &mm, &p, dps.At(i).Attributes(), dps.At(i).Timestamp(), st)
		}
	case pmetric.MetricTypeExponentialHistogram:
		mm.temporality, mm.hasTemp = m.ExponentialHistogram().AggregationTemporality(), true
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p := point{kind: pmetric.MetricTypeExponentialHistogram, exp: dps.At(i), none: dps.At(i).Flags().NoRecordedValue()}
			dst = c.appendPoint(dst, sc, &mm, &p, dps.At(i).Attributes(), dps.At(i).Timestamp(), st)
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			p := point{kind: pmetric.MetricTypeSummary, summ: dps.At(i), none: dps.At(i).Flags().NoRecordedValue()}
			dst = c.appendPoint(dst, sc, &mm, &p, dps.At(i).Attributes(), dps.At(i).Timestamp(), st)
		}
	default:
		st.DroppedInvalid++
	}
	return dst
}

// appendPoint converts one data point (see appendLog for the recover).
func (c *Converter) appendPoint(dst []byte, sc *scratch, mm *metricMeta, p *point, attrs pcommon.Map, ts pcommon.Timestamp, st *Stats) (out []byte) {
	start := len(dst)
	defer func() {
		if r := recover(); r != nil {
			out = dst[:start]
			st.DroppedInvalid++
		}
	}()
	a := sc.rec
	a.load(attrs)
	name, unit := mm.m.Name(), mm.m.Unit()
	sc.met = mapping.Metric{Name: name, Unit: unit, Distribution: p.kind != pmetric.MetricTypeSum, Attrs: a, Resource: sc.res}
	res := c.resolver.ResolveMetric(&sc.met)
	st.InvalidOverride += int64(res.InvalidOverride)
	// The interval the point covers, for the session's time span: a
	// cumulative point counted from an earlier one covers only its time.
	pointStart := startOf(p)
	sc.hasDelta = false
	if sc.cum != nil && cumulative(mm, p) && (res.Type >= 0 || c.hasSession(sc)) {
		dp := deltaPoint(sc, p)
		sc.delta = sc.cum.Delta(c.streamKey(sc, mm, p, attrs), &dp)
		if sc.delta.Skip {
			st.DroppedUnchanged++
			return dst
		}
		sc.hasDelta = true
		if !sc.delta.First && !sc.delta.Reset {
			pointStart = 0
		}
	}
	svc, hold := c.yieldToSpans(sc, &res)
	if res.Type < 0 {
		countDropped(st, res.Type)
		c.observeRecord(sc, ts, pointStart, false)
		return dst
	}
	c.consumeOverride(sc, res)
	sc.ctx = recordCtx{metric: true, name: name, unit: unit}
	sc.pt = *p
	c.pointNumbers(sc, p)
	if res.Type == mapping.TokenUsage {
		c.tokenTarget(sc)
	}
	dst = c.appendHead(dst, sc, res.Type, ts)
	if sc.observing && pointStart != 0 {
		sc.info.Start = c.recordTime(pointStart)
	}
	dst = c.appendData(dst, sc, c.planFor(res), st)
	dst = append(dst, `,"metadata":{"signal":"metric","metric_name":`...)
	dst = encode.String(dst, name)
	dst = append(dst, `,"kind":`...)
	dst = encode.String(dst, kindNames[p.kind])
	dst = append(dst, `,"unit":`...)
	dst = encode.String(dst, unit)
	if sc.hasDelta {
		// The numbers in data are the increment since the stream's last
		// point.
		dst = append(dst, `,"temporality":"delta","converted_from":"cumulative"`...)
		if p.kind == pmetric.MetricTypeSum {
			dst = append(dst, `,"monotonic":true`...)
		}
	} else if mm.hasTemp {
		dst = append(dst, `,"temporality":`...)
		dst = encode.String(dst, temporalityNames[mm.temporality])
		if p.kind == pmetric.MetricTypeSum {
			dst = append(dst, `,"monotonic":`...)
			dst = encode.Bool(dst, mm.monotonic)
		}
	}
	dst = append(dst, ',')
	dst = append(dst, scopeTail(sc)...)
	dst = append(dst, '}', '\n')
	if hold {
		c.holdEntry(sc, dst[start:], res.Type, waitService, "", pcommon.TraceID{}, svc)
		return dst[:start]
	}
	if !c.written(sc, res.Type, st) {
		return dst[:start]
	}
	return dst
}

// hasSession reports whether the current record or its resource has a
// session id.
func (c *Converter) hasSession(sc *scratch) bool {
	if sc.resSID != "" {
		return true
	}
	_, ok := c.firstID(sc.rec, c.ids.session)
	return ok
}

var kindNames = map[pmetric.MetricType]string{
	pmetric.MetricTypeGauge: "gauge", pmetric.MetricTypeSum: "sum", pmetric.MetricTypeHistogram: "histogram",
	pmetric.MetricTypeExponentialHistogram: "exponential_histogram", pmetric.MetricTypeSummary: "summary",
}

var temporalityNames = map[pmetric.AggregationTemporality]string{
	pmetric.AggregationTemporalityUnspecified: "unspecified",
	pmetric.AggregationTemporalityDelta:       "delta",
	pmetric.AggregationTemporalityCumulative:  "cumulative",
}

// pointNumbers sets the value (sum for distributions) and the mean, of
// the point or of its increment.
func (c *Converter) pointNumbers(sc *scratch, p *point) {
	ctx := &sc.ctx
	if p.none {
		return
	}
	if sc.hasDelta {
		d := &sc.delta
		if p.kind == pmetric.MetricTypeSum {
			ctx.hasValue, ctx.value = true, d.Float
			if d.IsInt {
				ctx.value = float64(d.Int)
			}
			return
		}
		if d.Count > 0 && pointHasSum(p) {
			ctx.hasValue, ctx.value = true, d.SumV
			ctx.hasMean, ctx.mean = true, d.SumV/float64(d.Count)
		}
		return
	}
	var count uint64
	var sum float64
	hasSum := true
	switch p.kind {
	case pmetric.MetricTypeGauge, pmetric.MetricTypeSum:
		ctx.hasValue, ctx.value = true, numberValue(p.num)
		return
	case pmetric.MetricTypeHistogram:
		count, sum, hasSum = p.hist.Count(), p.hist.Sum(), p.hist.HasSum()
	case pmetric.MetricTypeExponentialHistogram:
		count, sum, hasSum = p.exp.Count(), p.exp.Sum(), p.exp.HasSum()
	case pmetric.MetricTypeSummary:
		count, sum = p.summ.Count(), p.summ.Sum()
	}
	if hasSum {
		ctx.hasValue, ctx.value = true, sum
		if count > 0 {
			ctx.hasMean, ctx.mean = true, sum/float64(count)
		}
	}
}

// noNumber reports a number point without a value: flagged, or with
// neither an int nor a double.
func noNumber(dp pmetric.NumberDataPoint) bool {
	return dp.Flags().NoRecordedValue() || dp.ValueType() == pmetric.NumberDataPointValueTypeEmpty
}

func numberValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

// tokenTarget decides which token_usage field a token or cost metric
// point's value fills: by gen_ai.token.type (or Claude Code's type), or
// cost_usd for a cost metric.
func (c *Converter) tokenTarget(sc *scratch) {
	ctx := &sc.ctx
	if strings.HasSuffix(ctx.name, "cost.usage") || ctx.unit == "USD" {
		ctx.isCost = true
		return
	}
	for _, id := range c.special.tokenType {
		if i := sc.rec.find(id); i >= 0 && sc.rec.val(i).Type() == pcommon.ValueTypeStr {
			ctx.tokenField = tokenTypes[sc.rec.val(i).Str()]
			return
		}
	}
}

// pointHasSum reports whether a distribution point has a sum.
func pointHasSum(p *point) bool {
	switch p.kind {
	case pmetric.MetricTypeHistogram:
		return p.hist.HasSum()
	case pmetric.MetricTypeExponentialHistogram:
		return p.exp.HasSum()
	}
	return p.kind == pmetric.MetricTypeSummary
}
