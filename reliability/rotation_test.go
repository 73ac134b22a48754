//go:build reliability

package reliability

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// maxFileBytes is the rotation size of the tests: max_megabytes 0.0625.
const maxFileBytes = 64 << 10

// sendAll pushes total records (batches of batch) from senders concurrent
// OTLP clients and fails the test unless every export is acknowledged.
func sendAll(t *testing.T, c *collector, l *ledger, total, senders int) time.Duration {
	t.Helper()
	perSender := total / (l.batch * senders)
	if perSender*l.batch*senders != total {
		t.Fatalf("total %d is not a multiple of %d senders x batch %d", total, senders, l.batch)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	client := dial(t, c.ports.grpc)
	start := time.Now()
	var wg sync.WaitGroup
	results := make([]sendResult, senders)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s] = l.run(ctx, client, s+1, perSender)
		}()
	}
	wg.Wait()
	took := time.Since(start)
	for s, r := range results {
		if r.ok != perSender || r.failed != 0 {
			t.Fatalf("sender %d: %d acknowledged of %d, %d failed exports (last: %v)", s+1, r.ok, perSender, r.failed, r.lastErr)
		}
	}
	return took
}

// stampsWithin checks that every data file name's UTC time lies in [from, to].
func stampsWithin(t *testing.T, names []string, from, to time.Time) int {
	t.Helper()
	bad := 0
	for _, n := range names {
		stamp := stem(n)[len("metrics_"):] // YYYYMMDD_HHMMSS_ffffff
		at, err := time.Parse("20060102_150405", stamp[:15])
		us, uerr := strconv.Atoi(stamp[16:])
		at = at.Add(time.Duration(us) * time.Microsecond)
		if err == nil {
			err = uerr
		}
		if err != nil || at.Before(from) || at.After(to) {
			bad++
			if bad <= 3 {
				t.Errorf("file %s: name time outside the run [%s, %s] (%v)", n, from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano), err)
			}
		}
	}
	return bad
}

// TestRapidRotation sends 1,000,000 entries (100,000 in the short form)
// into 64 KiB gzip files, keeping every file, and reads them all back: every
// entry once, each sender's entries in order across the files taken in name
// order, no file over the limit, rotations counted as files-1. The zstd
// subtest repeats it with a fifth of the entries.
func TestRapidRotation(t *testing.T) {
	total := intFromEnv("RELIABILITY_ROTATION_ENTRIES", pick(1_000_000, 100_000))
	t.Run("gzip", func(t *testing.T) { rapidRotation(t, "gzip", total) })
	t.Run("zstd", func(t *testing.T) { rapidRotation(t, "zstd", total/5) })
}

