package jsonl

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// stems for hand-made directories, oldest first.
var testStems = []string{
	"metrics_20261126_100000_000001",
	"metrics_20261126_100000_000002",
	"metrics_20261126_100000_000003",
}

func writeFile(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func lines(from, to int) []byte {
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(line(i, 60))
	}
	return []byte(b.String())
}

func TestRecovery(t *testing.T) {
	old, mid, newest := testStems[0], testStems[1], testStems[2]
	cases := []struct {
		name  string
		setup func(t *testing.T, mdir string)
		// after Open+Close: the data files that must exist, and lines.
		wantFiles []string
		wantLines int
		keep      string // a foreign file that must survive
		reason    string // a Removed event Open must report, if any
	}{{
		name: "torn tail of the live file is cut and the file reopened",
		setup: func(t *testing.T, mdir string) {
			writeFile(t, filepath.Join(mdir, newest+extPlain), append(lines(0, 5), `{"seq":5,"pa`...))
		},
		wantFiles: []string{newest + extPlain},
		wantLines: 5,
	}, {
		name: "tmp from an unfinished compression is removed and the compression redone",
		setup: func(t *testing.T, mdir string) {
			writeFile(t, filepath.Join(mdir, old+extPlain), lines(0, 5))
			writeFile(t, filepath.Join(mdir, old+extGzip+extTmp), gzipBytes(t, lines(0, 3))[:20])
			writeFile(t, filepath.Join(mdir, newest+extPlain), lines(5, 7))
		},
		wantFiles: []string{old + extGzip, newest + extPlain},
		wantLines: 7,
		reason:    RemovedTemporary,
	}, {
		name: "plain file with a complete twin is removed",
		setup: func(t *testing.T, mdir string) {
			writeFile(t, filepath.Join(mdir, old+extPlain), lines(0, 5))
			writeFile(t, filepath.Join(mdir, old+extGzip), gzipBytes(t, lines(0, 5)))
			writeFile(t, filepath.Join(mdir, newest+extPlain), lines(5, 7))
		},
		wantFiles: []string{old + extGzip, newest + extPlain},
		wantLines: 7,
		reason:    RemovedCompleted,
	}, {
		name: "an incomplete twin is replaced by a fresh compression",
		setup: func(t *testing.T, mdir string) {
			writeFile(t, filepath.Join(mdir, old+extPlain), lines(0, 5))
			writeFile(t, filepath.Join(mdir, old+extGzip), gzipBytes(t, lines(0, 3)))
			writeFile(t, filepath.Join(mdir, newest+extPlain), lines(5, 7))
		},
		wantFiles: []string{old + extGzip, newest + extPlain},
		wantLines: 7,
	}, {
		name: "rotated plain files are compressed; a newest file over MaxBytes is too",
		setup: func(t *testing.T, mdir string) {
			writeFile(t, filepath.Join(mdir, old+extPlain), lines(0, 5))
			writeFile(t, filepath.Join(mdir, mid+extPlain), lines(5, 10))
			writeFile(t, filepath.Join(mdir, newest+extPlain), lines(10, 30))
		},
		wantFiles: []string{old + extGzip, mid + extGzip, newest + extGzip},
		wantLines: 30,
	}, {
		name: "foreign files are left alone",
		setup: func(t *testing.T, mdir string) {
			writeFile(t, filepath.Join(mdir, "notes.txt"), []byte("mine"))
			writeFile(t, filepath.Join(mdir, "metrics_bad.jsonl"), []byte("x"))
		},
		wantLines: 0,
		keep:      "notes.txt",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			mdir := filepath.Join(dir, "metrics")
			if err := os.Mkdir(mdir, 0o700); err != nil {
				t.Fatal(err)
			}
			c.setup(t, mdir)
			ev := newEventLog()
			s := mustOpen(t, dir, Options{MaxBytes: 1000, Now: newFakeClock().Now, Events: ev})
			live := filepath.Base(s.liveName)
			mustClose(t, s)
			got := slices.DeleteFunc(dataNames(t, mdir), func(n string) bool { return n == live && !slices.Contains(c.wantFiles, n) })
			if !slices.Equal(got, c.wantFiles) {
				t.Errorf("files = %v, want %v (+ live %s)", got, c.wantFiles, live)
			}
			lines := readAll(t, dir)
			if len(lines) != c.wantLines {
				t.Fatalf("read %d lines, want %d", len(lines), c.wantLines)
			}
			for i, l := range lines {
				if l+"\n" != line(i, 60) {
					t.Fatalf("line %d = %.40q", i, l)
				}
			}
			if c.reason != "" && !slices.Contains(slices.Collect(maps.Values(ev.removed)), c.reason) {
				t.Errorf("removed events %v, want one for %q", ev.removed, c.reason)
			}
			if c.keep != "" {
				if _, err := os.Stat(filepath.Join(mdir, c.keep)); err != nil {
					t.Errorf("foreign file removed: %v", err)
				}
			}
		})
	}
}

