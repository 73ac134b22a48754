package jsonl

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One directory holding .gz, .zst and plain files (three compressions over
// three runs) reads back as one ordered stream.
func TestReaderAcrossCompressions(t *testing.T) {
	dir := t.TempDir()
	seq := 0
	for _, comp := range []Compression{CompressionGzip, CompressionZstd, CompressionNone} {
		s := mustOpen(t, dir, Options{MaxBytes: 500, MaxFiles: 1000, Compression: comp})
		for range 20 {
			mustAppend(t, s, line(seq, 120))
			seq++
		}
		mustClose(t, s)
	}
	kinds := map[fileKind]int{}
	for _, n := range dataNames(t, filepath.Join(dir, "metrics")) {
		_, k := defaultNames.classify(n)
		kinds[k]++
	}
	if kinds[kindGzip] == 0 || kinds[kindZstd] == 0 || kinds[kindPlain] == 0 {
		t.Fatalf("file kinds %v, want all three", kinds)
	}
	got := readAll(t, dir)
	if len(got) != seq {
		t.Fatalf("read %d lines, want %d", len(got), seq)
	}
	for i, l := range got {
		if l+"\n" != line(i, 120) {
			t.Fatalf("line %d = %.30q", i, l)
		}
	}
}

// Lines longer than the reader's buffer come back whole; a final line
// without '\n' is not returned.
func TestReaderLongLinesAndPartialTail(t *testing.T) {
	dir := t.TempDir()
	mdir := filepath.Join(dir, "metrics")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("L", 200<<10)
	writeFile(t, filepath.Join(mdir, testStems[0]+extPlain), []byte("a\n"+long+"\nb\n{\"torn"))
	r, err := NewReader(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, want := range []string{"a", long, "b"} {
		got, err := r.Next()
		if err != nil || string(got) != want {
			t.Fatalf("Next = %d bytes, %v; want %d bytes", len(got), err, len(want))
		}
	}
	if got, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next = %q, %v; want io.EOF (partial line dropped)", got, err)
	}
}

func TestReaderReportsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	mdir := filepath.Join(dir, "metrics")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(mdir, testStems[0]+extGzip), []byte("not gzip at all"))
	r, err := NewReader(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(); err == nil || errors.Is(err, io.EOF) || !strings.Contains(err.Error(), testStems[0]) {
		t.Fatalf("err = %v, want one naming the corrupt file", err)
	}
}

func TestReaderMissingDirectory(t *testing.T) {
	if _, err := NewReader(filepath.Join(t.TempDir(), "nope"), Options{}); err == nil {
		t.Fatal("NewReader of a missing directory succeeded")
	}
}
