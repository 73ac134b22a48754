package convert

import (
	"math"
	"runtime"
	"testing"
)

// A steady stream of batches into fresh buffers (what the exporter sees
// when sync.Pool dropped its buffer at a GC) grows the output once, to about
// the batch's size, instead of doubling from 64 KiB to 1 MiB (which
// allocates several times the output and copies it four times). Counted in
// bytes allocated, which tell the two apart even under -race.
func TestAppendLogsSizesFreshBufferOnce(t *testing.T) {
	c := mustNew(t, defaultOptions())
	ld := claudeBatch(1000, true)
	var st Stats
	want := len(c.AppendLogs(nil, ld, &st))
	best := uint64(math.MaxUint64)
	for range 10 { // the minimum: under -race sync.Pool drops items at random
		fresh := make([]byte, 0, 64<<10)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		out := c.AppendLogs(fresh, ld, &st)
		runtime.ReadMemStats(&m1)
		if len(out) != want {
			t.Fatalf("line bytes %d, want %d", len(out), want)
		}
		best = min(best, m1.TotalAlloc-m0.TotalAlloc)
	}
	// One growth allocates about the batch (twice under -race, where
	// slices.Grow's temporary is not optimised away); doubling from 64 KiB
	// allocates over five times the batch.
	if limit := uint64(want) * 5 / 2; best > limit {
		t.Errorf("allocated %d bytes for a %d-byte batch into a fresh 64 KiB buffer, want <= %d (one growth)", best, want, limit)
	}
}

func TestSizeHintReserveIsBoundedAndLearnsPerEntry(t *testing.T) {
	var h sizeHint
	if got := h.reserve(nil, 1000); cap(got) != 0 {
		t.Fatalf("reserve before learning grew to %d", cap(got))
	}
	h.learn(85000, 100) // 850 bytes per entry, +1/16 headroom
	if got := h.reserve(nil, 1000); cap(got) < 850*1000 || cap(got) > 1<<20+1<<18 {
		t.Errorf("reserve(1000 entries) cap = %d, want about 903,000", cap(got))
	}
	h.learn(1<<30, 1)
	if got := h.reserve(nil, 1000); cap(got) > maxReserve+maxReserve/8 {
		t.Errorf("reserve after a huge entry = %d, want <= maxReserve", cap(got))
	}
	h.learn(0, 0) // an empty call keeps the hint
	if h.perEntry.Load() == 0 {
		t.Error("an empty call reset the hint")
	}
}
