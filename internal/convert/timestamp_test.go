package convert

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// An OTLP time is uint64 nanoseconds: one past math.MaxInt64 is written as
// the latest time Go holds (2262-04-11), not wrapped to 1969-12-31, for
// log records and data points alike.
func TestTimestampBeyondInt64(t *testing.T) {
	c := testConverter(t, defaultOptions())
	ld := logBatch(nil, "scope", toolRec())
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).SetTimestamp(math.MaxUint64)
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("gen_ai.client.operation.duration")
	m.SetUnit("s")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.Timestamp(math.MaxUint64))
	dp.SetDoubleValue(1)

	var st Stats
	out := c.AppendLogs(nil, ld, &st)
	out = c.AppendMetrics(out, md, &st)
	entries := checkLines(t, out)
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2 (stats %+v)", len(entries), st)
	}
	for _, e := range entries {
		if e.Timestamp != "2262-04-11T23:47:16.854775+00:00" {
			t.Errorf("%s entry timestamp %s, want 2262-04-11T23:47:16.854775+00:00", e.Type, e.Timestamp)
		}
	}
}
