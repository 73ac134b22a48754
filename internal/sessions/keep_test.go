package sessions

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestKeepPredictsObserve: random batches over a few session ids, with the
// clock moving and Expire running between batches. A reference tracker
// observes every entry as it comes; a second tracker is fed the two-phase
// way (Keep over the whole batch, then Record of every entry in order).
// Keep must give Observe's keep for every entry, the commit must agree with
// Keep, and both trackers must end up with the same lifecycle and counters.
func TestKeepPredictsObserve(t *testing.T) {
	const idle = 30 * time.Minute
	types := []string{"tool_use", "token_usage", "session_start", "session_end", "error_occurred", "tool_use"}
	ids := []string{"a", "b", "c", ""}
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		c := newClock()
		ref := New(Options{IdleTimeout: idle, MaxTracked: 100, Now: c.Now})
		two := New(Options{IdleTimeout: idle, MaxTracked: 100, Now: c.Now})
		var refOut, twoOut []byte
		var b Batch
		for range 20 {
			b.Reset()
			batch := make([]Entry, 1+rng.IntN(8))
			keeps := make([]bool, len(batch))
			for i := range batch {
				batch[i] = Entry{Type: types[rng.IntN(len(types))], SessionID: ids[rng.IntN(len(ids))], Time: c.Now()}
				e := &batch[i]
				keep := two.Keep(&b, e)
				var want bool
				refOut, want = ref.Observe(refOut, e)
				if keep != want {
					t.Fatalf("seed %d: Keep(%s %q)=%v, Observe says %v", seed, e.Type, e.SessionID, keep, want)
				}
				keeps[i] = keep
			}
			for i := range batch {
				var keep bool
				if twoOut, keep = two.Observe(twoOut, &batch[i]); keep != keeps[i] {
					t.Fatalf("seed %d: commit of %s %q keep=%v, Keep said %v", seed, batch[i].Type, batch[i].SessionID, keep, keeps[i])
				}
			}
			now := c.Advance([]time.Duration{time.Second, time.Minute, idle, 2 * idle}[rng.IntN(4)])
			refOut, twoOut = ref.Expire(refOut, now), two.Expire(twoOut, now)
		}
		if r, w := ref.Stats(), two.Stats(); r != w {
			t.Fatalf("seed %d: counters differ:\nreference %+v\ntwo-phase %+v", seed, r, w)
		}
		rl, wl := checkLines(t, refOut), checkLines(t, twoOut)
		if len(rl) != len(wl) {
			t.Fatalf("seed %d: %d vs %d synthesized lines", seed, len(rl), len(wl))
		}
		for i := range rl {
			if rl[i].Type != wl[i].Type || rl[i].SessionID != wl[i].SessionID || jsonString(rl[i].data) != jsonString(wl[i].data) {
				t.Fatalf("seed %d: line %d differs:\n%+v\n%+v", seed, i, rl[i], wl[i])
			}
		}
	}
}

// TestKeepDoesNotChangeTheTracker: Keep is read-only.
func TestKeepDoesNotChangeTheTracker(t *testing.T) {
	c := newClock()
	tr := newTracker(c, 10)
	observe(t, tr, rec("tool_use", "s", 0))
	before := tr.Stats()
	var b Batch
	for _, typ := range []string{"session_end", "session_end", "tool_use", "session_start"} {
		tr.Keep(&b, rec(typ, "s", time.Second))
	}
	if after := tr.Stats(); after != before || tr.Tracked() != 1 {
		t.Fatalf("Keep changed the tracker: %+v -> %+v", before, after)
	}
	b.Reset()
	if !tr.Keep(&b, rec("session_end", "s", 0)) || tr.Keep(&b, rec("session_end", "s", 0)) {
		t.Fatal("after Reset: first end kept, second dropped")
	}
}

// BenchmarkKeep is the per-entry cost of the read-only question for a batch
// of one known session (the common case).
func BenchmarkKeep(b *testing.B) {
	tr := New(Options{})
	e := &Entry{Type: "tool_use", SessionID: "sess-1", Time: t0}
	tr.Record(e)
	var batch Batch
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1000 == 0 {
			batch.Reset()
		}
		tr.Keep(&batch, e)
	}
}
