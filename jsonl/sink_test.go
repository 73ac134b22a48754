package jsonl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAppendReadsBackInOrder(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	var want []string
	for i := range 100 {
		batch := line(2*i, 50) + line(2*i+1, 50)
		mustAppend(t, s, batch)
		want = append(want, strings.TrimSuffix(line(2*i, 50), "\n"), strings.TrimSuffix(line(2*i+1, 50), "\n"))
	}
	st := s.Stats()
	mustClose(t, s)
	if got := readAll(t, dir); !slices.Equal(got, want) {
		t.Fatalf("read back %d lines, want %d (first diff matters)", len(got), len(want))
	}
	if st.Batches != 100 || st.Bytes != 100*100 || st.Rotations != 0 {
		t.Fatalf("stats = %+v, want 100 batches, 10000 bytes, 0 rotations", st)
	}
	if s.Dir() != filepath.Join(dir, "metrics") {
		t.Fatalf("Dir() = %q", s.Dir())
	}
}

func TestAppendRejectsBatchWithoutNewline(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	defer mustClose(t, s)
	if err := s.Append([]byte(`{"a":1}`)); !errors.Is(err, ErrPartialLine) {
		t.Fatalf("err = %v, want ErrPartialLine", err)
	}
	if err := s.Append(nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	if st := s.Stats(); st.Batches != 0 || st.Bytes != 0 {
		t.Fatalf("stats after rejected batch = %+v", st)
	}
}

func TestAppendAfterCloseFails(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	mustClose(t, s)
	if err := s.Append([]byte("{}\n")); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestOptionsValidationNamesTheField(t *testing.T) {
	for field, o := range map[string]Options{
		"MaxBytes":    {MaxBytes: -1},
		"MaxFiles":    {MaxFiles: -1},
		"MaxAge":      {MaxAge: -time.Second},
		"Interval":    {Interval: -time.Second},
		"Compression": {Compression: "lz4"},
		"FileMode":    {FileMode: os.ModeSymlink | 0o600},
		"DirMode":     {DirMode: os.ModeDir | 0o700},
	} {
		_, err := Open(t.TempDir(), o)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: err = %v, want one naming the field", field, err)
		}
	}
}

// Rotation happens before a batch would pass MaxBytes, and a batch is never
// split across files.
func TestRotationKeepsBatchesWholeAndUnderLimit(t *testing.T) {
	dir := t.TempDir()
	const maxBytes = 1000
	s := mustOpen(t, dir, Options{MaxBytes: maxBytes, Compression: CompressionNone, MaxFiles: 1000})
	seq := 0
	batches := map[string]bool{} // content of every batch
	for i := range 200 {
		var b strings.Builder
		for range 1 + i%4 {
			b.WriteString(line(seq, 60+i%70))
			seq++
		}
		batches[b.String()] = true
		mustAppend(t, s, b.String())
	}
	mustClose(t, s)
	names := dataNames(t, s.Dir())
	if len(names) < 20 {
		t.Fatalf("only %d files; rotation did not happen", len(names))
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(s.Dir(), n))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > maxBytes {
			t.Errorf("%s has %d bytes > MaxBytes", n, len(data))
		}
		if !splitsIntoBatches(string(data), batches) {
			t.Errorf("%s does not hold whole batches", n)
		}
	}
	if got := len(readAll(t, dir)); got != seq {
		t.Fatalf("read %d lines, want %d", got, seq)
	}
}

// splitsIntoBatches reports whether data is a concatenation of whole batches.
func splitsIntoBatches(data string, batches map[string]bool) bool {
	if data == "" {
		return true
	}
	for end := 1; end <= len(data); end++ {
		if batches[data[:end]] && splitsIntoBatches(data[end:], batches) {
			return true
		}
	}
	return false
}

func TestOversizedBatchGoesWholeIntoItsOwnFile(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{MaxBytes: 100, Compression: CompressionNone})
	small, big := line(1, 40), strings.Repeat(line(2, 90), 5)
	mustAppend(t, s, small)
	mustAppend(t, s, big)
	mustAppend(t, s, small)
	mustClose(t, s)
	names := dataNames(t, s.Dir())
	if len(names) != 3 {
		t.Fatalf("files = %v, want 3", names)
	}
	for i, want := range []string{small, big, small} {
		got, _ := os.ReadFile(filepath.Join(s.Dir(), names[i]))
		if string(got) != want {
			t.Errorf("file %d holds %d bytes, want %d", i, len(got), len(want))
		}
	}
}

// The clock steps back and stands still; names must still be unique and
// sort in creation order, and no line may be lost.
func TestNamesUniqueAndOrderedWhenClockStepsBack(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	ev := newEventLog()
	s := mustOpen(t, dir, Options{MaxBytes: 1, MaxFiles: 100000, Compression: CompressionNone, Now: clock.Now, Events: ev})
	const n = 3000
	for i := range n {
		if i%500 == 0 {
			clock.Advance(-time.Hour) // NTP step back
		}
		mustAppend(t, s, line(i, 30))
	}
	mustClose(t, s)
	var created []string
	for _, r := range ev.rotated {
		created = append(created, filepath.Base(r[1]))
	}
	if len(created) != n-1 {
		t.Fatalf("%d rotations, want %d", len(created), n-1)
	}
	if !slices.IsSorted(created) || len(slices.Compact(slices.Clone(created))) != len(created) {
		t.Fatal("names are not unique and in creation order")
	}
	names := dataNames(t, s.Dir())
	if len(names) != n {
		t.Fatalf("%d files on disk, want %d", len(names), n)
	}
	for i, l := range readAll(t, dir) {
		if l+"\n" != line(i, 30) {
			t.Fatalf("line %d = %q", i, l)
		}
	}
}

