package sessions

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"
)

// randomEntry is an entry of one of ids with random type, strings and
// numbers (including a missing time, negative tokens and a NaN cost).
func randomEntry(rng *rand.Rand, ids []string, now time.Time) Entry {
	types := []string{"tool_use", "token_usage", "session_start", "session_end", "error_occurred", "api_error", "token_usage"}
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	e := Entry{Type: pick(types...), SessionID: ids[rng.IntN(len(ids))],
		Time:   now.Add(time.Duration(rng.IntN(5000)-1000) * time.Millisecond),
		UserID: pick("", "u1", "u2"), Model: pick("", "m-sonnet", "m-haiku", "m-opus"), ProjectPath: pick("", "/a", "/b"),
		InputTokens: int64(rng.IntN(2000) - 100), OutputTokens: int64(rng.IntN(500)), CostUSD: rng.Float64()}
	switch rng.IntN(20) {
	case 0:
		e.Time = time.Time{}
	case 1:
		e.CostUSD = math.NaN()
	case 2:
		e.Synthesized = true
	}
	return e
}

// TestBatchingIsTransparent: random batches, with the clock moving and
// Expire running between them. One tracker commits each batch whole (Add
// for every entry, then one Commit), the other one entry at a time (a batch
// of one per entry). Both trackers must write the same lines and end with
// the same counters and the same open spans. With MaxTracked 3 spans are
// evicted and closed spans forgotten within a batch (Commit's cached span
// goes stale), and Add, which sees the tracker as it was before the batch,
// may then call a session_start a duplicate that Commit finds opens a new
// span; with 5000 nothing is evicted, Add must answer as for the entry
// alone, and the sessions spread over shards that Commit locks together.
// The rules themselves are pinned by TestExactlyOneEndPerSpan.
func TestBatchingIsTransparent(t *testing.T) {
	const idle = 30 * time.Minute
	for _, maxTracked := range []int{3, 5000} {
		ids := []string{""}
		for i := range 40 {
			ids = append(ids, "session-"+strconv.Itoa(i))
		}
		evicts := maxTracked < len(ids)
		for seed := range uint64(100) {
			rng := rand.New(rand.NewPCG(seed, 11))
			c := newClock()
			single := New(Options{IdleTimeout: idle, MaxTracked: maxTracked, Now: c.Now})
			whole := New(Options{IdleTimeout: idle, MaxTracked: maxTracked, Now: c.Now})
			whole.seed = single.seed // the same shards, so the same order of lines
			var singleOut, wholeOut []byte
			var b Batch
			for range 30 {
				b.Reset()
				batch := make([]Entry, 1+rng.IntN(40))
				keeps := make([]bool, len(batch))
				for i := range batch {
					batch[i] = randomEntry(rng, ids[:1+rng.IntN(len(ids))], c.Now())
					keeps[i] = whole.Add(&b, &batch[i])
				}
				for i := range batch {
					var keep bool
					if singleOut, keep = observeOne(single, singleOut, &batch[i]); keep != keeps[i] && !evicts {
						t.Fatalf("max %d seed %d: Add(%s %q) in the batch said %v, alone %v",
							maxTracked, seed, batch[i].Type, batch[i].SessionID, keeps[i], keep)
					}
				}
				wholeOut = whole.Commit(wholeOut, &b)
				if r, w := appendSnapshot(nil, single), appendSnapshot(nil, whole); !bytes.Equal(r, w) {
					t.Fatalf("max %d seed %d: open spans differ after a batch of %d", maxTracked, seed, len(batch))
				}
				now := c.Advance([]time.Duration{time.Second, time.Minute, idle, 2 * idle}[rng.IntN(4)])
				singleOut, wholeOut = single.Expire(singleOut, now), whole.Expire(wholeOut, now)
			}
			if r, w := single.Stats(), whole.Stats(); r != w {
				t.Fatalf("max %d seed %d: counters differ:\none by one %+v\nbatched    %+v", maxTracked, seed, r, w)
			}
			sameLines(t, singleOut, wholeOut)
			sameLines(t, single.CloseAll(nil), whole.CloseAll(nil))
		}
	}
}

// TestEvictionWithinABatch: with room for one span, a batch alternating
// two sessions evicts at every switch; Commit must not reuse the span it
// found for an earlier entry of the same session once that span closed.
func TestEvictionWithinABatch(t *testing.T) {
	tr := New(Options{MaxTracked: 1, Now: newClock().Now})
	var b Batch
	for _, id := range []string{"a", "b", "a", "b"} {
		if !tr.Add(&b, rec("tool_use", id, 0)) {
			t.Fatalf("tool_use of %s rejected", id)
		}
	}
	lines := checkLines(t, tr.Commit(nil, &b))
	if n := count(lines, "session_start"); n != 4 {
		t.Errorf("%d session_start lines, want 4 (each switch opens a new span)", n)
	}
	if n := countIf(lines, func(l line) bool { return l.Type == "session_end" && l.data["end_reason"] == "max_tracked" }); n != 3 {
		t.Errorf("%d max_tracked session_end lines, want 3", n)
	}
	if st := tr.Stats(); st.Open != 1 || st.Started != 4 || st.EndedMaxTracked != 3 {
		t.Errorf("stats %+v, want 1 open, 4 started, 3 ended max_tracked", st)
	}
}

