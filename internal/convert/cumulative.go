package convert

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// cumulative reports whether a point is a running total that package
// deltas turns into increments: a monotonic cumulative sum, a cumulative
// histogram or exponential histogram, or a summary (cumulative by
// definition). A non-monotonic sum is a current value (an up-down counter)
// and is written as it came.
func cumulative(mm *metricMeta, p *point) bool {
	if p.none {
		return false
	}
	switch p.kind {
	case pmetric.MetricTypeSum:
		return mm.temporality == pmetric.AggregationTemporalityCumulative && mm.monotonic
	case pmetric.MetricTypeHistogram, pmetric.MetricTypeExponentialHistogram:
		return mm.temporality == pmetric.AggregationTemporalityCumulative
	case pmetric.MetricTypeSummary:
		return true
	}
	return false
}

// streamKey identifies the stream of a point: its resource and scope (the
// metadata tail holds both), the metric's name, unit and kind, and the
// point's attributes.
func (c *Converter) streamKey(sc *scratch, mm *metricMeta, p *point, attrs pcommon.Map) deltas.Key {
	if sc.hash == nil {
		sc.hash = deltas.NewHash()
	}
	h := sc.hash
	h.Reset()
	h.Bytes(scopeTail(sc))
	h.String(mm.m.Name())
	h.String(mm.m.Unit())
	h.Uint64(uint64(p.kind))
	sc.keyBuf = sc.keyBuf[:0]
	for k, v := range attrs.All() {
		sc.keyBuf = encode.Key(sc.keyBuf, k)
		sc.keyBuf = encode.Value(sc.keyBuf, v)
	}
	h.Bytes(sc.keyBuf)
	return h.Key()
}

// deltaPoint reads a point for package deltas; its bucket slices are
// sc's scratch, valid until the next point.
func deltaPoint(sc *scratch, p *point) deltas.Point {
	var d deltas.Point
	switch p.kind {
	case pmetric.MetricTypeSum:
		n := p.num
		d = deltas.Point{Kind: deltas.Sum, Start: uint64(n.StartTimestamp()), Time: uint64(n.Timestamp())}
		if n.ValueType() == pmetric.NumberDataPointValueTypeInt {
			d.IsInt, d.Int = true, n.IntValue()
		} else {
			d.Float = n.DoubleValue()
		}
	case pmetric.MetricTypeHistogram:
		h := p.hist
		d = deltas.Point{Kind: deltas.Histogram, Start: uint64(h.StartTimestamp()), Time: uint64(h.Timestamp()),
			Count: h.Count(), SumV: h.Sum()}
		sc.buckets = appendRaw(sc.buckets[:0], h.BucketCounts())
		d.Buckets = sc.buckets
		var layout uint64
		for _, b := range h.ExplicitBounds().All() {
			layout = layout*31 + math.Float64bits(b)
		}
		d.Layout = layout
	case pmetric.MetricTypeExponentialHistogram:
		e := p.exp
		d = deltas.Point{Kind: deltas.ExpHistogram, Start: uint64(e.StartTimestamp()), Time: uint64(e.Timestamp()),
			Count: e.Count(), SumV: e.Sum(), Zero: e.ZeroCount()}
		sc.buckets = appendRaw(sc.buckets[:0], e.Positive().BucketCounts())
		n := len(sc.buckets)
		sc.buckets = appendRaw(sc.buckets, e.Negative().BucketCounts())
		d.Buckets, d.Neg = sc.buckets[:n], sc.buckets[n:]
		d.Layout = uint64(uint32(e.Scale()))<<32 ^ uint64(uint32(e.Positive().Offset()))<<16 ^ uint64(uint32(e.Negative().Offset()))
	case pmetric.MetricTypeSummary:
		m := p.summ
		d = deltas.Point{Kind: deltas.Summary, Start: uint64(m.StartTimestamp()), Time: uint64(m.Timestamp()),
			Count: m.Count(), SumV: m.Sum()}
	}
	return d
}

func appendRaw(dst []uint64, s pcommon.UInt64Slice) []uint64 {
	for _, v := range s.All() {
		dst = append(dst, v)
	}
	return dst
}

// startOf is a point's start time.
func startOf(p *point) pcommon.Timestamp {
	switch p.kind {
	case pmetric.MetricTypeGauge, pmetric.MetricTypeSum:
		return p.num.StartTimestamp()
	case pmetric.MetricTypeHistogram:
		return p.hist.StartTimestamp()
	case pmetric.MetricTypeExponentialHistogram:
		return p.exp.StartTimestamp()
	case pmetric.MetricTypeSummary:
		return p.summ.StartTimestamp()
	}
	return 0
}
