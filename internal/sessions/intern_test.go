package sessions

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// scratch returns a string over buf's bytes, as a caller's record may hold
// (the tracker must copy what it keeps).
func scratch(buf []byte, s string) string {
	n := copy(buf, s)
	return unsafe.String(&buf[0], n)
}

// The session_end reports the last model, user id and project path seen,
// even when they alternate and the record's strings are reused afterwards.
func TestAlternatingValuesEndWithLastSeen(t *testing.T) {
	tr := New(Options{Now: newClock().Now})
	models := []string{"claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"}
	buf := make([]byte, 64)
	for i := range 20 {
		e := &Entry{Type: typeTokenUsage, SessionID: "s1", Time: t0.Add(time.Duration(i) * time.Second),
			Model:       scratch(buf[:32], models[i%len(models)]),
			UserID:      "u" + strconv.Itoa(i%2),
			ProjectPath: scratch(buf[32:], "/p"+strconv.Itoa(i%3))}
		observeOne(tr, nil, e)
		copy(buf, strings.Repeat("X", len(buf))) // the caller reuses its memory
	}
	end := one(t, checkLines(t, tr.CloseAll(nil)), "session_end", "s1")
	// Record 19 is the last: model 19%3, user 19%2, project 19%3.
	if end.data["model"] != models[1] || end.UserID != "u1" || end.data["project_path"] != "/p1" {
		t.Errorf("end model %v user %v project %v, want the last seen %s u1 /p1",
			end.data["model"], end.UserID, end.data["project_path"], models[1])
	}
	if num(t, end, "records") != 20 {
		t.Errorf("records = %v, want 20", end.data["records"])
	}
}

// Once the values of a session have come back once, alternating between
// them allocates nothing.
func TestAlternatingModelsAllocateNothing(t *testing.T) {
	tr := New(Options{Now: newClock().Now})
	es := claudeBatch(60, 10)
	var b Batch
	commit := func() {
		b.Reset()
		for i := range es {
			tr.Add(&b, &es[i])
		}
		tr.Commit(nil, &b)
	}
	commit()
	commit()
	allocs := testing.AllocsPerRun(20, commit)
	if allocs != 0 {
		t.Errorf("%v allocations per 60 records of known sessions, want 0", allocs)
	}
}

// The interner stays within its bounds when a span's value changes at every
// record, and the spans still report the right value.
func TestInternerBounded(t *testing.T) {
	tr := New(Options{Now: newClock().Now})
	long := strings.Repeat("m", maxInternLen+1)
	last := ""
	for i := range 1000 {
		last = "model-" + strconv.Itoa(i) + "-" + strings.Repeat("x", i%200)
		if i%7 == 0 {
			last = long + strconv.Itoa(i)
		}
		observeOne(tr, nil, &Entry{Type: typeTokenUsage, SessionID: "s" + strconv.Itoa(i%3), Model: last, Time: t0})
		in := &tr.shards[0].intern
		if len(in.m) > maxInterned || in.bytes > maxInternBytes {
			t.Fatalf("after %d records the interner holds %d strings, %d bytes", i+1, len(in.m), in.bytes)
		}
		for k, v := range in.m {
			if len(k) > maxInternLen || k != v {
				t.Fatalf("interned %q -> %q", k, v)
			}
		}
	}
	end := one(t, checkLines(t, tr.CloseAll(nil)), "session_end", "s0") // record 999 was s0's
	if end.data["model"] != last {
		t.Errorf("end model %v, want the last seen %s", end.data["model"], last)
	}
}