// sameLines asserts that a and b hold the same lines but for their random
// entry ids (the first key of every line).
func sameLines(t *testing.T, a, b []byte) {
	t.Helper()
	al, bl := bytes.Split(a, []byte{'\n'}), bytes.Split(b, []byte{'\n'})
	if len(al) != len(bl) {
		t.Fatalf("%d vs %d lines:\n%s\n%s", len(al), len(bl), a, b)
	}
	const idEnd = len(`{"id":"00000000-0000-0000-0000-000000000000"`)
	for i := range al {
		if len(al[i]) < idEnd || len(bl[i]) < idEnd {
			if len(al[i])+len(bl[i]) != 0 { // after the last newline
				t.Fatalf("line %d is short:\n%s\n%s", i, al[i], bl[i])
			}
			continue
		}
		if !bytes.Equal(al[i][idEnd:], bl[i][idEnd:]) {
			t.Fatalf("line %d differs:\n%s\n%s", i, al[i], bl[i])
		}
	}
}

// Commit records the batch once; Reset empties it, and a batch reused after
// Reset holds only its new entries.
func TestBatchReset(t *testing.T) {
	tr := New(Options{Now: newClock().Now})
	var b Batch
	for range 3 {
		if !tr.Add(&b, rec("tool_use", "s1", 0)) {
			t.Fatal("a tool_use was rejected")
		}
	}
	one(t, checkLines(t, tr.Commit(nil, &b)), "session_start", "s1")
	b.Reset()
	if out := tr.Commit(nil, &b); len(out) != 0 {
		t.Fatalf("an empty batch wrote %s", out)
	}
	tr.Add(&b, rec("tool_use", "s2", 0))
	one(t, checkLines(t, tr.Commit(nil, &b)), "session_start", "s2")
	end := one(t, checkLines(t, tr.CloseAll(nil)), "session_end", "s1")
	if num(t, end, "records") != 3 {
		t.Errorf("s1 records = %v, want 3", end.data["records"])
	}
}

// TestConcurrentCommit commits batches that span every shard from several
// goroutines while one-entry batches and Expire run (go test -race; a lock order
// mistake deadlocks): no record is lost and every span has one start and
// one end.
func TestConcurrentCommit(t *testing.T) {
	const workers, batches, perBatch, ids = 4, 50, 100, 300
	c := newClock()
	tr := New(Options{MaxTracked: 4096, Now: c.Now})
	outs := make([][]byte, workers+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 3))
			var b Batch
			for i := range batches {
				b.Reset()
				for range perBatch {
					e := &Entry{Type: "tool_use", SessionID: "s" + strconv.Itoa(rng.IntN(ids)), Time: c.Now()}
					if i%2 == 0 {
						tr.Add(&b, e)
					} else {
						outs[w], _ = observeOne(tr, outs[w], e)
					}
				}
				outs[w] = tr.Commit(outs[w], &b)
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			outs[workers] = tr.Expire(outs[workers], c.Advance(time.Minute))
		}
	})
	wg.Wait()
	lines := checkLines(t, append(bytes.Join(outs, nil), tr.CloseAll(nil)...))
	records := 0.0
	for _, l := range lines {
		if l.Type == "session_end" {
			records += num(t, l, "records")
		}
	}
	st := tr.Stats()
	if int64(count(lines, "session_start")) != st.Started || int64(count(lines, "session_end")) != st.Started {
		t.Errorf("%d starts, %d ends, %d spans", count(lines, "session_start"), count(lines, "session_end"), st.Started)
	}
	if records != workers*batches*perBatch {
		t.Errorf("ends count %v records, want %d", records, workers*batches*perBatch)
	}
}

// A Batch tells apart session ids that share a fingerprint (same length,
// first and last 8 bytes) and ids past its small table: the second
// session_start of each is the duplicate, whatever the number of ids.
func TestBatchManySimilarIDs(t *testing.T) {
	for _, n := range []int{2, smallBatch, smallBatch + 1, 200} {
		tr := New(Options{Now: newClock().Now})
		var b Batch
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "aaaaaaaa-" + strconv.Itoa(100000+i) + "-bbbbbbbb"
			if fingerprint(ids[i]) != fingerprint(ids[0]) {
				t.Fatalf("%q and %q: want the same fingerprint", ids[i], ids[0])
			}
		}
		for round := range 2 {
			for _, id := range ids {
				if keep := tr.Add(&b, rec("session_start", id, 0)); keep != (round == 0) {
					t.Fatalf("%d ids, round %d: Add(session_start %s) = %v", n, round, id, keep)
				}
			}
		}
		lines := tr.Commit(nil, &b)
		if st := tr.Stats(); len(lines) != 0 || st.Started != int64(n) || st.DuplicateStarts != int64(n) {
			t.Fatalf("%d ids: %d spans, %d duplicates, lines %s", n, st.Started, st.DuplicateStarts, lines)
		}
	}
}
