package jsonl

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// At most MaxFiles data files (live included) remain, the newest ones, also
// while the compressor races retention for the same files.
func TestRetentionByCount(t *testing.T) {
	for _, comp := range []Compression{CompressionNone, CompressionGzip, CompressionZstd} {
		t.Run(string(comp), func(t *testing.T) {
			dir := t.TempDir()
			ev := newEventLog()
			s := mustOpen(t, dir, Options{MaxBytes: 200, MaxFiles: 3, Compression: comp, Events: ev})
			for i := range 40 {
				mustAppend(t, s, line(i, 150))
			}
			mustClose(t, s)
			names := dataNames(t, s.Dir())
			if len(names) != 3 {
				t.Fatalf("files = %v, want 3", names)
			}
			for _, n := range names {
				if strings.HasSuffix(n, extTmp) {
					t.Fatalf("temporary file left: %s", n)
				}
			}
			got := readAll(t, dir)
			if len(got) != 3 || got[2]+"\n" != line(39, 150) || got[0]+"\n" != line(37, 150) {
				t.Fatalf("kept lines %d, want the newest 3", len(got))
			}
			ev.mu.Lock()
			defer ev.mu.Unlock()
			if len(ev.removed) < 37 {
				t.Fatalf("%d removals reported, want >= 37", len(ev.removed))
			}
			for name, reason := range ev.removed {
				if reason != RemovedMaxFiles {
					t.Fatalf("%s removed for %q", name, reason)
				}
			}
		})
	}
}

// MaxAge removes files closed longer ago than MaxAge, on rotation and on
// the ticker; the live file stays however old.
func TestRetentionByAge(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	ev := newEventLog()
	tick := make(chan time.Time)
	s, err := open(dir, Options{MaxBytes: 200, MaxAge: time.Hour, Compression: CompressionNone, Now: clock.Now, Events: ev},
		env{fs: osFS{}, tick: tick})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, s)
	mustAppend(t, s, line(0, 150)) // file A
	clock.Advance(30 * time.Minute)
	mustAppend(t, s, line(1, 150)) // file B (A closed now, at +30m)
	clock.Advance(50 * time.Minute)
	mustAppend(t, s, line(2, 150)) // file C at +80m: A is 50m closed, stays
	if n := len(dataNames(t, s.Dir())); n != 3 {
		t.Fatalf("%d files, want 3", n)
	}
	clock.Advance(15 * time.Minute) // A closed 65m ago
	tick <- clock.Now()
	removed := waitFor(t, ev.remCh, "removal by age")
	if r := ev.reason(removed); r != RemovedMaxAge {
		t.Fatalf("removed %s for %q", removed, r)
	}
	clock.Advance(10 * time.Hour)
	tick <- clock.Now()
	waitFor(t, ev.remCh, "second removal by age")
	tick <- clock.Now() // handled only after the previous tick finished
	if names := dataNames(t, s.Dir()); len(names) != 1 || names[0] != filepath.Base(s.liveName) {
		t.Fatalf("files = %v, want only the live file", names)
	}
}

// Retention works from the in-memory list: a file that appears in the
// directory after Open is not seen (the directory is not rescanned).
func TestRetentionDoesNotRescanDirectory(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{MaxBytes: 200, MaxFiles: 2, Compression: CompressionNone})
	foreign := filepath.Join(s.Dir(), testStems[0]+extPlain)
	writeFile(t, foreign, lines(0, 1))
	for i := range 10 {
		mustAppend(t, s, line(i, 150))
	}
	mustClose(t, s)
	if !slices.Contains(dataNames(t, s.Dir()), filepath.Base(foreign)) {
		t.Fatal("a file unknown to the sink was removed: the directory was rescanned")
	}
}

// TestRetentionAtExactlyMaxAge: a file closed exactly MaxAge ago is removed,
// one closed a microsecond less ago stays.
func TestRetentionAtExactlyMaxAge(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	tick := make(chan time.Time)
	s, err := open(dir, Options{MaxBytes: 200, MaxAge: time.Hour, Compression: CompressionNone, Now: clock.Now},
		env{fs: osFS{}, tick: tick})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, s)
	mustAppend(t, s, line(0, 150)) // file A
	clock.Advance(time.Minute)
	mustAppend(t, s, line(1, 150)) // file B: A closed now
	kept := func() int {
		// A second tick is taken only once the first was handled, and the
		// handler decides retention before it returns.
		tick <- clock.Now()
		tick <- clock.Now()
		s.filesMu.Lock()
		defer s.filesMu.Unlock()
		return len(s.files)
	}
	clock.Advance(time.Hour - time.Microsecond)
	if n := kept(); n != 2 {
		t.Fatalf("a file closed MaxAge-1µs ago was dropped: %d files kept, want 2", n)
	}
	clock.Advance(time.Microsecond)
	if n := kept(); n != 1 {
		t.Fatalf("a file closed exactly MaxAge ago was kept: %d files kept, want 1", n)
	}
}
