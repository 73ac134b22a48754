package jsonl

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Rotated files end up compressed (and only them), every compressed file
// opens with the stock command-line tool, and the events report the sizes.
func TestCompressedFilesOpenWithStockTools(t *testing.T) {
	for _, c := range []struct {
		comp Compression
		ext  string
		tool string
	}{{CompressionGzip, extGzip, "gzip"}, {CompressionZstd, extZstd, "zstd"}} {
		t.Run(string(c.comp), func(t *testing.T) {
			dir := t.TempDir()
			ev := newEventLog()
			s := mustOpen(t, dir, Options{MaxBytes: 20000, MaxFiles: 100, Compression: c.comp, Events: ev})
			var want bytes.Buffer
			for i := range 1000 {
				mustAppend(t, s, line(i, 100))
				want.WriteString(line(i, 100))
			}
			mustClose(t, s)
			names := dataNames(t, s.Dir())
			var all bytes.Buffer
			for i, n := range names {
				if last := i == len(names)-1; last != strings.HasSuffix(n, extPlain) || !last && !strings.HasSuffix(n, c.ext) {
					t.Fatalf("files = %v: want every rotated file as %s and the live one plain", names, c.ext)
				}
				data, err := os.ReadFile(filepath.Join(s.Dir(), n))
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(n, extPlain) {
					all.Write(data)
					continue
				}
				all.Write(decompressWithTool(t, c.tool, data))
			}
			if !bytes.Equal(all.Bytes(), want.Bytes()) {
				t.Fatalf("decompressed content differs (%d vs %d bytes)", all.Len(), want.Len())
			}
			evs := ev.compressions()
			st := s.Stats()
			if len(evs) != len(names)-1 || st.Compressions != int64(len(evs)) || st.CompressErrors != 0 {
				t.Fatalf("%d events, stats %+v, for %d rotated files", len(evs), st, len(names)-1)
			}
			for _, e := range evs {
				if e.err != nil || e.in <= 20000/2 || e.out <= 0 || e.out >= e.in/2 {
					t.Fatalf("event %+v: want no error and real compression", e)
				}
			}
		})
	}
}

func decompressWithTool(t *testing.T, tool string, data []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not installed; cannot check the output with the stock tool", tool)
	}
	cmd := exec.Command(tool, "-d", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s -d: %v", tool, err)
	}
	return out
}

func TestCompressionNoneKeepsPlainFiles(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{MaxBytes: 300, Compression: CompressionNone})
	for i := range 10 {
		mustAppend(t, s, line(i, 100))
	}
	mustClose(t, s)
	for _, n := range dataNames(t, s.Dir()) {
		if !strings.HasSuffix(n, extPlain) {
			t.Fatalf("%s compressed with CompressionNone", n)
		}
	}
	if got := len(readAll(t, dir)); got != 10 {
		t.Fatalf("read %d lines", got)
	}
}

// Appends and rotations go on while the compressor is stuck on a file.
func TestAppendNeverWaitsForCompression(t *testing.T) {
	dir := t.TempDir()
	fs := &faultFS{blockTmp: make(chan struct{})}
	s, err := open(dir, Options{MaxBytes: 200, MaxFiles: 1000}, env{fs: fs})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 { // ~25 rotations, the first compression blocked
		mustAppend(t, s, line(i, 100))
	}
	if st := s.Stats(); st.Rotations < 20 || st.Compressions != 0 {
		t.Fatalf("stats %+v: appends should have rotated while compression is blocked", st)
	}
	close(fs.blockTmp)
	mustClose(t, s)
	if st := s.Stats(); st.Compressions != st.Rotations {
		t.Fatalf("stats %+v: Close should finish every queued compression", st)
	}
}

// A failed compression is counted and reported; the plain file stays and
// is compressed by the next Open.
func TestCompressionFailureKeepsPlainFile(t *testing.T) {
	dir := t.TempDir()
	ev := newEventLog()
	s := mustOpen(t, dir, Options{MaxBytes: 200, Events: ev})
	victim := filepath.Join(t.TempDir(), "victim")
	writeFile(t, victim, []byte("untouched"))
	// A symlink planted at the compression output name: never followed.
	if err := os.Symlink(victim, s.liveName+".gz"+extTmp); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, line(0, 150))
	mustAppend(t, s, line(1, 150)) // rotates
	mustClose(t, s)
	if st := s.Stats(); st.CompressErrors != 1 || st.Compressions != 0 {
		t.Fatalf("stats %+v, want one compression error", st)
	}
	if evs := ev.compressions(); len(evs) != 1 || evs[0].err == nil {
		t.Fatalf("events %+v, want one carrying the error", evs)
	}
	if data, _ := os.ReadFile(victim); string(data) != "untouched" {
		t.Fatalf("symlink target was written: %q", data)
	}
	s = mustOpen(t, dir, Options{MaxBytes: 200})
	mustClose(t, s)
	if st := s.Stats(); st.Compressions != 1 {
		t.Fatalf("reopen did not redo the compression: %+v", st)
	}
	if got := len(readAll(t, dir)); got != 2 {
		t.Fatalf("read %d lines", got)
	}
}

// Decompress picks the decoder by the file name, and refuses other names.
func TestDecompressByName(t *testing.T) {
	const text = "{\"a\":1}\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"x/metrics_1.jsonl.gz": gz.Bytes(), "metrics_1.jsonl": []byte(text)} {
		r, done, err := Decompress(name, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		done()
		if err != nil || string(got) != text {
			t.Fatalf("%s: read %q, %v", name, got, err)
		}
	}
	if _, _, err := Decompress("metrics_1.json", bytes.NewReader(nil)); err == nil {
		t.Fatal("a name that is not a data file's was accepted")
	}
}
