package sessions

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// restartRoundTrip runs a session across a restart: the first run sees the
// first three records of s1 and an explicit start of s2, shuts down; restart
// returns the store of the second run, which loads, sees the rest of s1, and
// the idle timeout closes both.
func restartRoundTrip(t *testing.T, store Store, restart func() Store) {
	t.Helper()
	ctx := context.Background()
	c := newClock()
	opts := Options{IdleTimeout: 30 * time.Minute, MaxTracked: 100, Now: c.Now, Store: store}
	tr := New(opts)
	if err := tr.Load(ctx); err != nil {
		t.Fatalf("Load of an empty store: %v", err)
	}
	a := rec("token_usage", "s1", 0)
	a.Model, a.InputTokens, a.OutputTokens, a.CostUSD, a.HasCost = "m1", 100, 50, 0.25, true
	c1 := rec("tool_use", "s1", 30*time.Second)
	c1.ProjectPath = "/p"
	one(t, checkLines(t, observe(t, tr, a, c1, rec("tool_use", "s1", 40*time.Second))), "session_start", "s1")
	observe(t, tr, rec("session_start", "s2", 0), rec("tool_use", "s2", 10*time.Second))
	out, err := tr.Shutdown(ctx, nil)
	if err != nil || len(out) != 0 {
		t.Fatalf("Shutdown with a store: %q, %v; want no lines (persisted)", out, err)
	}

	c.Advance(5 * time.Minute) // the restart
	opts.Store = restart()
	tr = New(opts)
	if err := tr.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tr.Stats().Open; n != 2 {
		t.Fatalf("resumed %d spans, want 2", n)
	}
	b := rec("token_usage", "s1", 90*time.Second)
	b.InputTokens, b.OutputTokens, b.CostUSD, b.HasCost = 10, 5, 0.05, true
	if out := observe(t, tr, rec("error_occurred", "s1", 50*time.Second), b); len(out) != 0 {
		t.Fatalf("resumed span wrote %s (a second start?)", out)
	}
	lines := checkLines(t, tr.Expire(nil, c.Advance(30*time.Minute)))
	checkTotals(t, one(t, lines, "session_end", "s1"), "idle_timeout")
	s2 := one(t, lines, "session_end", "s2")
	if s2.data["start_synthesized"] != false || num(t, s2, "tool_uses") != 1 || num(t, s2, "duration_seconds") != 10 {
		t.Errorf("s2 end %v", s2.data)
	}
}

func TestPersistRoundTrip(t *testing.T) {
	store := newMapStore()
	restartRoundTrip(t, store, func() Store { return store })
	if _, ok := store.m["sessions"]; !ok {
		t.Errorf("no snapshot under key sessions: %v", store.m)
	}
}

