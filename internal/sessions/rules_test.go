package sessions

import (
	"fmt"
	"testing"
	"time"
)

// step is one action of a rules scenario: advance the fake clock, then
// either observe an entry (want keep) or run Expire, CloseAll.
type step struct {
	advance time.Duration
	entry   string // entry type; "" = no entry
	expire  bool
	close   bool
	keep    bool
}

func obs(typ string) step                { return step{entry: typ, keep: true} }
func dup(typ string) step                { return step{entry: typ} }
func after(d time.Duration, s step) step { s.advance = d; return s }
func expireAfter(d time.Duration) step   { return step{advance: d, expire: true} }
func closeAll() step                     { return step{close: true} }
func count(lines []line, typ string) (n int) {
	return countIf(lines, func(l line) bool { return l.Type == typ })
}

func countIf(lines []line, f func(line) bool) (n int) {
	for _, l := range lines {
		if f(l) {
			n++
		}
	}
	return n
}

// TestExactlyOneEndPerSpan pins the rules of the package doc: for each
// scenario, the synthesized starts and ends (plus the explicit entries the
// caller keeps) make one start and one end per span.
func TestExactlyOneEndPerSpan(t *testing.T) {
	const idle = 30 * time.Minute
	cases := []struct {
		name                string
		steps               []step
		starts, ends        int // synthesized lines
		explicitEndsKept    int
		explicitStartsKept  int
		late, dupEnd, spans int64
		orphanEnds          int // kept explicit ends of spans the tracker does not know
	}{
		{"explicit end after idle end is dropped",
			[]step{obs("tool_use"), expireAfter(idle), after(time.Minute, dup("session_end")), closeAll()},
			1, 1, 0, 0, 0, 1, 1, 0},
		{"explicit end after the remembered window passes through",
			[]step{obs("tool_use"), expireAfter(idle), expireAfter(idle), obs("session_end"), closeAll()},
			1, 1, 1, 0, 0, 0, 1, 1},
		{"second explicit end is dropped",
			[]step{obs("tool_use"), obs("session_end"), after(time.Second, dup("session_end")), closeAll()},
			1, 0, 1, 0, 0, 1, 1, 0},
		{"straggler after explicit end is absorbed",
			[]step{obs("tool_use"), obs("session_end"), after(time.Minute, obs("token_usage")), closeAll()},
			1, 0, 1, 0, 1, 0, 1, 0},
		{"record after the remembered window opens a new span",
			[]step{obs("tool_use"), obs("session_end"), expireAfter(idle), after(time.Minute, obs("tool_use")), closeAll()},
			2, 1, 1, 0, 0, 0, 2, 0},
		{"record after idle end opens a new span",
			[]step{obs("tool_use"), expireAfter(idle), after(time.Minute, obs("tool_use")), expireAfter(idle)},
			2, 2, 0, 0, 0, 0, 2, 0},
		{"explicit start after explicit end opens a new span",
			[]step{obs("session_start"), obs("session_end"), after(time.Minute, obs("session_start")), closeAll()},
			0, 1, 1, 2, 0, 0, 2, 0},
		{"explicit end of an unseen span passes through once",
			[]step{obs("session_end"), after(time.Second, dup("session_end")), after(time.Second, obs("tool_use")), closeAll()},
			0, 0, 1, 0, 1, 1, 0, 1},
		{"explicit start then explicit end",
			[]step{obs("session_start"), obs("tool_use"), obs("session_end"), expireAfter(idle), closeAll()},
			0, 0, 1, 1, 0, 0, 1, 0},
	}
	// Each scenario runs with every entry in a batch of its own, and with
	// the entries between two clock moves in one batch.
	for _, tc := range cases {
		for _, batched := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/batched=%v", tc.name, batched), func(t *testing.T) {
				c := newClock()
				tr := New(Options{IdleTimeout: idle, MaxTracked: 10, Now: c.Now})
				var out []byte
				var b Batch
				commit := func() {
					out = tr.Commit(out, &b)
					b.Reset()
				}
				var endsKept, startsKept int
				for i, s := range tc.steps {
					if s.advance != 0 || s.expire || s.close || !batched {
						commit()
					}
					now := c.Advance(s.advance)
					switch {
					case s.expire:
						out = tr.Expire(out, now)
					case s.close:
						out = tr.CloseAll(out)
					default:
						keep := tr.Add(&b, &Entry{Type: s.entry, SessionID: "s", Time: now})
						if keep != s.keep {
							t.Fatalf("step %d (%s): keep=%v, want %v", i, s.entry, keep, s.keep)
						}
						if keep && s.entry == "session_end" {
							endsKept++
						}
						if keep && s.entry == "session_start" {
							startsKept++
						}
					}
				}
				commit()
				lines := checkLines(t, out)
				if got := count(lines, "session_start"); got != tc.starts {
					t.Errorf("synthesized starts %d, want %d", got, tc.starts)
				}
				if got := count(lines, "session_end"); got != tc.ends {
					t.Errorf("synthesized ends %d, want %d", got, tc.ends)
				}
				if endsKept != tc.explicitEndsKept || startsKept != tc.explicitStartsKept {
					t.Errorf("explicit ends kept %d, starts kept %d; want %d, %d",
						endsKept, startsKept, tc.explicitEndsKept, tc.explicitStartsKept)
				}
				st := tr.Stats()
				if st.Late != tc.late || st.DuplicateEnds != tc.dupEnd || st.Started != tc.spans {
					t.Errorf("late %d dupEnd %d spans %d; want %d %d %d", st.Late, st.DuplicateEnds, st.Started,
						tc.late, tc.dupEnd, tc.spans)
				}
				// One start and one end per span, counting what the caller keeps.
				if s, e := tc.starts+startsKept, tc.ends+endsKept-tc.orphanEnds; s != int(st.Started) || e != s {
					t.Errorf("%d spans but %d starts and %d ends", st.Started, s, e)
				}
			})
		}
	}
}

