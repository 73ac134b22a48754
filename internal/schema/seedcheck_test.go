package schema

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// seedcheck returns a function running ../shared/tools/seedcheck.py on a
// directory, or skips t when the reference tools are not there (a user's
// clone has no ../shared).
func seedcheck(t *testing.T) func(dir string) (ok bool, out string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root not at %s: %v", root, err)
	}
	script := filepath.Join(root, "..", "shared", "tools", "seedcheck.py")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no %s (../shared is absent): cross-check with the Python seed skipped", script)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: cross-check with the Python seed skipped")
	}
	return func(dir string) (bool, string) {
		out, err := exec.Command(py, script, dir).CombinedOutput()
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			t.Fatalf("run seedcheck: %v", err)
		}
		return err == nil, string(out)
	}
}

// TestAgreesWithSeedcheck runs the same directories through CheckDir and
// the Python seed checker: the good one passes both with the same counts,
// every bad line fails both.
func TestAgreesWithSeedcheck(t *testing.T) {
	run := seedcheck(t)
	good := writeDir(t, map[string][]byte{
		"metrics_1.jsonl.gz": gz(t, lines("tool_use", 3)+lines("session_end", 2)),
		"metrics_2.jsonl":    []byte(lines("error_occurred", 1)),
	})
	ok, out := run(good)
	r, err := CheckDir(good)
	if !ok || err != nil || !r.OK() {
		t.Fatalf("good dir: seedcheck ok=%v (%s), CheckDir %+v %v", ok, out, r, err)
	}
	if !strings.Contains(out, "entries=6 error_occurred=1 session_end=2 tool_use=3") {
		t.Fatalf("seedcheck counts differ from CheckDir %v:\n%s", r.Types, out)
	}
	// Bad lines go in batches, one file each, so that the seed (which lists
	// at most 20 failures) names every file and Python starts only twice.
	const batch = 15
	for start := 0; start < len(badLines); start += batch {
		files := map[string][]byte{}
		cases := badLines[start:min(start+batch, len(badLines))]
		for i, tt := range cases {
			files[fmt.Sprintf("metrics_%02d.jsonl", i)] = []byte(lineOf("tool_use", 1) + "\n" + tt.line + "\n")
		}
		dir := writeDir(t, files)
		ok, out := run(dir)
		r, err := CheckDir(dir)
		if ok || err != nil {
			t.Fatalf("seedcheck passed a bad directory (or CheckDir failed: %v):\n%s", err, out)
		}
		for i, tt := range cases {
			name := fmt.Sprintf("metrics_%02d.jsonl:", i)
			if !strings.Contains(out, "FAIL "+name) {
				t.Errorf("%s: seedcheck did not reject it:\n%s", tt.name, out)
			}
			if !containsPrefix(r.Bad, name) {
				t.Errorf("%s: CheckDir did not reject it: %q", tt.name, r.Bad)
			}
		}
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
