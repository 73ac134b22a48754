package jsonl

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// compressSignal reports every finished compression attempt on a channel.
type compressSignal struct {
	noEvents
	done chan error
}

func (c compressSignal) Compressed(_ string, _, _ int64, _ time.Duration, err error) { c.done <- err }

// A compression that failed (here: its output name taken, as a full disk
// would fail it) is tried again at the next rotation, not left plain until
// the next Open.
func TestFailedCompressionRetriedAtNextRotation(t *testing.T) {
	dir := t.TempDir()
	ev := compressSignal{done: make(chan error, 16)}
	s := mustOpen(t, dir, Options{MaxBytes: 200, Events: ev})
	first := s.liveName
	blocker := first + ".gz" + extTmp
	if err := os.Symlink(filepath.Join(t.TempDir(), "victim"), blocker); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, line(0, 150))
	mustAppend(t, s, line(1, 150)) // rotates; compressing the first file fails
	if err := <-ev.done; err == nil {
		t.Fatal("the first compression succeeded despite its taken output name")
	}
	// The failed attempt unlinked the planted name (never following it).
	if _, err := os.Lstat(blocker); !os.IsNotExist(err) {
		t.Fatalf("planted name still there after the failed attempt: %v", err)
	}
	mustAppend(t, s, line(2, 150)) // rotates again: the first file is retried
	mustClose(t, s)
	if st := s.Stats(); st.CompressErrors != 1 || st.Compressions != 2 {
		t.Fatalf("stats %+v, want 1 error and 2 compressions (the retry and the second file)", st)
	}
	if _, err := os.Stat(first + ".gz"); err != nil {
		t.Fatalf("first file not compressed on retry: %v", err)
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Fatalf("plain first file still there: %v", err)
	}
	if got := len(readAll(t, dir)); got != 3 {
		t.Fatalf("read %d lines, want 3", got)
	}
}

// A file that keeps failing is tried at most maxCompressTries times.
func TestFailedCompressionTriesBounded(t *testing.T) {
	dir := t.TempDir()
	ev := compressSignal{done: make(chan error, 64)}
	s := mustOpen(t, dir, Options{MaxBytes: 200, Events: ev})
	blocker := s.liveName + ".gz" + extTmp
	victim := filepath.Join(t.TempDir(), "victim")
	failures := 0
	for i := range 2 + maxCompressTries {
		// Each failed attempt unlinks the planted name: plant it again.
		if err := os.Symlink(victim, blocker); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
		mustAppend(t, s, line(i, 150)) // from i = 1 on, every append rotates
		attempts := 0
		switch {
		case i == 1:
			attempts = 1 // the blocked file's first attempt
		case i > 1 && i <= maxCompressTries:
			attempts = 2 // its retry, then the file rotated now
		case i > maxCompressTries:
			attempts = 1 // no more retries: only the file rotated now
		}
		for range attempts {
			if err := <-ev.done; err != nil {
				failures++
			}
		}
	}
	mustClose(t, s)
	if st := s.Stats(); st.CompressErrors != maxCompressTries || failures != maxCompressTries {
		t.Fatalf("stats %+v, %d failure events, want exactly %d failed attempts at the blocked file", st, failures, maxCompressTries)
	}
}
