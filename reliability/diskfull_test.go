//go:build reliability

package reliability

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/analyticsexporter/analyticsexporter/internal/tmpfs"
)

// retryable reports whether an OTLP export error tells the client to retry.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted, codes.DeadlineExceeded:
		return true
	}
	return false
}

// TestDiskFullSynchronous fills the output file system mid-run: exports
// fail with a retryable gRPC code (no sending queue, so the client sees
// the sink's error), no bad or partial line is written, and once the filler
// is removed the client's retries land.
func TestDiskFullSynchronous(t *testing.T) {
	mnt := tmpfs.Mount(t, 2<<20)
	base := filepath.Join(mnt, "out")
	c := launch(t, singleExporter(analyticsExporter(base), false))
	l := newLedger(50, 300)
	sendN(t, c, l, 500)
	waitRecovered(t, base, 30*time.Second) // compressor idle: nothing frees space behind our back
	filler, fillSize := tmpfs.Fill(t, mnt)

	client := dial(t, c.ports.grpc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const failing = 5
	var codesSeen []codes.Code
	var nonRetryable int
	var pending []int64
	for range failing {
		from := l.take()
		l.attempt(from)
		err := client.exportLogs(ctx, seqLogs(1, from, l.batch, l.pad))
		if err == nil {
			l.ack(from)
			continue
		}
		pending = append(pending, from)
		codesSeen = append(codesSeen, status.Code(err))
		if !retryable(err) {
			nonRetryable++
			t.Errorf("disk full came back as %v (%v), want a retryable code", status.Code(err), err)
		}
	}
	if !c.Running() {
		t.Fatalf("collector died on a full disk\n%s", c.Tail(4000))
	}
	mid := readBack(t, base)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for _, from := range pending {
		l.giveBack(from)
	}
	if err := l.drain(ctx, client); err != nil {
		t.Fatalf("retries after freeing space: %v", err)
	}
	sendN(t, c, l, 500)
	compFailures := sum(scrape(t, c), "otelcol_analytics_compression_failures")
	c.stop()

	d := scanDir(t, base)
	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	figure(t, "rotated_plain_left_after_stop=%d compression_failures_metric=%.0f", d.plainRotated(), compFailures)
	figure(t, "filler=%dB failed_exports=%d/%d codes=%v non_retryable=%d bad_lines_while_full=%d acknowledged=%d found=%d lost=%d bad_lines=%d duplicates_beyond_retries=%d",
		fillSize, len(codesSeen), failing, codesSeen, nonRetryable, mid.bad, v.acked, v.found, v.lost, ro.bad, v.dupBeyondRetries)
	if len(codesSeen) == 0 {
		t.Errorf("no export failed on a full disk")
	}
	if v.lost != 0 || ro.bad != 0 || mid.bad != 0 || v.dupBeyondRetries != 0 {
		t.Errorf("lost %d, bad lines %d (while full %d) %v, duplicates %d", v.lost, ro.bad, mid.bad, ro.badSample, v.dupBeyondRetries)
	}
}

// TestDiskFullPersistentQueue puts the sending queue on file_storage
// (outside the full tmpfs): exports are accepted into the queue during the
// outage, the Collector is restarted (SIGTERM, then SIGKILL) while the disk
// is still full, and after space is freed every accepted record lands.
func TestDiskFullPersistentQueue(t *testing.T) {
	for _, mode := range []string{"sigterm", "sigkill"} {
		t.Run(mode, func(t *testing.T) { diskFullQueue(t, mode) })
	}
}

func diskFullQueue(t *testing.T, restart string) {
	mnt := tmpfs.Mount(t, 2<<20)
	base := filepath.Join(mnt, "out")
	storage := t.TempDir()
	ec := analyticsExporter(base)
	ec["sending_queue"] = map[string]any{"enabled": true, "storage": "file_storage", "num_consumers": 1, "queue_size": 100000}
	ec["retry_on_failure"] = map[string]any{"enabled": true, "initial_interval": "50ms", "max_interval": "200ms", "max_elapsed_time": "0s"}
	spec := singleExporter(ec, false)
	spec.extensions = map[string]any{"file_storage": map[string]any{"directory": storage}}

	c := launch(t, spec)
	l := newLedger(50, 300)
	sendN(t, c, l, 500)
	waitForSeqs(t, base, l, 30*time.Second)
	waitRecovered(t, base, 30*time.Second)
	filler, _ := tmpfs.Fill(t, mnt)
	const duringOutage = 2000
	sendN(t, c, l, duringOutage) // accepted into the persistent queue
	if restart == "sigterm" {
		c.stop()
	} else {
		c.kill()
	}
	c = launch(t, spec) // still full
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	took := waitForSeqs(t, base, l, 2*time.Minute)
	sendN(t, c, l, 500)
	waitForSeqs(t, base, l, 30*time.Second)
	c.stop()

	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	dups := 0
	for _, n := range ro.seqCount {
		if n > 1 {
			dups++
		}
	}
	figure(t, "restart=%s accepted_during_outage=%d acknowledged=%d found=%d lost=%d bad_lines=%d duplicated=%d drain_after_free=%v",
		restart, duringOutage, v.acked, v.found, v.lost, ro.bad, dups, took.Round(time.Millisecond))
	if v.lost != 0 || ro.bad != 0 {
		t.Errorf("lost %d, bad lines %d %v", v.lost, ro.bad, ro.badSample)
	}
	if restart == "sigterm" && dups != 0 {
		t.Errorf("%d records written twice after a clean restart", dups)
	}
}

// waitForSeqs polls the directory until every acknowledged record is on
// disk (the queue writes asynchronously) and returns how long it took.
func waitForSeqs(t *testing.T, base string, l *ledger, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		v := l.judge(readBack(t, base).seqCount)
		if v.lost == 0 {
			return time.Since(start)
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("%d of %d acknowledged records still not on disk after %v", v.lost, v.acked, timeout)
		}
	}
}

