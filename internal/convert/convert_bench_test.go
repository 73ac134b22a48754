package convert

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// claudeBatch returns n Claude-Code-shaped records (12-16 attributes each,
// numbers as strings), cycling through the records of the claude_code_logs
// payload; mappedOnly keeps the ones the default rules write.
func claudeBatch(n int, mappedOnly bool) plog.Logs {
	src := logPayloads()["claude_code_logs"].ResourceLogs().At(0)
	recs := src.ScopeLogs().At(0).LogRecords()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	src.Resource().CopyTo(rl.Resource())
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("com.anthropic.claude_code.events")
	skip := map[int]bool{0: true, 3: true, 12: true, 13: true} // unmatched by default
	for i := 0; sl.LogRecords().Len() < n; i++ {
		if mappedOnly && skip[i%recs.Len()] {
			continue
		}
		recs.At(i % recs.Len()).CopyTo(sl.LogRecords().AppendEmpty())
	}
	return ld
}

// BenchmarkAppendLogs converts 1,000-record batches into a reused buffer
// (the exporter's hot path without the file write).
func BenchmarkAppendLogs(b *testing.B) {
	for _, bc := range []struct {
		name   string
		mapped bool
	}{{"claude_code_1000", false}, {"claude_code_mapped_1000", true}} {
		b.Run(bc.name, func(b *testing.B) {
			const n = 1000
			ld := claudeBatch(n, bc.mapped)
			c := mustNew(b, defaultOptions())
			var st Stats
			dst := c.AppendLogs(nil, ld, &st)
			b.SetBytes(int64(len(dst)))
			benchLoop(b, n, func() { dst = c.AppendLogs(dst[:0], ld, &st) })
		})
	}
}

// BenchmarkEncodeFloor writes the same 1,000 records with no mapping at
// all: entry head, every attribute, the resource. It is the floor a
// converter on this encoder cannot go below; AppendLogs/claude_code_mapped
// over it, in the same run, is the cost of mapping and named fields.
func BenchmarkEncodeFloor(b *testing.B) {
	const n = 1000
	ld := claudeBatch(n, true)
	rl := ld.ResourceLogs().At(0)
	recs := rl.ScopeLogs().At(0).LogRecords()
	var dst []byte
	benchLoop(b, n, func() {
		dst = dst[:0]
		for i := 0; i < recs.Len(); i++ {
			lr := recs.At(i)
			dst = encode.EntryHead(dst, lr.Timestamp().AsTime(), "tool_use", ccSession, ccUser)
			dst = encode.Map(dst, lr.Attributes())
			dst = append(dst, `,"metadata":{"resource":`...)
			dst = encode.Map(dst, rl.Resource().Attributes())
			dst = append(dst, "}}\n"...)
		}
	})
}

// BenchmarkAppendMetrics converts the genai and Claude Code metric payloads
// repeated to about 1,000 data points.
func BenchmarkAppendMetrics(b *testing.B) {
	md := pmetric.NewMetrics()
	for md.DataPointCount() < 1000 {
		genaiMetrics().ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		claudeMetrics().ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	}
	n := md.DataPointCount()
	b.Run("mixed_1000", func(b *testing.B) {
		c := mustNew(b, Options{BuiltinRules: true, Rules: []Rule{claudeUsageRule}})
		var st Stats
		dst := c.AppendMetrics(nil, md, &st)
		b.SetBytes(int64(len(dst)))
		benchLoop(b, n, func() { dst = c.AppendMetrics(dst[:0], md, &st) })
	})
}

// benchLoop runs fn b.N times and reports per record: wall time, the
// process's CPU time (on a shared, oversubscribed machine the wall clock
// also counts time spent waiting for a core), and allocations.
func benchLoop(b *testing.B, records int, fn func()) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fn()
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	total := float64(b.N) * float64(records)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/total, "cpu-ns/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/record")
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
