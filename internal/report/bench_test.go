package report

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/reportgen"
)

var (
	benchOnce  sync.Once
	benchDir   string
	benchLines int
)

// BenchmarkReadGzip reads a generated month of 200 users (gzip files) on
// one worker and reports entries per second (one core).
func BenchmarkReadGzip(b *testing.B) {
	benchOnce.Do(func() {
		base, err := os.MkdirTemp("", "report-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = filepath.Join(base, "d")
		st, err := reportgen.Generate(reportgen.Config{Dirs: []string{benchDir}, Users: 200, Days: 30,
			Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Seed: 1, Compression: []string{"gzip"}})
		if err != nil {
			b.Fatal(err)
		}
		benchLines = st.Lines
	})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Read([]string{benchDir}, Options{Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
		if res.agg.counts.Entries != int64(benchLines) {
			b.Fatalf("%d entries, want %d", res.agg.counts.Entries, benchLines)
		}
	}
	b.ReportMetric(float64(benchLines)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
