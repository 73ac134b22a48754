package convert

import (
	"iter"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// appendPointValues writes a point's own numbers into data: value (sum,
// gauge) or count, sum, min, max (distributions), and with IncludeBuckets
// the buckets or quantiles.
func (c *Converter) appendPointValues(dst []byte, sc *scratch, comma bool) []byte {
	if comma {
		dst = append(dst, ',')
	}
	p := &sc.pt
	if p.none {
		if p.kind == pmetric.MetricTypeGauge || p.kind == pmetric.MetricTypeSum {
			return append(dst, `"value":null`...)
		}
		return append(dst, `"count":null,"sum":null,"min":null,"max":null`...)
	}
	if sc.hasDelta {
		return c.appendIncrement(dst, p, &sc.delta)
	}
	switch p.kind {
	case pmetric.MetricTypeGauge, pmetric.MetricTypeSum:
		dst = append(dst, `"value":`...)
		if p.num.ValueType() == pmetric.NumberDataPointValueTypeInt {
			dst = encode.Int(dst, p.num.IntValue())
		} else {
			dst = encode.Float(dst, p.num.DoubleValue())
		}
	case pmetric.MetricTypeHistogram:
		h := p.hist
		dst = appendStats(dst, h.Count(), h.Sum(), h.HasSum(), h.Min(), h.HasMin(), h.Max(), h.HasMax())
		if c.opts.IncludeBuckets {
			dst = append(dst, `,"bucket_counts":`...)
			dst = appendUints(dst, h.BucketCounts().All())
			dst = append(dst, `,"explicit_bounds":`...)
			dst = appendFloats(dst, h.ExplicitBounds())
		}
	case pmetric.MetricTypeExponentialHistogram:
		e := p.exp
		dst = appendStats(dst, e.Count(), e.Sum(), e.HasSum(), e.Min(), e.HasMin(), e.Max(), e.HasMax())
		if c.opts.IncludeBuckets {
			dst = appendExpLayout(dst, e, e.ZeroCount())
			dst = append(dst, `,"positive":`...)
			dst = appendExpBuckets(dst, e.Positive().Offset(), e.Positive().BucketCounts().All())
			dst = append(dst, `,"negative":`...)
			dst = appendExpBuckets(dst, e.Negative().Offset(), e.Negative().BucketCounts().All())
		}
	case pmetric.MetricTypeSummary:
		dst = c.appendSummary(dst, p.summ, p.summ.Count(), p.summ.Sum())
	}
	return dst
}

// appendIncrement writes the numbers of a cumulative point's increment d:
// the value, count, sum and buckets since the stream's last point. A
// distribution's min and max are those of the point when the increment is
// the whole point, else unknown (null); a summary's quantiles are written
// as they came (they describe the whole stream).
func (c *Converter) appendIncrement(dst []byte, p *point, d *deltas.Delta) []byte {
	whole := d.First || d.Reset
	switch p.kind {
	case pmetric.MetricTypeSum:
		dst = append(dst, `"value":`...)
		if d.IsInt {
			return encode.Int(dst, d.Int)
		}
		return encode.Float(dst, d.Float)
	case pmetric.MetricTypeHistogram:
		h := p.hist
		dst = appendStats(dst, d.Count, d.SumV, h.HasSum(), h.Min(), whole && h.HasMin(), h.Max(), whole && h.HasMax())
		if c.opts.IncludeBuckets {
			dst = append(dst, `,"bucket_counts":`...)
			dst = appendUints(dst, slices.All(d.Buckets))
			dst = append(dst, `,"explicit_bounds":`...)
			dst = appendFloats(dst, h.ExplicitBounds())
		}
	case pmetric.MetricTypeExponentialHistogram:
		e := p.exp
		dst = appendStats(dst, d.Count, d.SumV, e.HasSum(), e.Min(), whole && e.HasMin(), e.Max(), whole && e.HasMax())
		if c.opts.IncludeBuckets {
			dst = appendExpLayout(dst, e, d.Zero)
			dst = append(dst, `,"positive":`...)
			dst = appendExpBuckets(dst, e.Positive().Offset(), slices.All(d.Buckets))
			dst = append(dst, `,"negative":`...)
			dst = appendExpBuckets(dst, e.Negative().Offset(), slices.All(d.Neg))
		}
	case pmetric.MetricTypeSummary:
		dst = c.appendSummary(dst, p.summ, d.Count, d.SumV)
	}
	return dst
}

func appendExpLayout(dst []byte, e pmetric.ExponentialHistogramDataPoint, zero uint64) []byte {
	dst = append(dst, `,"scale":`...)
	dst = encode.Int(dst, int64(e.Scale()))
	dst = append(dst, `,"zero_count":`...)
	return appendUint(dst, zero)
}

func appendStats(dst []byte, count uint64, sum float64, hasSum bool, lo float64, hasLo bool, hi float64, hasHi bool) []byte {
	dst = append(dst, `"count":`...)
	dst = appendUint(dst, count)
	dst = append(dst, `,"sum":`...)
	dst = floatOrNull(dst, sum, hasSum)
	dst = append(dst, `,"min":`...)
	dst = floatOrNull(dst, lo, hasLo)
	dst = append(dst, `,"max":`...)
	return floatOrNull(dst, hi, hasHi)
}

// appendSummary writes count and sum, min and max from the 0 and 1
// quantiles when present, and with IncludeBuckets all quantiles.
func (c *Converter) appendSummary(dst []byte, s pmetric.SummaryDataPoint, count uint64, sum float64) []byte {
	q := s.QuantileValues()
	var lo, hi float64
	var hasLo, hasHi bool
	for i := 0; i < q.Len(); i++ {
		switch q.At(i).Quantile() {
		case 0:
			lo, hasLo = q.At(i).Value(), true
		case 1:
			hi, hasHi = q.At(i).Value(), true
		}
	}
	dst = appendStats(dst, count, sum, true, lo, hasLo, hi, hasHi)
	if !c.opts.IncludeBuckets {
		return dst
	}
	dst = append(dst, `,"quantiles":[`...)
	for i := 0; i < q.Len(); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"quantile":`...)
		dst = encode.Float(dst, q.At(i).Quantile())
		dst = append(dst, `,"value":`...)
		dst = encode.Float(dst, q.At(i).Value())
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendExpBuckets(dst []byte, offset int32, counts iter.Seq2[int, uint64]) []byte {
	dst = append(dst, `{"offset":`...)
	dst = encode.Int(dst, int64(offset))
	dst = append(dst, `,"bucket_counts":`...)
	dst = appendUints(dst, counts)
	return append(dst, '}')
}

func floatOrNull(dst []byte, f float64, ok bool) []byte {
	if !ok {
		return append(dst, "null"...)
	}
	return encode.Float(dst, f)
}

// appendUint writes a count; counts beyond int64 are written as floats.
func appendUint(dst []byte, u uint64) []byte {
	if u > 1<<63-1 {
		return encode.Float(dst, float64(u))
	}
	return encode.Int(dst, int64(u))
}

func appendUints(dst []byte, s iter.Seq2[int, uint64]) []byte {
	dst = append(dst, '[')
	first := true
	for _, v := range s {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendUint(dst, v)
	}
	return append(dst, ']')
}

func appendFloats(dst []byte, s pcommon.Float64Slice) []byte {
	dst = append(dst, '[')
	for i := 0; i < s.Len(); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = encode.Float(dst, s.At(i))
	}
	return append(dst, ']')
}
