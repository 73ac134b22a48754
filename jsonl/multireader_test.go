package jsonl

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Three sink directories (the backends behind a gateway), each written with
// another compression and rotated several times, read back as one stream:
// directory by directory, each in its own order, Dir naming the source.
func TestMultiReader(t *testing.T) {
	var dirs []string
	var want, wantDir []string
	seq := 0
	for _, comp := range []Compression{CompressionGzip, CompressionNone, CompressionZstd} {
		dir := t.TempDir()
		dirs = append(dirs, dir)
		s := mustOpen(t, dir, Options{MaxBytes: 500, MaxFiles: 1000, Compression: comp})
		for range 15 {
			l := line(seq, 120)
			mustAppend(t, s, l)
			want = append(want, strings.TrimSuffix(l, "\n"))
			wantDir = append(wantDir, dir)
			seq++
		}
		mustClose(t, s)
	}
	// An empty directory in the middle contributes nothing.
	empty := t.TempDir()
	if err := os.Mkdir(filepath.Join(empty, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs[:1], append([]string{empty}, dirs[1:]...)...)

	m, err := NewMultiReader(Options{}, dirs...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := range want {
		got, err := m.Next()
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if string(got) != want[i] {
			t.Fatalf("line %d = %.30q, want %.30q", i, got, want[i])
		}
		if m.Dir() != wantDir[i] {
			t.Fatalf("line %d from %s, want %s", i, m.Dir(), wantDir[i])
		}
	}
	for range 2 {
		if _, err := m.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last line: %v, want io.EOF", err)
		}
	}
}

func TestMultiReaderErrors(t *testing.T) {
	if _, err := NewMultiReader(Options{}); err == nil {
		t.Fatal("no directory: no error")
	}
	good := t.TempDir()
	if err := os.Mkdir(filepath.Join(good, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "gone")
	_, err := NewMultiReader(Options{}, good, missing)
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("error %v, want one naming %s", err, missing)
	}
}
