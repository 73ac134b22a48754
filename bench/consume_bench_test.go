package bench

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter"
	"github.com/analyticsexporter/analyticsexporter/bench/gen"
)

// batchRecords is the batch size the performance targets are stated for:
// 1,000 records per ConsumeLogs.
const batchRecords = 1000

// subject is one exporter under test with the config a user would write.
type subject struct {
	name    string
	factory exporter.Factory
	config  func(dir string) map[string]any
}

// subjects are compared on the same batches. Both write uncompressed files
// into a fresh temp dir; each keeps its default rotation (analytics: 100 MB x
// 10 files; file: no rotation, one growing file, buffered and flushed every
// second), as a user who only sets the output path would run them.
var subjects = []subject{
	{"analytics", analyticsexporter.NewFactory(), func(dir string) map[string]any {
		return map[string]any{"directory": dir, "compression": "none"}
	}},
	{"file", fileexporter.NewFactory(), func(dir string) map[string]any {
		return map[string]any{"path": dir + "/out.json"}
	}},
}

// BenchmarkConsumeLogs feeds one 1,000-record batch per op through
// ConsumeLogs. Beside ns/op it reports per-record figures (ns/record,
// allocs/record) and records/cpu-s: records divided by the process's user+sys
// CPU time over the loop, so background goroutines (GC, flushers, rotation)
// count too. Compare the two sub-benchmarks with
// `benchstat -col /exporter`.
func BenchmarkConsumeLogs(b *testing.B) {
	ld := gen.ClaudeCodeLogs(batchRecords, 10)
	for _, s := range subjects {
		b.Run("exporter="+s.name, func(b *testing.B) {
			exp := startExporter(b, s, b.TempDir())
			consume(b, exp, ld)
		})
	}
}

func startExporter(tb testing.TB, s subject, dir string) exporter.Logs {
	tb.Helper()
	cfg := s.factory.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(s.config(dir)).Unmarshal(cfg); err != nil {
		tb.Fatalf("%s config: %v", s.name, err)
	}
	if err := confmap.Validate(cfg); err != nil {
		tb.Fatalf("%s config: %v", s.name, err)
	}
	ctx := context.Background()
	exp, err := s.factory.CreateLogs(ctx, exportertest.NewNopSettings(s.factory.Type()), cfg)
	if err != nil {
		tb.Fatalf("%s: create: %v", s.name, err)
	}
	if err := exp.Start(ctx, componenttest.NewNopHost()); err != nil {
		tb.Fatalf("%s: start: %v", s.name, err)
	}
	tb.Cleanup(func() {
		if err := exp.Shutdown(context.Background()); err != nil {
			tb.Errorf("%s: shutdown: %v", s.name, err)
		}
	})
	return exp
}

// consume runs the measured loop and reports the per-record metrics.
func consume(b *testing.B, exp exporter.Logs, ld plog.Logs) {
	ctx := context.Background()
	if err := exp.ConsumeLogs(ctx, ld); err != nil { // open files, fill pools
		b.Fatal(err)
	}
	m := startMeter(b)
	for b.Loop() {
		if err := exp.ConsumeLogs(ctx, ld); err != nil {
			b.Fatal(err)
		}
	}
	m.report(b, ld.LogRecordCount())
}

// meter measures a benchmark loop: allocations and the process's CPU time.
type meter struct {
	mem runtime.MemStats
	cpu time.Duration
}

func startMeter(b *testing.B) *meter {
	m := &meter{}
	runtime.GC()
	runtime.ReadMemStats(&m.mem)
	m.cpu = cpuTime(b)
	b.ReportAllocs()
	b.ResetTimer()
	return m
}

// report adds the per-record metrics for a loop of b.N ops of records each.
func (m *meter) report(b *testing.B, records int) {
	b.StopTimer()
	cpu := cpuTime(b) - m.cpu
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	total := float64(b.N * records)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/record")
	b.ReportMetric(float64(end.Mallocs-m.mem.Mallocs)/total, "allocs/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/total, "cpu-ns/record")
	b.ReportMetric(total/cpu.Seconds(), "records/cpu-s")
}

// cpuTime is the user+system CPU time this process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var _ component.Config = (*analyticsexporter.Config)(nil)
