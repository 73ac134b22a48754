package schema

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// lineOf returns goodLine with another type and a per-line id.
func lineOf(typ string, n int) string {
	l := strings.Replace(goodLine, `"tool_use"`, `"`+typ+`"`, 1)
	return strings.Replace(l, "2f1c8f3f9d11", fmt.Sprintf("%012x", n), 1)
}

func lines(typ string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(lineOf(typ, i) + "\n")
	}
	return b.String()
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil || w.Close() != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zst(t *testing.T, s string) []byte {
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll([]byte(s), nil)
}

// writeDir makes <tmp>/metrics holding files (name -> content).
func writeDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	mdir := filepath.Join(dir, "metrics")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(mdir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckDirCountsEveryFormat(t *testing.T) {
	dir := writeDir(t, map[string][]byte{
		"metrics_20261126_210000_000001.jsonl.gz":  gz(t, lines("tool_use", 3)+lines("session_start", 1)),
		"metrics_20261126_210000_000002.jsonl.zst": zst(t, lines("token_usage", 5)),
		"metrics_20261126_210000_000003.jsonl":     []byte(lines("tool_use", 2)),
		"metrics_20261126_210000_000004.jsonl":     nil, // a fresh live file
		"metrics_x.jsonl.gz.tmp":                   []byte("not a data file"),
		"notes.txt":                                []byte("ignored"),
	})
	r, err := CheckDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"tool_use": 5, "session_start": 1, "token_usage": 5}
	if r.Files != 4 || r.Entries != 11 || !r.OK() || fmt.Sprint(r.Types) != fmt.Sprint(want) {
		t.Fatalf("report %+v", r)
	}
}

func TestCheckDirReportsBadLines(t *testing.T) {
	bad := lineOf("tool_use", 1) + "\n" + badLines[4].line + "\n" + lineOf("performance", 2) + "\n"
	tests := []struct {
		name      string
		files     map[string][]byte
		wantBad   []string
		wantCount int
	}{
		{"bad line with file and number", map[string][]byte{"metrics_a.jsonl": []byte(bad)},
			[]string{"metrics_a.jsonl:2: invalid JSON"}, 1},
		{"bad line in gzip", map[string][]byte{"metrics_a.jsonl.gz": gz(t, bad)},
			[]string{"metrics_a.jsonl.gz:2: invalid JSON"}, 1},
		{"torn last line", map[string][]byte{"metrics_a.jsonl": []byte(lines("tool_use", 2) + lineOf("tool_use", 9)[:40])},
			[]string{"metrics_a.jsonl: last line has no newline (torn write)", "metrics_a.jsonl:3: invalid JSON"}, 2},
		{"complete line without newline is still torn", map[string][]byte{"metrics_a.jsonl": []byte(lineOf("tool_use", 9))},
			[]string{"metrics_a.jsonl: last line has no newline (torn write)"}, 1},
		{"corrupt gzip", map[string][]byte{"metrics_a.jsonl.gz": gz(t, bad)[:30]},
			[]string{"metrics_a.jsonl.gz: line 1: unexpected EOF"}, 1},
		{"not gzip at all", map[string][]byte{"metrics_a.jsonl.gz": []byte(bad)},
			[]string{"metrics_a.jsonl.gz: gzip: invalid header"}, 1},
		{"empty line", map[string][]byte{"metrics_a.jsonl": []byte("\n")},
			[]string{"metrics_a.jsonl:1: invalid JSON"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := CheckDir(writeDir(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if r.OK() || r.BadCount != tt.wantCount || len(r.Bad) != len(tt.wantBad) {
				t.Fatalf("report %+v", r)
			}
			for i, want := range tt.wantBad {
				if !strings.HasPrefix(r.Bad[i], want) {
					t.Errorf("bad[%d] = %q, want prefix %q", i, r.Bad[i], want)
				}
			}
		})
	}
}

func TestCheckDirListsAtMost20(t *testing.T) {
	dir := writeDir(t, map[string][]byte{"metrics_a.jsonl": []byte(strings.Repeat("{}\n", 50) + lines("tool_use", 3))})
	r, err := CheckDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.BadCount != 50 || len(r.Bad) != MaxBadLines || r.Entries != 53 || r.Types["tool_use"] != 3 {
		t.Fatalf("report: %d bad, %d listed, %d entries, %v", r.BadCount, len(r.Bad), r.Entries, r.Types)
	}
	if !strings.HasPrefix(r.Bad[19], "metrics_a.jsonl:20:") {
		t.Errorf("last listed %q", r.Bad[19])
	}
}

func TestCheckDirFileOrder(t *testing.T) {
	dir := writeDir(t, map[string][]byte{
		"metrics_2.jsonl": []byte("{}\n"),
		"metrics_1.jsonl": []byte("[]\n"),
	})
	r, _ := CheckDir(dir)
	if len(r.Bad) != 2 || !strings.HasPrefix(r.Bad[0], "metrics_1.jsonl:1:") {
		t.Fatalf("bad %q", r.Bad)
	}
}

func TestCheckDirWithoutMetricsFolder(t *testing.T) {
	if _, err := CheckDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "metrics") {
		t.Fatalf("err = %v", err)
	}
}
