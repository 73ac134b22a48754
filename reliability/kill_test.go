//go:build reliability

package reliability

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// seedFromEnv returns $RELIABILITY_SEED or a fresh seed; the test prints it
// so a failing run can be replayed.
func seedFromEnv() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("RELIABILITY_SEED"), 10, 64); err == nil {
		return s
	}
	return uint64(time.Now().UnixNano())
}

// intFromEnv returns the integer in $name, or def.
func intFromEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// waitRecovered polls base until a restarted sink has finished what a crash
// left: no temporary file and no rotated plain file waiting for compression.
func waitRecovered(t testing.TB, base string, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		d := scanDir(t, base)
		if len(d.tmp) == 0 && d.plainRotated() == 0 {
			return time.Since(start)
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("not recovered within %v: tmp=%v plain rotated=%d (plain %v)", timeout, d.tmp, d.plainRotated(), d.plain)
		}
	}
}

// tornTails counts plain files whose last byte is not a newline.
func tornTails(t testing.TB, base string, plain []string) int {
	t.Helper()
	n := 0
	for _, name := range plain {
		f, err := os.Open(filepath.Join(base, "metrics", name))
		if err != nil {
			continue // compressed and removed meanwhile
		}
		var last [1]byte
		if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
			if _, err := f.ReadAt(last[:], fi.Size()-1); err == nil && last[0] != '\n' {
				n++
			}
		}
		_ = f.Close()
	}
	return n
}

// plantTornTail appends half an entry (no newline) to a plain data file.
func plantTornTail(t testing.TB, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("tear %s: %v", path, err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.WriteString(`{"id":"00000000-0000-4000-8000-000000000000","timestamp":"2026-`); err != nil {
		t.Fatal(err)
	}
}

// TestKill9UnderLoad kills the Collector with SIGKILL at random moments
// while two OTLP senders (one of log records, one of gauge points, so the
// logs and metrics pipelines share the sink) push numbered entries into
// 64 KiB rotated files,
// restarts it, and checks that every acknowledged record is on disk, every
// line is a valid entry and no temporary file survives a restart. The gzip
// run is the main one; zstd with fsync on covers the other recovery decoder
// and the fsync path with fewer rounds.
func TestKill9UnderLoad(t *testing.T) {
	rounds := intFromEnv("RELIABILITY_KILL_ROUNDS", pick(25, 10))
	t.Run("gzip", func(t *testing.T) { killUnderLoad(t, "gzip", false, rounds) })
	t.Run("zstd_fsync", func(t *testing.T) { killUnderLoad(t, "zstd", true, max(rounds*2/5, 4)) })
}

// killStats counts where the kills of one run landed.
type killStats struct {
	midCompression, tmpAtKill, plainAtKill, tornAtKill int
	planted, duringRecovery, duringShutdown            int
	maxRecover                                         time.Duration
}

// killRun is the state of one kill -9 run.
type killRun struct {
	t    *testing.T
	spec configSpec
	base string
	l    *ledger
	rng  *rand.Rand
	ks   killStats
}

func killUnderLoad(t *testing.T, compression string, fsync bool, rounds int) {
	seed := seedFromEnv()
	base := filepath.Join(t.TempDir(), "out")
	ec := analyticsExporter(base)
	ec["compression"], ec["fsync"] = compression, fsync
	// Sender 2 sends gauge points: logs and metrics pipelines share the sink.
	l := newLedger(20, 300)
	l.metricsEvery = 2
	k := &killRun{t: t, spec: singleExporter(ec, true), base: base, l: l,
		rng: rand.New(rand.NewPCG(seed, seed>>1|1))}
	for round := range rounds {
		k.round(round)
	}
	k.verify(rounds, seed)
}

// round starts the Collector, loads it with two senders and kills it at a
// random moment: every fourth round while recovery is still compressing
// what the last kill left, every fifth during a SIGTERM shutdown, every
// third followed by a torn tail planted in the live file.
func (k *killRun) round(round int) {
	t := k.t
	c := launch(t, k.spec)
	if round%4 == 3 {
		k.ks.duringRecovery++
	} else if rec := waitRecovered(t, k.base, 30*time.Second); rec > k.ks.maxRecover {
		k.ks.maxRecover = rec
	}
	client := dial(t, c.ports.grpc)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for s := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.l.run(ctx, client, s+1, 0)
		}()
	}
	defer wg.Wait()
	defer cancel()
	// Kill only under load: after this round's first acknowledgement, at a
	// random moment within the next 300 ms.
	if !k.l.waitAcked(k.l.ackedCount.Load()+1, 30*time.Second) {
		t.Fatalf("round %d: no export acknowledged within 30s\n%s", round, c.Tail(4000))
	}
	timer := time.NewTimer(time.Duration(k.rng.Int64N(int64(300 * time.Millisecond))))
	<-timer.C
	if round%5 == 4 {
		// A supervisor's stop timeout: SIGTERM, then SIGKILL while the
		// Collector is shutting down (draining compression).
		_ = c.Signal(syscall.SIGTERM)
		timer.Reset(time.Duration(k.rng.Int64N(int64(200 * time.Millisecond))))
		<-timer.C
		k.ks.duringShutdown++
	}
	c.kill()
	k.afterKill(round)
}