// TestCompressionRetriedAfterDiskFull: a rotated file whose compression
// failed while the disk was full must still be compressed once space is
// back (rotated files are compressed in the background; the sink's
// Close promises every queued rotated file is compressed), not left plain
// until the next restart.
func TestCompressionRetriedAfterDiskFull(t *testing.T) {
	mnt := tmpfs.Mount(t, 2<<20)
	base := filepath.Join(mnt, "out")
	c := launch(t, singleExporter(analyticsExporter(base), false))
	l := newLedger(100, 300) // a 100-entry batch (~70 KB) always rotates a non-empty live file
	sendN(t, c, l, 500)
	waitRecovered(t, base, 30*time.Second)
	filler, _ := tmpfs.Fill(t, mnt)
	client := dial(t, c.ports.grpc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	from := l.take()
	l.attempt(from)
	if err := client.exportLogs(ctx, seqLogs(1, from, l.batch, l.pad)); err == nil {
		l.ack(from)
	} else {
		l.giveBack(from)
	}
	failures := sum(scrape(t, c), "otelcol_analytics_compression_failures")
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := l.drain(ctx, client); err != nil {
		t.Fatal(err)
	}
	sendN(t, c, l, 1000) // more rotations and compressions with space available
	c.stop()
	d := scanDir(t, base)
	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	figure(t, "compression_failures_while_full=%.0f rotated_plain_left_after_stop=%d (%v) lost=%d bad_lines=%d",
		failures, d.plainRotated(), d.plain, v.lost, ro.bad)
	if failures == 0 {
		t.Fatalf("no compression failed while the disk was full; the scenario did not happen")
	}
	if d.plainRotated() != 0 {
		t.Errorf("%d rotated files left uncompressed after space came back and a clean stop: %v (jsonl/compress.go: a failed compression is counted and dropped, never retried)",
			d.plainRotated(), d.plain)
	}
	if v.lost != 0 || ro.bad != 0 {
		t.Errorf("lost %d, bad %d", v.lost, ro.bad)
	}
}