// The live file after restart: the newest plain file under MaxBytes is
// reopened and appended to; no new file is created.
func TestRestartAppendsToNewestFile(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{Compression: CompressionNone})
	mustAppend(t, s, line(0, 50))
	first := s.liveName
	mustClose(t, s)
	s = mustOpen(t, dir, Options{Compression: CompressionNone})
	mustAppend(t, s, line(1, 50))
	if s.liveName != first {
		t.Fatalf("restart started %s instead of reopening %s", s.liveName, first)
	}
	mustClose(t, s)
	if names := dataNames(t, s.Dir()); len(names) != 1 {
		t.Fatalf("files = %v", names)
	}
	if got := readAll(t, dir); len(got) != 2 {
		t.Fatalf("lines = %d", len(got))
	}
}

// A new file never reuses a name on disk, even when the clock is behind it.
func TestNewNamesAreAfterExistingOnes(t *testing.T) {
	dir := t.TempDir()
	mdir := filepath.Join(dir, "metrics")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	future := "metrics_20991231_235959_999999"
	writeFile(t, filepath.Join(mdir, future+extGzip), gzipBytes(t, lines(0, 1)))
	s := mustOpen(t, dir, Options{Now: newFakeClock().Now})
	defer mustClose(t, s)
	if name := filepath.Base(s.liveName); name <= future+extGzip {
		t.Fatalf("new live file %s does not sort after %s", name, future)
	}
}

// FuzzRecover writes whole lines followed by an arbitrary tail into the
// live file, a tail into a .tmp, and opens the sink: the live file must be
// cut back to its last '\n', the .tmp gone, and Reader must return exactly
// the complete lines.
func FuzzRecover(f *testing.F) {
	f.Add(3, []byte(`{"seq":3,"pa`), []byte{0x1f, 0x8b})
	f.Add(0, []byte("\n\n{"), []byte{})
	f.Add(1, []byte("abc\ndef"), []byte("zzz"))
	f.Add(2, bytes.Repeat([]byte("y"), 70000), []byte(nil))
	f.Fuzz(func(t *testing.T, whole int, tail, tmp []byte) {
		whole = max(0, min(whole, 50))
		dir := t.TempDir()
		mdir := filepath.Join(dir, "metrics")
		if err := os.Mkdir(mdir, 0o700); err != nil {
			t.Fatal(err)
		}
		content := append(lines(0, whole), tail...)
		writeFile(t, filepath.Join(mdir, testStems[0]+extPlain), content)
		writeFile(t, filepath.Join(mdir, testStems[0]+extGzip+extTmp), tmp)
		s, err := Open(dir, Options{Now: newFakeClock().Now})
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)
		want := content[:bytes.LastIndexByte(content, '\n')+1]
		got, err := os.ReadFile(filepath.Join(mdir, testStems[0]+extPlain))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("live file after recovery = %d bytes, want %d (err %v)", len(got), len(want), err)
		}
		if _, err := os.Lstat(filepath.Join(mdir, testStems[0]+extGzip+extTmp)); !os.IsNotExist(err) {
			t.Fatalf(".tmp survived recovery: %v", err)
		}
		wantLines := strings.Split(string(want), "\n")
		wantLines = wantLines[:len(wantLines)-1]
		if gotLines := readAll(t, dir); !slices.Equal(gotLines, wantLines) && len(gotLines)+len(wantLines) > 0 {
			t.Fatalf("read %d lines, want %d", len(gotLines), len(wantLines))
		}
	})
}

// After a restart, a newest file older than Interval is not reopened: a
// fresh file starts and the old one is compressed.
func TestRestartStartsFreshFileAfterInterval(t *testing.T) {
	dir := t.TempDir()
	clock := newFakeClock()
	opts := Options{Interval: time.Hour, Now: clock.Now}
	s := mustOpen(t, dir, opts)
	mustAppend(t, s, line(0, 50))
	first := s.liveName
	mustClose(t, s)
	clock.Advance(2 * time.Hour)
	s = mustOpen(t, dir, opts)
	mustAppend(t, s, line(1, 50))
	if s.liveName == first {
		t.Fatal("reopened a file older than Interval")
	}
	mustClose(t, s)
	if _, err := os.Stat(first + ".gz"); err != nil {
		t.Fatalf("old live file not compressed: %v", err)
	}
	if got := readAll(t, dir); len(got) != 2 {
		t.Fatalf("lines = %d", len(got))
	}
}