func TestPersistOnlyWhenChanged(t *testing.T) {
	ctx := context.Background()
	store := newMapStore()
	tr := New(Options{Now: newClock().Now, Store: store, StoreKey: "k"})
	if err := tr.Persist(ctx); err != nil || store.sets != 0 {
		t.Fatalf("Persist of an unchanged empty tracker: sets=%d err=%v", store.sets, err)
	}
	observe(t, tr, rec("tool_use", "s1", 0))
	for range 3 {
		if err := tr.Persist(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if store.sets != 1 {
		t.Errorf("%d writes for one change, want 1", store.sets)
	}
	observe(t, tr, rec("tool_use", "s1", time.Second))
	_ = tr.Persist(ctx)
	if store.sets != 2 || store.m["k"] == nil {
		t.Errorf("%d writes after a second change, want 2 (key k)", store.sets)
	}
	if err := New(Options{}).Persist(ctx); err != nil {
		t.Errorf("Persist without a store: %v", err)
	}
}

func TestPersistFailureRetriesAndShutdownCloses(t *testing.T) {
	ctx := context.Background()
	store := newMapStore()
	tr := New(Options{Now: newClock().Now, Store: store})
	observe(t, tr, rec("tool_use", "s1", 0))
	store.fail = errStore
	err := tr.Persist(ctx)
	if !errors.Is(err, errStore) || !strings.Contains(err.Error(), `"sessions"`) {
		t.Fatalf("Persist error %v, want the store error naming the key", err)
	}
	store.fail = nil
	if err := tr.Persist(ctx); err != nil || store.sets != 1 {
		t.Fatalf("retry after failure: sets=%d err=%v, want one write", store.sets, err)
	}
	store.fail = errStore
	out, err := tr.Shutdown(ctx, nil)
	if !errors.Is(err, errStore) {
		t.Errorf("Shutdown error %v", err)
	}
	if one(t, checkLines(t, out), "session_end", "s1").data["end_reason"] != "shutdown" {
		t.Error("Shutdown whose persist failed did not close the span")
	}
}

func TestLoadErrors(t *testing.T) {
	ctx := context.Background()
	valid := func() []byte {
		store := newMapStore()
		tr := New(Options{Now: newClock().Now, Store: store})
		observe(t, tr, rec("tool_use", "s1", 0), rec("tool_use", "s2", 0))
		if err := tr.Persist(ctx); err != nil {
			t.Fatal(err)
		}
		return store.m["sessions"]
	}()
	for name, data := range map[string][]byte{
		"garbage":   []byte("not a snapshot"),
		"truncated": valid[:len(valid)-3],
		"bad flags": append(bytes.Clone(valid[:len(valid)-1]), 7),
	} {
		t.Run(name, func(t *testing.T) {
			store := newMapStore()
			store.m["sessions"] = data
			tr := New(Options{Store: store})
			if err := tr.Load(ctx); !errors.Is(err, errCorrupt) {
				t.Errorf("Load: %v, want errCorrupt", err)
			}
			if tr.Stats().Open != 0 {
				t.Errorf("a corrupt snapshot loaded %d spans", tr.Stats().Open)
			}
		})
	}
	store := newMapStore()
	store.fail = errStore
	if err := New(Options{Store: store}).Load(ctx); !errors.Is(err, errStore) {
		t.Errorf("Load with a failing store: %v", err)
	}
}

func TestLoadBeyondMaxTrackedClosesOldest(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := newMapStore()
	tr := New(Options{Now: c.Now, Store: store, MaxTracked: 10})
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		c.Advance(time.Second)
		observe(t, tr, rec("tool_use", id, 0))
	}
	if err := tr.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	tr = New(Options{Now: c.Now, Store: store, MaxTracked: 3})
	if err := tr.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if tr.Stats().Open != 3 {
		t.Errorf("tracked %d, want 3", tr.Stats().Open)
	}
	lines := checkLines(t, tr.Drain(nil))
	one(t, lines, "session_end", "a")
	one(t, lines, "session_end", "b")
	if len(lines) != 2 || len(tr.Drain(nil)) != 0 {
		t.Errorf("%d lines drained, want the ends of a and b once", len(lines))
	}
}

func TestRequeueDrain(t *testing.T) {
	tr := New(Options{MaxPending: 1 << 10})
	if got := tr.Drain([]byte("x")); string(got) != "x" {
		t.Fatalf("empty Drain changed dst: %q", got)
	}
	tr.Requeue([]byte("l1\n"))
	tr.Requeue([]byte("l2\n"))
	if got := string(tr.Drain(nil)); got != "l1\nl2\n" {
		t.Errorf("Drain = %q", got)
	}
	tr.Requeue(bytes.Repeat([]byte("y\n"), 513))
	if st := tr.Stats(); st.OutboxDropped != 513 || len(tr.Drain(nil)) != 0 {
		t.Errorf("oversized requeue: dropped %d", st.OutboxDropped)
	}
}

func FuzzDecodeSnapshot(f *testing.F) {
	tr := New(Options{Now: newClock().Now})
	e := rec("token_usage", "s1", 0)
	e.Model, e.ProjectPath, e.InputTokens, e.CostUSD = "m", "/p", 5, 0.5
	observeOne(tr, nil, e)
	observeOne(tr, nil, rec("session_start", "s2", 0))
	f.Add(appendSnapshot(nil, tr))
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		spans, err := decodeSnapshot(data)
		if err != nil {
			return
		}
		// Whatever decodes must load and re-encode without panicking.
		tr := New(Options{MaxTracked: 4, Now: newClock().Now})
		for _, s := range spans {
			tr.shard(s.id).restore(nil, s, 0)
		}
		checkLines(t, tr.CloseAll(nil))
	})
}