func TestExplicitEndAfterEvictionIsDropped(t *testing.T) {
	c := newClock()
	tr := New(Options{MaxTracked: 1, Now: c.Now})
	observe(t, tr, rec("tool_use", "a", 0))
	out := observe(t, tr, rec("tool_use", "b", time.Second))
	if one(t, checkLines(t, out), "session_end", "a").data["end_reason"] != "max_tracked" {
		t.Fatal("a not evicted")
	}
	if out, keep := observeOne(tr, nil, rec("session_end", "a", 2*time.Second)); keep || len(out) != 0 {
		t.Errorf("late explicit end of an evicted span: keep=%v out=%q", keep, out)
	}
}

// TestExplicitEndRememberedForExactlyIdleTimeout: an explicitly ended span
// is remembered for IdleTimeout of tracker time after its end, and not a
// nanosecond longer. Within it, a record is a straggler of the ended span
// and a session_end a duplicate; from exactly IdleTimeout on, a record opens
// a new span (with its synthesized start) and a session_end passes through.
// Add (which predicts) and Commit (which decides) must agree at the edge.
func TestExplicitEndRememberedForExactlyIdleTimeout(t *testing.T) {
	const idle = 30 * time.Minute
	cases := []struct {
		after   time.Duration
		typ     string
		keep    bool
		started int64 // spans opened, the first one included
		late    int64
	}{
		{idle - time.Nanosecond, "tool_use", true, 1, 1},
		{idle, "tool_use", true, 2, 0},
		{idle - time.Nanosecond, "session_end", false, 1, 0},
		{idle, "session_end", true, 1, 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s after %v", tc.typ, tc.after), func(t *testing.T) {
			c := newClock()
			tr := New(Options{IdleTimeout: idle, MaxTracked: 10, Now: c.Now})
			observe(t, tr, rec("tool_use", "s", 0), rec("session_end", "s", time.Second))
			c.Advance(tc.after)
			var b Batch
			if keep := tr.Add(&b, rec(tc.typ, "s", 2*time.Second)); keep != tc.keep {
				t.Fatalf("Add: keep=%v, want %v", keep, tc.keep)
			}
			out := tr.Commit(nil, &b)
			st := tr.Stats()
			if st.Started != tc.started || st.Late != tc.late {
				t.Fatalf("spans %d, late %d; want %d, %d", st.Started, st.Late, tc.started, tc.late)
			}
			if starts := count(checkLines(t, out), "session_start"); starts != int(tc.started-1) {
				t.Fatalf("%d synthesized starts, want %d", starts, tc.started-1)
			}
		})
	}
}
