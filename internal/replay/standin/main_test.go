package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckedIn regenerates the stand-in set and compares it file by file
// with testdata/agents-standin, so the checked-in captures never drift from
// the payloads they are cut from.
func TestCheckedIn(t *testing.T) {
	root := filepath.Join("..", "..", "..", "testdata")
	out := t.TempDir()
	if err := generate(filepath.Join(root, "payloads"), out); err != nil {
		t.Fatal(err)
	}
	want := readTree(t, out)
	got := readTree(t, filepath.Join(root, "agents-standin"))
	if len(want) == 0 {
		t.Fatal("the generator wrote nothing")
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: missing from testdata/agents-standin (run go run ./internal/replay/standin)", name)
			continue
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s: differs from the generator's output (run go run ./internal/replay/standin)", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: in testdata/agents-standin but not generated", name)
		}
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
