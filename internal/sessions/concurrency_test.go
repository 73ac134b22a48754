package sessions

import (
	"bytes"
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentBatchesOfOne commits one-entry batches from several
// goroutines, an expiring ticker and persisting in parallel (go test -race)
// and checks that no update is lost: every span has one start and one end,
// and the ends' record counts add up to every record.
func TestConcurrentBatchesOfOne(t *testing.T) {
	const workers, perWorker, ids = 8, 1000, 200
	c := newClock()
	store := newMapStore()
	tr := New(Options{IdleTimeout: 30 * time.Minute, MaxTracked: 150, Now: c.Now, Store: store})
	outs := make([][]byte, workers+1)
	var wg sync.WaitGroup
	done := make(chan struct{})
	go func() { // the exporter's ticker
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			outs[workers] = tr.Expire(outs[workers], c.Advance(time.Minute))
			if i%10 == 0 {
				if err := tr.Persist(context.Background()); err != nil {
					t.Error(err)
				}
			}
			runtime.Gosched()
		}
	}()
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range perWorker {
				id := "s" + strconv.Itoa(r.IntN(ids))
				e := &Entry{Type: "tool_use", SessionID: id, Time: c.Now()}
				outs[w], _ = observeOne(tr, outs[w], e)
			}
		})
	}
	wg.Wait()
	done <- struct{}{}
	<-done
	all := append(bytes.Join(outs, nil), tr.CloseAll(nil)...)
	lines := checkLines(t, all)
	starts, ends, records := map[string]int{}, map[string]int{}, 0.0
	for _, l := range lines {
		switch l.Type {
		case "session_start":
			starts[l.SessionID]++
		case "session_end":
			ends[l.SessionID]++
			records += num(t, l, "records")
		}
	}
	st := tr.Stats()
	if int64(count(lines, "session_start")) != st.Started || int64(count(lines, "session_end")) != st.Started {
		t.Errorf("%d starts, %d ends, %d spans", count(lines, "session_start"), count(lines, "session_end"), st.Started)
	}
	for id, n := range starts {
		if ends[id] != n {
			t.Errorf("%s: %d starts, %d ends", id, n, ends[id])
		}
	}
	if records != workers*perWorker {
		t.Errorf("ends count %v records, want %d", records, workers*perWorker)
	}
	t.Logf("%d spans, %d idle ends, %d max_tracked ends", st.Started, st.EndedIdle, st.EndedMaxTracked)
}

// Test100kConcurrentSessions opens 100,000 sessions from 4 goroutines with
// MaxTracked 10,000: the tracker never holds more than MaxTracked open spans,
// every session gets its start and, when pushed out, its end, and the heap
// grows by the bounded state only.
func Test100kConcurrentSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("100k sessions: skipped with -short")
	}
	const total, maxTracked, workers = 100000, 10000, 4
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	tr := New(Options{MaxTracked: maxTracked, Now: newClock().Now})
	var starts, ends atomic.Int64
	var over atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var out []byte
			for i := w; i < total; i += workers {
				id := "session-" + strconv.Itoa(i) + "-0123456789abcdef" // uuid-sized
				e := &Entry{Type: "token_usage", SessionID: id, UserID: "user", Model: "m", InputTokens: 1}
				out, _ = observeOne(tr, out[:0], e)
				out, _ = observeOne(tr, out, e)
				starts.Add(int64(bytes.Count(out, []byte(`"type":"session_start"`))))
				ends.Add(int64(bytes.Count(out, []byte(`"type":"session_end"`))))
				if i%1000 == 0 && tr.Stats().Open > maxTracked {
					over.Store(true)
				}
			}
		})
	}
	wg.Wait()
	after := heap()
	st := tr.Stats()
	if over.Load() || st.Open > maxTracked {
		t.Errorf("tracked %d (or more during the run), want <= %d", st.Open, maxTracked)
	}
	if starts.Load() != total || st.Started != total {
		t.Errorf("%d starts written, %d spans, want %d", starts.Load(), st.Started, total)
	}
	if ends.Load() != st.EndedMaxTracked || ends.Load()+int64(st.Open) != total {
		t.Errorf("%d ends + %d open != %d", ends.Load(), st.Open, total)
	}
	growth := int64(after) - int64(before)
	// 10,000 open + 10,000 remembered closed spans at ~250 bytes each plus
	// map overhead; the 100,000 sessions unbounded would need ~40 MB.
	const limit = 16 << 20
	if growth > limit {
		t.Errorf("heap grew %d bytes, want < %d", growth, limit)
	}
	t.Logf("heap growth %.1f MB for %d open spans", float64(growth)/(1<<20), st.Open)
	runtime.KeepAlive(tr)
}
