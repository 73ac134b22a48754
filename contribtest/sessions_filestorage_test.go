package contribtest

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/fakeclock"
	"github.com/analyticsexporter/analyticsexporter/internal/sessions"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func entry(typ, id string, off time.Duration) *sessions.Entry {
	return &sessions.Entry{Type: typ, SessionID: id, UserID: "u", Time: t0.Add(off)}
}

// TestTrackerPersistsThroughFileStorage (moved from internal/sessions): a
// tracker's open spans survive a restart through the real file_storage
// extension, closed and reopened on the same directory. The second run
// resumes them (no second session_start) and the idle end covers both runs.
func TestTrackerPersistsThroughFileStorage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := fakeclock.New(t0)
	const idle = 30 * time.Minute

	ext := startFileStorage(t, dir)
	client := openClient(t, ext)
	tr := sessions.New(sessions.Options{IdleTimeout: idle, MaxTracked: 100, Now: c.Now, Store: client})
	if err := tr.Load(ctx); err != nil {
		t.Fatalf("Load of an empty store: %v", err)
	}
	a := entry("token_usage", "s1", 0)
	a.Model, a.InputTokens, a.OutputTokens, a.CostUSD, a.HasCost = "m1", 100, 50, 0.25, true
	var batch sessions.Batch
	for _, e := range []*sessions.Entry{a, entry("tool_use", "s1", 30*time.Second), entry("session_start", "s2", 0)} {
		tr.Add(&batch, e)
	}
	out := tr.Commit(nil, &batch)
	if lines := sinktest.ParseLines(t, out); len(lines) != 1 || lines[0]["type"] != "session_start" {
		t.Fatalf("first run wrote %v, want the synthesized start of s1", lines)
	}
	if out, err := tr.Shutdown(ctx, nil); err != nil || len(out) != 0 {
		t.Fatalf("Shutdown with a store: %q, %v; want no lines (persisted)", out, err)
	}
	if err := client.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ext.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	c.Advance(5 * time.Minute) // the restart
	ext = startFileStorage(t, dir)
	client = openClient(t, ext)
	defer func() {
		if err := client.Close(ctx); err != nil {
			t.Error(err)
		}
		if err := ext.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	}()
	tr = sessions.New(sessions.Options{IdleTimeout: idle, MaxTracked: 100, Now: c.Now, Store: client})
	if err := tr.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if n := tr.Stats().Open; n != 2 {
		t.Fatalf("resumed %d spans, want 2", n)
	}
	b := entry("token_usage", "s1", 90*time.Second)
	b.InputTokens, b.OutputTokens, b.CostUSD, b.HasCost = 10, 5, 0.05, true
	batch.Reset()
	tr.Add(&batch, b)
	if out := tr.Commit(nil, &batch); len(out) != 0 {
		t.Fatalf("resumed span wrote %s (a second start?)", out)
	}
	lines := sinktest.ParseLines(t, tr.Expire(nil, c.Advance(idle)))
	end := sinktest.Only(t, lines, "session_end", "s1")
	want := map[string]any{"duration_seconds": 90.0, "token_count": 165.0, "records": 3.0,
		"tool_uses": 1.0, "model": "m1", "end_reason": "idle_timeout", "start_synthesized": true}
	for k, v := range want {
		if got := end[k]; got != v {
			t.Errorf("s1 end %s = %v, want %v", k, got, v)
		}
	}
	if cost := end["cost_usd"].(float64); math.Abs(cost-0.3) > 1e-9 {
		t.Errorf("s1 end cost_usd = %v, want 0.3", cost)
	}
	if s2 := sinktest.Only(t, lines, "session_end", "s2"); s2["start_synthesized"] != false {
		t.Errorf("s2 end %v", s2)
	}
}
