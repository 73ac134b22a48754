package sessions

import (
	"testing"
	"time"
)

// TestAddDoesNotChangeTheTracker: Add only notes the entry in its batch;
// the tracker changes at Commit.
func TestAddDoesNotChangeTheTracker(t *testing.T) {
	c := newClock()
	tr := newTracker(c, 10)
	observe(t, tr, rec("tool_use", "s", 0))
	before := tr.Stats()
	var b Batch
	for _, typ := range []string{"session_end", "session_end", "tool_use", "session_start"} {
		tr.Add(&b, rec(typ, "s", time.Second))
	}
	if after := tr.Stats(); after != before || after.Open != 1 {
		t.Fatalf("Add changed the tracker: %+v -> %+v", before, after)
	}
	b.Reset()
	if !tr.Add(&b, rec("session_end", "s", 0)) || tr.Add(&b, rec("session_end", "s", 0)) {
		t.Fatal("after Reset: first end kept, second dropped")
	}
}

// BenchmarkAdd is the per-entry cost of Add for a batch of one known
// session (the common case).
func BenchmarkAdd(b *testing.B) {
	tr := New(Options{})
	e := &Entry{Type: "tool_use", SessionID: "sess-1", Time: t0}
	observeOne(tr, nil, e)
	var batch Batch
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%1000 == 0 {
			batch.Reset()
		}
		tr.Add(&batch, e)
	}
}
