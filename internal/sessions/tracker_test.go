package sessions

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/fakeclock"
)

func newTracker(c *fakeclock.Clock, maxTracked int) *Tracker {
	return New(Options{IdleTimeout: 30 * time.Minute, MaxTracked: maxTracked, Now: c.Now})
}

// observe feeds entries and returns the appended output, failing on keep=false.
func observe(t *testing.T, tr *Tracker, es ...*Entry) []byte {
	t.Helper()
	var out []byte
	for _, e := range es {
		var keep bool
		out, keep = observeOne(tr, out, e)
		if !keep {
			t.Fatalf("Add(%s %s) keep=false, want true", e.Type, e.SessionID)
		}
	}
	return out
}

func TestSynthesizedStart(t *testing.T) {
	tr := newTracker(newClock(), 100)
	first := rec("token_usage", "s1", 5*time.Second)
	first.Model, first.ProjectPath = "claude-opus", "/home/dev/app"
	lines := checkLines(t, observe(t, tr, first))
	if len(lines) != 1 {
		t.Fatalf("want 1 line, got %d", len(lines))
	}
	l := one(t, lines, "session_start", "s1")
	if !l.Timestamp.Equal(first.Time) || l.UserID != "u-s1" {
		t.Errorf("start at %v user %q, want %v u-s1", l.Timestamp, l.UserID, first.Time)
	}
	if l.data["model"] != "claude-opus" || l.data["project_path"] != "/home/dev/app" {
		t.Errorf("start data %v", l.data)
	}
	if got := observe(t, tr, rec("token_usage", "s1", 6*time.Second), rec("tool_use", "s1", 7*time.Second)); len(got) != 0 {
		t.Errorf("known session wrote %s", got)
	}
	// No model or path on the first record: null, still strict JSON.
	l = one(t, checkLines(t, observe(t, tr, rec("error_occurred", "s2", 0))), "session_start", "s2")
	if v, ok := l.data["model"]; !ok || v != nil {
		t.Errorf("model = %#v, want null", v)
	}
	if st := tr.Stats(); st.Started != 2 || st.StartsWritten != 2 || st.Open != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestUntrackedEntries(t *testing.T) {
	tr := newTracker(newClock(), 100)
	noID := rec("tool_use", "", 0)
	synth := rec("tool_use", "s1", 0)
	synth.Synthesized = true
	if out := observe(t, tr, noID, synth); len(out) != 0 || tr.Stats().Open != 0 {
		t.Errorf("untracked entries wrote %q, tracked %d", out, tr.Stats().Open)
	}
}

func TestExplicitStartSuppressesSynthesized(t *testing.T) {
	tr := newTracker(newClock(), 100)
	if out := observe(t, tr, rec("session_start", "s1", 0), rec("tool_use", "s1", time.Second)); len(out) != 0 {
		t.Fatalf("explicit start still synthesized: %s", out)
	}
	out, keep := observeOne(tr, nil, rec("session_start", "s1", 2*time.Second))
	if keep || len(out) != 0 {
		t.Errorf("duplicate start: keep=%v out=%q, want keep=false and nothing", keep, out)
	}
	end := one(t, checkLines(t, tr.CloseAll(nil)), "session_end", "s1")
	if end.data["start_synthesized"] != false || num(t, end, "records") != 3 {
		t.Errorf("end data %v", end.data)
	}
	if st := tr.Stats(); st.DuplicateStarts != 1 || st.StartsWritten != 0 {
		t.Errorf("stats %+v", st)
	}
}

// feedSession feeds one session's records: 2 token_usage, 2 tool_use, 1 error,
// 90 s from first to last record.
func feedSession(t *testing.T, tr *Tracker, id string) []byte {
	t.Helper()
	a := rec("token_usage", id, 0)
	a.Model, a.InputTokens, a.OutputTokens, a.CostUSD, a.HasCost = "m1", 100, 50, 0.25, true
	b := rec("token_usage", id, 90*time.Second)
	b.InputTokens, b.OutputTokens, b.CostUSD, b.HasCost = 10, 5, 0.05, true
	c := rec("tool_use", id, 30*time.Second)
	c.ProjectPath = "/p"
	return observe(t, tr, a, c, rec("tool_use", id, 40*time.Second),
		rec("error_occurred", id, 50*time.Second), b)
}

func checkTotals(t *testing.T, end line, reason string) {
	t.Helper()
	if !end.Timestamp.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("end timestamp %v, want the last record time", end.Timestamp)
	}
	want := map[string]float64{"duration_seconds": 90, "token_count": 165, "input_tokens": 110,
		"output_tokens": 55, "tool_uses": 2, "errors": 1, "cost_usd": 0.30, "records": 5}
	for k, v := range want {
		if got := num(t, end, k); !near(got, v) {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	if end.data["end_reason"] != reason || end.data["model"] != "m1" || end.data["project_path"] != "/p" ||
		end.data["start_timestamp"] != "2026-03-14T09:26:53.589793+00:00" || end.data["start_synthesized"] != true {
		t.Errorf("end data %v", end.data)
	}
}

func TestIdleTimeoutEnd(t *testing.T) {
	c := newClock()
	tr := newTracker(c, 100)
	one(t, checkLines(t, feedSession(t, tr, "s1")), "session_start", "s1")
	if out := tr.Expire(nil, c.Advance(30*time.Minute-time.Nanosecond)); len(out) != 0 {
		t.Fatalf("closed before the idle timeout: %s", out)
	}
	end := one(t, checkLines(t, tr.Expire(nil, c.Advance(time.Nanosecond))), "session_end", "s1")
	checkTotals(t, end, "idle_timeout")
	if out := tr.Expire(nil, c.Advance(time.Hour)); len(out) != 0 || tr.Stats().Open != 0 {
		t.Errorf("second expire wrote %s, tracked %d", out, tr.Stats().Open)
	}
	if out := tr.CloseAll(nil); len(out) != 0 {
		t.Errorf("CloseAll after idle end wrote %s", out)
	}
}

func TestEveryRecordKeepsSessionAlive(t *testing.T) {
	c := newClock()
	tr := newTracker(c, 100)
	observe(t, tr, rec("tool_use", "s1", 0))
	c.Advance(20 * time.Minute)
	observe(t, tr, rec("tool_use", "s1", 20*time.Minute))
	if out := tr.Expire(nil, c.Advance(20*time.Minute)); len(out) != 0 {
		t.Fatalf("closed 20 min after the last record: %s", out)
	}
	end := one(t, checkLines(t, tr.Expire(nil, c.Advance(10*time.Minute))), "session_end", "s1")
	if num(t, end, "duration_seconds") != 1200 {
		t.Errorf("duration %v, want 1200", end.data["duration_seconds"])
	}
}

func TestExplicitEnd(t *testing.T) {
	c := newClock()
	tr := newTracker(c, 100)
	feedSession(t, tr, "s1")
	if out := observe(t, tr, rec("session_end", "s1", 100*time.Second)); len(out) != 0 {
		t.Fatalf("explicit end wrote %s", out)
	}
	if tr.Stats().Open != 0 {
		t.Errorf("tracked %d after explicit end", tr.Stats().Open)
	}
	if out := append(tr.Expire(nil, c.Advance(2*time.Hour)), tr.CloseAll(nil)...); len(out) != 0 {
		t.Errorf("synthesized end after an explicit one: %s", out)
	}
	if st := tr.Stats(); st.EndedExplicit != 1 || st.EndsWritten != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestShutdownWithoutStoreClosesAll(t *testing.T) {
	tr := newTracker(newClock(), 100)
	feedSession(t, tr, "s1")
	observe(t, tr, rec("session_start", "s2", 0))
	out, err := tr.Shutdown(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lines := checkLines(t, out)
	checkTotals(t, one(t, lines, "session_end", "s1"), "shutdown")
	if e := one(t, lines, "session_end", "s2"); e.data["start_synthesized"] != false || num(t, e, "duration_seconds") != 0 {
		t.Errorf("s2 end %v", e.data)
	}
	if len(lines) != 2 || tr.Stats().Open != 0 {
		t.Errorf("%d lines, %d tracked", len(lines), tr.Stats().Open)
	}
	if out := tr.CloseAll(nil); len(out) != 0 {
		t.Errorf("second close wrote %s", out)
	}
}

func TestMaxTrackedEvictsLeastRecentlySeen(t *testing.T) {
	c := newClock()
	tr := newTracker(c, 3)
	for i, id := range []string{"a", "b", "c"} {
		c.Advance(time.Second)
		observe(t, tr, rec("tool_use", id, time.Duration(i)*time.Second))
	}
	c.Advance(time.Second)
	observe(t, tr, rec("tool_use", "a", 10*time.Second)) // a is now the most recent
	var order []string
	for _, id := range []string{"d", "e", "f"} {
		c.Advance(time.Second)
		lines := checkLines(t, observe(t, tr, rec("tool_use", id, 20*time.Second)))
		one(t, lines, "session_start", id)
		for _, l := range lines {
			if l.Type == "session_end" {
				if l.data["end_reason"] != "max_tracked" {
					t.Errorf("end reason %v", l.data["end_reason"])
				}
				order = append(order, l.SessionID)
			}
		}
		if n := tr.Stats().Open; n != 3 {
			t.Fatalf("tracked %d, want 3", n)
		}
	}
	if got, want := jsonString(order), `["b","c","a"]`; got != want {
		t.Errorf("eviction order %s, want %s", got, want)
	}
}

func TestShardedTrackerBound(t *testing.T) {
	tr := New(Options{MaxTracked: 5000, Now: newClock().Now})
	if len(tr.shards) != maxShards {
		t.Fatalf("%d shards, want %d", len(tr.shards), maxShards)
	}
	var out []byte
	for i := range 20000 {
		out, _ = observeOne(tr, out[:0], rec("tool_use", "s"+strconv.Itoa(i), 0))
		if i%997 == 0 {
			checkLines(t, out)
		}
	}
	if n := tr.Stats().Open; n > 5000 || n < 4000 {
		t.Errorf("tracked %d, want <= 5000 and close to it", n)
	}
	if st := tr.Stats(); st.EndedMaxTracked+int64(st.Open) != 20000 {
		t.Errorf("evicted %d + open %d != 20000", st.EndedMaxTracked, st.Open)
	}
}