// Thousands of rotations a second on the real clock: every line comes back,
// in order, and the names stay unique within a microsecond.
func TestThousandsOfRotationsPerSecond(t *testing.T) {
	for _, c := range []struct {
		comp Compression
		n    int
	}{{CompressionNone, 20000}, {CompressionGzip, 600}} {
		t.Run(string(c.comp), func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, Options{MaxBytes: 256, MaxFiles: 1 << 20, Compression: c.comp})
			start := time.Now()
			for i := range c.n {
				mustAppend(t, s, line(i, 100))
			}
			elapsed := time.Since(start)
			rot := s.Stats().Rotations
			mustClose(t, s)
			t.Logf("%d rotations in %v (%.0f/s)", rot, elapsed, float64(rot)/elapsed.Seconds())
			if rot < int64(c.n/2-1) {
				t.Fatalf("%d rotations, want >= %d", rot, c.n/2-1)
			}
			lines := readAll(t, dir)
			if len(lines) != c.n {
				t.Fatalf("read %d lines, want %d", len(lines), c.n)
			}
			for i, l := range lines {
				if l+"\n" != line(i, 100) {
					t.Fatalf("line %d out of order: %.30q", i, l)
				}
			}
		})
	}
}

func TestIntervalRotation(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	ev := newEventLog()
	tick := make(chan time.Time)
	s, err := open(dir, Options{Interval: time.Minute, Compression: CompressionNone, Now: clock.Now, Events: ev},
		env{fs: osFS{}, tick: tick})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, s)
	first := s.liveName

	// On Append: a file older than Interval is rotated before the write.
	mustAppend(t, s, line(0, 40))
	clock.Advance(59 * time.Second)
	mustAppend(t, s, line(1, 40))
	if s.Stats().Rotations != 0 {
		t.Fatal("rotated before the interval passed")
	}
	clock.Advance(time.Second)
	mustAppend(t, s, line(2, 40))
	if got := waitFor(t, ev.rotCh, "rotation on append"); got == first {
		t.Fatal("rotation did not start a new file")
	}

	// On the ticker: a quiet, non-empty file is rotated.
	clock.Advance(time.Minute)
	tick <- clock.Now()
	waitFor(t, ev.rotCh, "rotation on tick")

	// An empty live file is not rotated by the ticker.
	clock.Advance(time.Hour)
	tick <- clock.Now()
	tick <- clock.Now() // returns only after the first tick was handled
	if r := s.Stats().Rotations; r != 2 {
		t.Fatalf("rotations = %d, want 2 (empty file must not rotate)", r)
	}
}

func TestSecondOpenOfSameDirectoryFails(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	_, err := Open(dir, Options{})
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) {
		t.Fatalf("second Open: err = %v, want a LockedError", err)
	}
	if le.PID != os.Getpid() || !strings.Contains(err.Error(), filepath.Join(dir, "metrics")) ||
		!strings.Contains(err.Error(), "in this process") {
		t.Fatalf("error %q should name the directory and say the holder is this process (pid %d)", err, os.Getpid())
	}
	mustClose(t, s)
	s2 := mustOpen(t, dir, Options{})
	mustClose(t, s2)
}

func TestAppendDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test-norace runs this")
	}
	s := mustOpen(t, t.TempDir(), Options{MaxBytes: 1 << 30, Compression: CompressionNone})
	defer mustClose(t, s)
	batch := []byte(strings.Repeat(line(1, 400), 100))
	if allocs := testing.AllocsPerRun(200, func() {
		if err := s.Append(batch); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("Append allocates %.1f times per call, want 0", allocs)
	}
}

// Concurrent Appends with rotations: every line arrives whole, once, and
// each writer's lines keep their order.
func TestConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{MaxBytes: 4096, MaxFiles: 100000})
	const writers, per = 4, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range per {
				if err := s.Append(fmt.Appendf(nil, `{"w":%d,"i":%d}`+"\n", w, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	mustClose(t, s)
	next := make([]int, writers)
	for _, l := range readAll(t, dir) {
		var w, i int
		if _, err := fmt.Sscanf(l, `{"w":%d,"i":%d}`, &w, &i); err != nil || i != next[w] {
			t.Fatalf("line %q: want writer %d's line %d", l, w, next[w])
		}
		next[w]++
	}
	for w, n := range next {
		if n != per {
			t.Fatalf("writer %d: %d lines, want %d", w, n, per)
		}
	}
}

// TestRotationAtExactlyMaxBytes: a batch that fills the live file to exactly
// MaxBytes goes into it; one byte more goes into a new file.
func TestRotationAtExactlyMaxBytes(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{MaxBytes: 300, Compression: CompressionNone})
	mustAppend(t, s, line(0, 150))
	mustAppend(t, s, line(1, 150)) // 300 bytes: exactly MaxBytes
	if n := s.Stats().Rotations; n != 0 {
		t.Fatalf("%d rotations for a file filled to exactly MaxBytes, want 0", n)
	}
	mustAppend(t, s, "x\n") // 302: past MaxBytes
	if n := s.Stats().Rotations; n != 1 {
		t.Fatalf("%d rotations once a batch would pass MaxBytes, want 1", n)
	}
	mustClose(t, s)
}
