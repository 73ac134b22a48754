package jsonl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/analyticsexporter/analyticsexporter/internal/fakeclock"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		crashChild()
		return
	}
	goleak.VerifyTestMain(m)
}

// newFakeClock is a settable clock for Options.Now.
func newFakeClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC))
}

// eventLog records Events; rotations and removals also go to channels so a
// test can wait for background work without sleeping.
type eventLog struct {
	mu         sync.Mutex
	rotated    [][2]string
	compressed []compressedEvent
	removed    map[string]string
	rotCh      chan string
	remCh      chan string
}

type compressedEvent struct {
	file    string
	in, out int64
	err     error
}

func newEventLog() *eventLog {
	return &eventLog{removed: map[string]string{}, rotCh: make(chan string, 100000), remCh: make(chan string, 100000)}
}

func (l *eventLog) Rotated(closed, next string) {
	l.mu.Lock()
	l.rotated = append(l.rotated, [2]string{closed, next})
	l.mu.Unlock()
	l.rotCh <- next
}

func (l *eventLog) Compressed(file string, in, out int64, _ time.Duration, err error) {
	l.mu.Lock()
	l.compressed = append(l.compressed, compressedEvent{file, in, out, err})
	l.mu.Unlock()
}

func (l *eventLog) Removed(file, reason string) {
	l.mu.Lock()
	l.removed[filepath.Base(file)] = reason
	l.mu.Unlock()
	l.remCh <- file
}

func (l *eventLog) reason(file string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.removed[filepath.Base(file)]
}

func (l *eventLog) compressions() []compressedEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.compressed)
}

// waitFor receives from ch or fails after a generous timeout (a guard for a
// hung test, not a timing assumption).
func waitFor(t *testing.T, ch <-chan string, what string) string {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		return ""
	}
}

// readAll returns every line of a sink directory through Reader.
func readAll(t testing.TB, dir string) []string {
	t.Helper()
	r, err := NewReader(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var lines []string
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return lines
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(line))
	}
}

// dataNames lists the data file names in a metrics directory, sorted.
func dataNames(t testing.TB, mdir string) []string {
	t.Helper()
	entries, err := os.ReadDir(mdir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if _, k := defaultNames.classify(e.Name()); k != kindOther {
			names = append(names, e.Name())
		}
	}
	return names
}

// line returns a JSON line for sequence number i padded to about size bytes.
func line(i, size int) string {
	s := fmt.Sprintf(`{"seq":%d,"pad":"`, i)
	pad := max(size-len(s)-3, 0)
	return s + strings.Repeat("x", pad) + "\"}\n"
}

func mustOpen(t testing.TB, dir string, opts Options) *Sink {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAppend(t testing.TB, s *Sink, batch string) {
	t.Helper()
	if err := s.Append([]byte(batch)); err != nil {
		t.Fatal(err)
	}
}

func mustClose(t testing.TB, s *Sink) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// defaultNames is the naming of a sink opened with zero Options.
var defaultNames = naming{DefaultFilePrefix}
