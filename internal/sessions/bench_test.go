package sessions

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. Reported per op next to
// ns/op, it stays meaningful on a machine shared with other work.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per op since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func benchEntry(id string) *Entry {
	return &Entry{Type: "token_usage", Time: t0, SessionID: id, UserID: "user-1",
		Model: "claude-opus", InputTokens: 1200, OutputTokens: 300, CostUSD: 0.01}
}

// BenchmarkObserve is the hot path: an entry of a known session.
func BenchmarkObserve(b *testing.B) {
	tr := New(Options{Now: func() time.Time { return t0 }})
	e := benchEntry("3f2b8c1e-6d4a-4b7e-9c1a-2e5f7a9b0c3d")
	tr.Observe(nil, e)
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		tr.Observe(nil, e)
	}
	reportCPU(b, cpu)
}

// BenchmarkObserveParallel spreads known sessions over all Ps (sharded
// tracker), the exporter's case with several consumers.
func BenchmarkObserveParallel(b *testing.B) {
	tr := New(Options{MaxTracked: 100000})
	es := make([]*Entry, 1024)
	for i := range es {
		es[i] = benchEntry("session-" + strconv.Itoa(i))
		tr.Observe(nil, es[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			tr.Observe(nil, es[i&1023])
			i++
		}
	})
	reportCPU(b, cpu)
}

// BenchmarkObserveNewSession opens a span per entry on a full tracker: a
// session_start line, and a max_tracked session_end for the evicted span.
func BenchmarkObserveNewSession(b *testing.B) {
	tr := New(Options{MaxTracked: 1000, Now: func() time.Time { return t0 }})
	ids := make([]string, 100000)
	for i := range ids {
		ids[i] = "session-" + strconv.Itoa(i)
	}
	e := benchEntry("")
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	cpu := cpuTime(b)
	i := 0
	for b.Loop() {
		e.SessionID = ids[i%len(ids)]
		buf, _ = tr.Observe(buf[:0], e)
		i++
	}
	reportCPU(b, cpu)
}

// BenchmarkPersist10k is one snapshot of 10,000 open spans.
func BenchmarkPersist10k(b *testing.B) {
	store := newMapStore()
	tr := New(Options{MaxTracked: 10000, Store: store})
	for i := range 10000 {
		tr.Observe(nil, benchEntry("3f2b8c1e-6d4a-4b7e-9c1a-"+strconv.Itoa(100000000000+i)))
	}
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		tr.persistMu.Lock()
		tr.force = true
		tr.persistMu.Unlock()
		if err := tr.Persist(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkRecord is Observe through the outbox (the converter callback
// path) for a known session.
func BenchmarkRecord(b *testing.B) {
	tr := New(Options{Now: func() time.Time { return t0 }})
	e := benchEntry("3f2b8c1e-6d4a-4b7e-9c1a-2e5f7a9b0c3d")
	tr.Record(e)
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		tr.Record(e)
	}
	reportCPU(b, cpu)
}
