package sessions

import (
	"context"
	"errors"
	"testing"
	"time"
)

// recorder is the exporter's write function: it records every call and
// fails while fail is set.
type recorder struct {
	calls [][]byte
	fail  error
}

func (r *recorder) write(b []byte) error {
	if r.fail != nil {
		return r.fail
	}
	r.calls = append(r.calls, append([]byte(nil), b...))
	return nil
}

func TestTickWritesExpiredAndPendingInOneCall(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	tr := newTracker(c, 100)
	w := &recorder{}
	queueOne(tr, rec("tool_use", "s1", 0)) // its start waits in the outbox
	if err := tr.Tick(ctx, c.Advance(time.Minute), w.write); err != nil || len(w.calls) != 1 {
		t.Fatalf("first tick: %d writes, err %v; want the pending start", len(w.calls), err)
	}
	one(t, checkLines(t, w.calls[0]), "session_start", "s1")
	if err := tr.Tick(ctx, c.Advance(time.Minute), w.write); err != nil || len(w.calls) != 1 {
		t.Fatalf("tick with nothing to write called write (%d calls), err %v", len(w.calls), err)
	}
	c.Advance(29 * time.Minute)
	queueOne(tr, rec("tool_use", "s2", 0))
	w.fail = errStore
	if err := tr.Tick(ctx, c.Advance(time.Minute), w.write); !errors.Is(err, errStore) {
		t.Fatalf("failed write: err %v", err)
	}
	w.fail = nil
	if err := tr.Tick(ctx, c.Advance(time.Second), w.write); err != nil || len(w.calls) != 2 {
		t.Fatalf("retry tick: %d writes, err %v", len(w.calls), err)
	}
	lines := checkLines(t, w.calls[1])
	one(t, lines, "session_end", "s1")
	one(t, lines, "session_start", "s2")
	if len(lines) != 2 {
		t.Errorf("retry wrote %d lines, want s1's end and s2's start once", len(lines))
	}
}

func TestTickPersistsAtItsInterval(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newMapStore()
	tr := New(Options{Now: c.Now, Store: store, PersistInterval: time.Minute})
	w := &recorder{}
	queueOne(tr, rec("tool_use", "s1", 0))
	steps := []struct {
		advance time.Duration
		change  bool
		sets    int
	}{
		{time.Second, false, 1},     // first tick persists the change
		{10 * time.Second, true, 1}, // changed, but within the interval
		{time.Minute, false, 2},     // interval passed, change pending
		{2 * time.Minute, false, 2}, // nothing changed
		{time.Minute, true, 3},      // changed and due
	}
	for i, s := range steps {
		if s.change {
			queueOne(tr, rec("tool_use", "s1", time.Duration(i)*time.Second))
		}
		if err := tr.Tick(ctx, c.Advance(s.advance), w.write); err != nil {
			t.Fatal(err)
		}
		if store.sets != s.sets {
			t.Fatalf("step %d: %d snapshots, want %d", i, store.sets, s.sets)
		}
	}
	store.fail = errStore
	queueOne(tr, rec("tool_use", "s1", time.Hour))
	if err := tr.Tick(ctx, c.Advance(time.Minute), w.write); err == nil {
		t.Error("a failing store: Tick returned no error")
	}
}