// afterKill notes what the kill interrupted (torn tails included: the kernel
// can stop a large write(2) between pages when SIGKILL arrives) and, every
// third round, tears the live file by hand so recovery's cut is exercised
// through the binary in every run, not only when a kill happens to tear.
func (k *killRun) afterKill(round int) {
	snap := scanDir(k.t, k.base)
	k.ks.tornAtKill += tornTails(k.t, k.base, snap.plain)
	if round%3 == 0 && len(snap.plain) > 0 {
		plantTornTail(k.t, filepath.Join(k.base, "metrics", snap.plain[len(snap.plain)-1]))
		k.ks.planted++
	}
	k.ks.tmpAtKill += len(snap.tmp)
	k.ks.plainAtKill += snap.plainRotated()
	if len(snap.tmp) > 0 || snap.plainRotated() > 0 {
		k.ks.midCompression++
	}
}

// verify makes a last clean start (recovery, then every batch cut off by a
// kill is sent again, as an OTLP client retries), stops the Collector and
// checks the directory against the ledger.
func (k *killRun) verify(rounds int, seed uint64) {
	t := k.t
	c := launch(t, k.spec)
	lastRecovery := waitRecovered(t, k.base, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := k.l.drain(ctx, dial(t, c.ports.grpc)); err != nil {
		t.Fatalf("resending cut-off batches: %v", err)
	}
	c.stop()

	d := scanDir(t, k.base)
	ro := readBack(t, k.base)
	v := k.l.judge(ro.seqCount)
	rep := checkWithSchemaDir(t, k.base)
	readerLines, readerBad := countWithSinkReader(t, k.base)
	seedResult := seedcheck(t, k.base)
	ks := k.ks
	figure(t, "rounds=%d seed=%d kills_during_rotation_or_compression=%d (tmp files at kill=%d, rotated plain files at kill=%d, torn tails at kill=%d, torn tails planted=%d, rounds killed during recovery=%d, during shutdown=%d) max_recovery=%v last_recovery=%v",
		rounds, seed, ks.midCompression, ks.tmpAtKill, ks.plainAtKill, ks.tornAtKill, ks.planted, ks.duringRecovery, ks.duringShutdown,
		ks.maxRecover.Round(time.Millisecond), lastRecovery.Round(time.Millisecond))
	figure(t, "acknowledged=%d found=%d lost=%d bad_lines=%d duplicates_beyond_retries=%d phantom=%d files=%d lines=%d jsonl_reader_lines=%d stray_tmp=%d seedcheck=%s (log entries %d, metric entries %d)",
		v.acked, v.found, v.lost, ro.bad, v.dupBeyondRetries, v.phantom, ro.files, ro.lines, readerLines, len(d.tmp), seedResult,
		ro.types["tool_use"], ro.types["performance"])

	if v.lost != 0 {
		t.Errorf("lost %d acknowledged records", v.lost)
	}
	if ro.bad != 0 || rep.BadCount != 0 {
		t.Errorf("bad lines: %d (schema.CheckDir: %d): %v %v", ro.bad, rep.BadCount, ro.badSample, rep.Bad)
	}
	if v.dupBeyondRetries != 0 || v.phantom != 0 {
		t.Errorf("records found more often than sent: %d; never sent: %d", v.dupBeyondRetries, v.phantom)
	}
	if len(d.tmp) != 0 || len(d.other) != 0 || ro.dupStems != 0 {
		t.Errorf("stray files after restart and stop: tmp=%v other=%v, %d stems both plain and compressed", d.tmp, d.other, ro.dupStems)
	}
	if v.acked == 0 || rep.Entries != ro.lines || readerLines != ro.lines || readerBad != 0 {
		t.Errorf("nothing acknowledged (%d) or readers disagree (schema.CheckDir %d lines, jsonl.Reader %d (%d bad), ours %d)",
			v.acked, rep.Entries, readerLines, readerBad, ro.lines)
	}
}
