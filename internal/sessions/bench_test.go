package sessions

import (
	"context"
	"strconv"
	"strings"
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

// claudeBatch is a batch shaped like bench/gen.ClaudeCodeLogs(n, sessions):
// record i belongs to session i%sessions; even records are token_usage
// entries whose model cycles over three (Claude Code's main and small
// models), odd ones tool_use entries without a model. Every string is a
// fresh copy, as strings decoded from OTLP are.
func claudeBatch(n, sessions int) []Entry {
	models := [...]string{"claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"}
	es := make([]Entry, n)
	for i := range es {
		e := &es[i]
		e.Time = t0.Add(time.Duration(i) * time.Millisecond)
		e.SessionID = strings.Clone("3f2b8c1e-6d4a-4b7e-9c1a-00000000" + strconv.Itoa(1000+i%sessions))
		e.UserID = strings.Clone("9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c")
		e.ProjectPath = strings.Clone("/home/dev/app")
		if i%2 == 0 {
			e.Type = typeTokenUsage
			e.Model = strings.Clone(models[i%len(models)])
			e.InputTokens, e.OutputTokens, e.CostUSD = 1200, 300, 0.01
		} else {
			e.Type = typeToolUse
		}
	}
	return es
}

// BenchmarkObserveAlternatingModels observes batches of 1,000 entries over
// 10 known sessions whose model changes from one record to the next. Reported
// per record.
func BenchmarkObserveAlternatingModels(b *testing.B) {
	tr := New(Options{Now: func() time.Time { return t0 }})
	es := claudeBatch(1000, 10)
	for i := range es {
		tr.Observe(nil, &es[i])
	}
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		for i := range es {
			tr.Observe(nil, &es[i])
		}
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(es)), "ns/record")
}

// BenchmarkBatch is the exporter's use for one export of 1,000 entries over
// 10 known sessions. path=add_commit is the exporter's path: Add every entry
// while the batch is converted, then one Commit once it is written (the
// clock read once, each shard locked once). path=keep_observe is the path it
// replaced, Keep per entry and then Observe per entry, kept for comparison.
func BenchmarkBatch(b *testing.B) {
	for _, path := range []struct {
		name string
		run  func(tr *Tracker, batch *Batch, es []Entry)
	}{
		{"add_commit", func(tr *Tracker, batch *Batch, es []Entry) {
			for i := range es {
				tr.Add(batch, &es[i])
			}
			tr.Commit(nil, batch)
		}},
		{"keep_observe", func(tr *Tracker, batch *Batch, es []Entry) {
			for i := range es {
				tr.Keep(batch, &es[i])
			}
			for i := range es {
				tr.Observe(nil, &es[i])
			}
		}},
	} {
		b.Run("path="+path.name, func(b *testing.B) {
			tr := New(Options{Now: func() time.Time { return t0 }})
			es := claudeBatch(1000, 10)
			for i := range es {
				tr.Observe(nil, &es[i])
			}
			var batch Batch
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				batch.Reset()
				path.run(tr, &batch, es)
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(es)), "ns/record")
		})
	}
}
