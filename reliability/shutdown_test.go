//go:build reliability

package reliability

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestSigtermUnderLoad sends SIGTERM while four senders (two of logs, two
// of metrics) push at full speed: the Collector exits 0, every acknowledged record is on disk, and
// no rotated file is left uncompressed (the sink's Close compresses every
// rotated file queued before it returns) and no temporary file remains.
func TestSigtermUnderLoad(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	c := launch(t, singleExporter(analyticsExporter(base), true))
	l := newLedger(50, 300)
	l.metricsEvery = 2 // senders 2 and 4 send gauge points
	client := dial(t, c.ports.grpc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const senders = 4
	var wg sync.WaitGroup
	results := make([]sendResult, senders)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s] = l.run(ctx, client, s+1, 0)
		}()
	}
	before := int64(pick(40_000, 10_000))
	if !l.waitAcked(before, 2*time.Minute) {
		t.Fatalf("only %d records acknowledged before the deadline", l.ackedCount.Load())
	}
	snap := scanDir(t, base)
	took, err := c.terminate(5 * time.Minute)
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatalf("collector did not exit cleanly on SIGTERM: %v\n%s", err, c.Tail(4000))
	}
	failed := 0
	for _, r := range results {
		failed += r.failed
	}

	d := scanDir(t, base)
	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	figure(t, "acknowledged=%d found=%d lost=%d bad_lines=%d refused_during_shutdown=%d shutdown=%v rotated_plain_at_sigterm=%d rotated_plain_left=%d tmp_left=%d",
		v.acked, v.found, v.lost, ro.bad, failed, took.Round(time.Millisecond), snap.plainRotated(), d.plainRotated(), len(d.tmp))
	if v.lost != 0 || v.phantom != 0 || v.dupBeyondRetries != 0 {
		t.Errorf("lost %d acknowledged records (phantom %d, duplicates %d)", v.lost, v.phantom, v.dupBeyondRetries)
	}
	if ro.bad != 0 {
		t.Errorf("%d bad lines: %v", ro.bad, ro.badSample)
	}
	if d.plainRotated() != 0 || len(d.tmp) != 0 || len(d.other) != 0 {
		t.Errorf("after SIGTERM: %d rotated files uncompressed, tmp %v, other %v", d.plainRotated(), d.tmp, d.other)
	}
}
