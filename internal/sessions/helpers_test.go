package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/fakeclock"
	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

// t0 is the fake clock's start; record times in tests are t0 plus offsets.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// newClock is a tracker clock the test moves by hand, from t0.
func newClock() *fakeclock.Clock { return fakeclock.New(t0) }

// line is one checked synthesized line.
type line struct {
	schema.Entry
	data, meta map[string]any
}

// checkLines splits b into lines, checks each against the entry contract and
// the synthesized-line shape, and returns them.
func checkLines(t *testing.T, b []byte) []line {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] != '\n' {
		t.Fatalf("output does not end with a newline: %q", b)
	}
	var out []line
	for _, raw := range bytes.Split(b[:len(b)-1], []byte{'\n'}) {
		e, err := schema.CheckLine(raw)
		if err != nil {
			t.Fatalf("bad line %s: %v", raw, err)
		}
		l := line{Entry: e}
		if l.data, err = e.DataMap(); err != nil {
			t.Fatal(err)
		}
		if l.meta, err = e.MetadataMap(); err != nil {
			t.Fatal(err)
		}
		if l.data["synthesized"] != true || l.meta["signal"] != "session" || l.meta["synthesized"] != true {
			t.Errorf("line is not marked synthesized: %s", raw)
		}
		out = append(out, l)
	}
	return out
}

// one asserts exactly one line of type typ for session id.
func one(t *testing.T, lines []line, typ, id string) line {
	t.Helper()
	var found []line
	for _, l := range lines {
		if l.Type == typ && l.SessionID == id {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s for %q, got %d in %d lines", typ, id, len(found), len(lines))
	}
	return found[0]
}

func num(t *testing.T, l line, key string) float64 {
	t.Helper()
	n, ok := l.data[key].(json.Number)
	if !ok {
		t.Fatalf("data.%s = %#v, want a number", key, l.data[key])
	}
	v, err := n.Float64()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// mapStore is a map-backed fake of the storage client's Get/Set.
type mapStore struct {
	mu   sync.Mutex
	m    map[string][]byte
	sets int
	fail error
}

func newMapStore() *mapStore { return &mapStore{m: map[string][]byte{}} }

func (s *mapStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	v, ok := s.m[key]
	if !ok {
		return nil, nil
	}
	return bytes.Clone(v), nil
}

func (s *mapStore) Set(_ context.Context, key string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.sets++
	s.m[key] = bytes.Clone(v)
	return nil
}

var errStore = errors.New("disk on fire")

// observeOne commits e as a batch of its own: Add, then Commit. It returns
// dst with the lines e causes, and Add's answer.
func observeOne(tr *Tracker, dst []byte, e *Entry) ([]byte, bool) {
	var b Batch
	keep := tr.Add(&b, e)
	return tr.Commit(dst, &b), keep
}

// queueOne is observeOne for a caller that leaves the lines in the outbox
// (as the exporter does with the lines of a failed write).
func queueOne(tr *Tracker, e *Entry) bool {
	out, keep := observeOne(tr, nil, e)
	tr.Requeue(out)
	return keep
}

// rec builds an entry at t0+off.
func rec(typ, id string, off time.Duration) *Entry {
	return &Entry{Type: typ, SessionID: id, UserID: "u-" + id, Time: t0.Add(off)}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