func rapidRotation(t *testing.T, compression string, total int) {
	base := filepath.Join(t.TempDir(), "out")
	ec := analyticsExporter(base)
	ec["compression"] = compression
	c := launch(t, singleExporter(ec, false))
	l := newLedger(50, 0) // 50 entries of ~500 bytes: several batches per 64 KiB file
	from := time.Now().UTC().Add(-time.Second)
	took := sendAll(t, c, l, total, 4)
	samples := scrape(t, c)
	shutdown := c.stop()
	to := time.Now().UTC().Add(time.Second)

	d := scanDir(t, base)
	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	rotations := sum(samples, "otelcol_analytics_rotations")
	var overLimit int
	var maxBytes int64
	for name, n := range ro.fileBytes {
		maxBytes = max(maxBytes, n)
		if n > maxFileBytes {
			overLimit++
			t.Errorf("file %s holds %d bytes, over the %d limit", name, n, maxFileBytes)
		}
	}
	readerLines, readerBad := countWithSinkReader(t, base)
	if readerLines != ro.lines || readerBad != 0 {
		t.Errorf("jsonl.Reader read %d lines (%d bad), direct read %d", readerLines, readerBad, ro.lines)
	}
	figure(t, "entries=%d files=%d rotations_metric=%.0f send_time=%v rate=%.0f entries/s shutdown=%v",
		total, ro.files, rotations, took.Round(time.Millisecond), float64(total)/took.Seconds(), shutdown.Round(time.Millisecond))
	compN := sum(samples, "otelcol_analytics_compression_duration_count")
	figure(t, "compressions_by_scrape=%.0f mean_compression=%.1fms (tmp write, fsync, rename, dir fsync, unlink per 64 KiB file)",
		compN, 1000*sum(samples, "otelcol_analytics_compression_duration_sum")/max(compN, 1))
	figure(t, "found=%d lost=%d duplicates=%d bad_lines=%d out_of_order=%d files_over_64KiB=%d largest_file=%dB plain_rotated_left=%d tmp_left=%d",
		v.found, v.lost, v.dupBeyondRetries, ro.bad, ro.outOfOrder, overLimit, maxBytes, d.plainRotated(), len(d.tmp))

	if v.acked != total || v.found != total || v.lost != 0 || v.phantom != 0 || ro.lines != total {
		t.Errorf("acknowledged %d, found %d distinct of %d (lines %d, lost %d, phantom %d)", v.acked, v.found, total, ro.lines, v.lost, v.phantom)
	}
	if ro.bad != 0 || ro.outOfOrder != 0 || ro.dupStems != 0 {
		t.Errorf("bad lines %d %v, out of order %d, duplicate stems %d", ro.bad, ro.badSample, ro.outOfOrder, ro.dupStems)
	}
	if len(d.tmp) != 0 || len(d.other) != 0 || d.plainRotated() != 0 {
		t.Errorf("after a clean stop: tmp %v, other %v, %d rotated files left uncompressed", d.tmp, d.other, d.plainRotated())
	}
	if has(samples, "otelcol_analytics_rotations") && int(rotations) != ro.files-1 {
		t.Errorf("rotations metric %.0f, but %d files (a fresh directory has files-1 rotations)", rotations, ro.files)
	}
	if !has(samples, "otelcol_analytics_rotations") {
		t.Errorf("no otelcol_analytics_rotations in the telemetry:\n%s", describe(samples))
	}
	stampsWithin(t, d.data, from, to)
}

// TestRetentionExact sends numbered entries from one sender into 64 KiB
// files with max_files 20: exactly 20 data files remain, and they hold
// exactly the newest entries, a contiguous run ending with the last one.
func TestRetentionExact(t *testing.T) {
	const maxFiles = 20
	total := pick(60_000, 30_000)
	base := filepath.Join(t.TempDir(), "out")
	ec := analyticsExporter(base)
	ec["rotation"] = map[string]any{"max_megabytes": 0.0625, "max_files": maxFiles}
	c := launch(t, singleExporter(ec, false))
	l := newLedger(50, 0)
	sendAll(t, c, l, total, 1)
	c.stop()

	d := scanDir(t, base)
	ro := readBack(t, base)
	lo := int64(total)
	for s := range ro.seqCount {
		lo = min(lo, s)
	}
	gaps := 0
	for s := lo; s < int64(total); s++ {
		if ro.seqCount[s] != 1 {
			gaps++
		}
	}
	figure(t, "entries=%d max_files=%d files_left=%d oldest_kept_seq=%d kept=%d gaps_or_dups_in_kept_run=%d bad_lines=%d",
		total, maxFiles, len(d.data), lo, len(ro.seqCount), gaps, ro.bad)
	if len(d.data) != maxFiles {
		t.Errorf("%d data files left, want exactly max_files=%d: %v", len(d.data), maxFiles, d.data)
	}
	if gaps != 0 || len(ro.seqCount) != total-int(lo) || ro.bad != 0 || lo == 0 {
		t.Errorf("kept entries are not exactly the newest contiguous run [%d,%d): %d distinct, %d gaps, %d bad", lo, total, len(ro.seqCount), gaps, ro.bad)
	}
	if len(d.tmp) != 0 || len(d.other) != 0 {
		t.Errorf("stray files: %v %v", d.tmp, d.other)
	}
}
