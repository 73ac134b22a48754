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

// BenchmarkBatchParallel commits batches of 100 entries of known sessions
// from all Ps (sharded tracker), the exporter's case with several
// consumers. Reported per entry.
func BenchmarkBatchParallel(b *testing.B) {
	tr := New(Options{MaxTracked: 100000})
	es := make([]*Entry, 1024)
	for i := range es {
		es[i] = benchEntry("session-" + strconv.Itoa(i))
		observeOne(tr, nil, es[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		var batch Batch
		i := 0
		for pb.Next() {
			tr.Add(&batch, es[i&1023])
			if i++; i%100 == 0 {
				tr.Commit(nil, &batch)
				batch.Reset()
			}
		}
	})
	reportCPU(b, cpu)
}

// BenchmarkNewSession opens a span per entry (a batch of one) on a full
// tracker: a session_start line, and a max_tracked session_end for the
// evicted span.
func BenchmarkNewSession(b *testing.B) {
	tr := New(Options{MaxTracked: 1000, Now: func() time.Time { return t0 }})
	ids := make([]string, 100000)
	for i := range ids {
		ids[i] = "session-" + strconv.Itoa(i)
	}
	e := benchEntry("")
	buf := make([]byte, 0, 4096)
	var batch Batch
	b.ReportAllocs()
	cpu := cpuTime(b)
	i := 0
	for b.Loop() {
		e.SessionID = ids[i%len(ids)]
		batch.Reset()
		tr.Add(&batch, e)
		buf = tr.Commit(buf[:0], &batch)
		i++
	}
	reportCPU(b, cpu)
}

// BenchmarkPersist10k is one snapshot of 10,000 open spans.
func BenchmarkPersist10k(b *testing.B) {
	store := newMapStore()
	tr := New(Options{MaxTracked: 10000, Store: store})
	for i := range 10000 {
		observeOne(tr, nil, benchEntry("3f2b8c1e-6d4a-4b7e-9c1a-"+strconv.Itoa(100000000000+i)))
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

// BenchmarkBatch is the exporter's use for one export of 1,000 entries over
// 10 known sessions whose model changes from one record to the next: Add
// every entry while the batch is converted, then one Commit once it is
// written (the clock read once, each shard locked once).
func BenchmarkBatch(b *testing.B) {
	tr := New(Options{Now: func() time.Time { return t0 }})
	es := claudeBatch(1000, 10)
	var batch Batch
	for i := range es {
		tr.Add(&batch, &es[i])
	}
	tr.Commit(nil, &batch)
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		batch.Reset()
		for i := range es {
			tr.Add(&batch, &es[i])
		}
		tr.Commit(nil, &batch)
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(es)), "ns/record")
}
