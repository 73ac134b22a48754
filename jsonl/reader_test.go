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

// TestDataFiles: one path per data file in writing order, the plain one
// of a plain and compressed pair, and nothing that is not a data file of
// the sink.
func TestDataFiles(t *testing.T) {
	dir := t.TempDir()
	mdir := filepath.Join(dir, "metrics")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		testStems[2] + extPlain,
		testStems[0] + extGzip, testStems[0] + extPlain, // a compression finishing
		testStems[1] + extZstd,
		"metrics_20261126_100000_000009" + extGzip + extTmp,
		"metrics_bad.jsonl", "notes.txt",
	} {
		writeFile(t, filepath.Join(mdir, name), []byte("x\n"))
	}
	if err := os.Symlink(filepath.Join(mdir, "notes.txt"), filepath.Join(mdir, "metrics_20261126_100000_000010"+extPlain)); err != nil {
		t.Fatal(err)
	}
	got, err := DataFiles(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{testStems[0] + extPlain, testStems[1] + extZstd, testStems[2] + extPlain}
	if len(got) != len(want) {
		t.Fatalf("DataFiles = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != filepath.Join(mdir, want[i]) {
			t.Errorf("file %d = %s, want %s", i, got[i], want[i])
		}
	}
	if _, err := DataFiles(filepath.Join(dir, "nope"), Options{}); err == nil {
		t.Error("a missing directory listed")
	}
}
