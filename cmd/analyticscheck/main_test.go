package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// entries returns n encoded lines of type typ in session "s".
func entries(typ string, n int) []byte { return sessionEntries(typ, "s", n) }

// sessionEntries returns n encoded lines of type typ in session sid.
func sessionEntries(typ, sid string, n int) []byte {
	data := pcommon.NewMap()
	data.PutStr("tool_name", "Bash")
	var b []byte
	for i := 0; i < n; i++ {
		b = encode.EntryHead(b, time.Unix(1764193807, 0), typ, sid, "")
		b = encode.Map(b, data)
		b = append(b, `,"metadata":{}}`+"\n"...)
	}
	return b
}

func makeDir(t *testing.T, content []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metrics", "metrics_20261126_000000_000000.jsonl"), content, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRun(t *testing.T) {
	good := makeDir(t, append(entries("tool_use", 3), entries("session_end", 1)...))
	bad := makeDir(t, append(entries("tool_use", 1), "{\"id\":NaN}\n"...))
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    []string
		wantStderr string
	}{
		{"good", []string{good}, 0, []string{"files=1 entries=4 session_end=1 tool_use=3", "analyticscheck: ok, 4 entries"}, ""},
		{"min met", []string{"-min", "4", good}, 0, []string{"ok, 4 entries"}, ""},
		{"min not met", []string{"-min", "5", good}, 1, []string{"analyticscheck: 4 entries, expected at least 5"}, ""},
		{"expect met", []string{"-expect", "tool_use=3,session_end=1,error_occurred=0", good}, 0, []string{"ok"}, ""},
		{"expect differs", []string{"-expect", "tool_use=2", good}, 1, []string{"analyticscheck: tool_use: 3 entries, expected 2"}, ""},
		{"expect absent type", []string{"-expect", "performance=1", good}, 1, []string{"performance: 0 entries, expected 1"}, ""},
		{"bad line", []string{bad}, 1, []string{"FAIL metrics_20261126_000000_000000.jsonl:2: invalid JSON", "analyticscheck: 1 bad lines"}, ""},
		{"no metrics folder", []string{t.TempDir()}, 1, nil, "analyticscheck: schema: open"},
		{"no dir", nil, 2, nil, "usage: analyticscheck"},
		{"unknown flag", []string{"-x", good}, 2, nil, "flag provided but not defined"},
		{"expect not type=N", []string{"-expect", "tool_use", good}, 2, nil, `-expect: "tool_use" is not type=N`},
		{"expect unknown type", []string{"-expect", "tools=1", good}, 2, nil, `"tools" is not one of the ten types`},
		{"expect negative", []string{"-expect", "tool_use=-1", good}, 2, nil, "non-negative integer"},
		{"expect twice", []string{"-expect", "tool_use=1,tool_use=2", good}, 2, nil, "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr.String())
			}
			if code != 0 && strings.Contains(stdout.String(), "ok,") {
				t.Errorf("failing run says ok:\n%s", stdout.String())
			}
		})
	}
}

func TestRunJSON(t *testing.T) {
	dir := makeDir(t, append(entries("token_usage", 2), "[]\n"...))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-json", "-min", "1", dir}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	var got struct {
		Files, Entries int
		Types          map[string]int
		Bad            []string
		BadCount       int `json:"bad_count"`
		Failures       []string
		OK             bool
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if got.OK || got.Files != 1 || got.Entries != 3 || got.Types["token_usage"] != 2 || got.BadCount != 1 ||
		len(got.Bad) != 1 || len(got.Failures) != 1 {
		t.Fatalf("report %+v", got)
	}
}

// Several directories are one output: counts summed, each directory listed,
// bad lines named with their directory, and the sessions with entries in
// more than one directory counted.
func TestRunSeveralDirs(t *testing.T) {
	a := makeDir(t, append(sessionEntries("tool_use", "s1", 2), sessionEntries("session_end", "s2", 1)...))
	b := makeDir(t, append(sessionEntries("tool_use", "s3", 3), sessionEntries("token_usage", "s2", 1)...))
	c := makeDir(t, append(sessionEntries("tool_use", "s4", 1), "{}\n"...))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-expect", "tool_use=5,session_end=1,token_usage=1", a, b}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{
		"files=2 entries=7 session_end=1 token_usage=1 tool_use=5",
		a + ": files=1 entries=3", b + ": files=1 entries=4",
		"sessions in more than one directory: 1", "analyticscheck: ok, 7 entries",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if code := run([]string{"-json", a, c}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d with a bad line\n%s", code, stdout.String())
	}
	var got struct {
		Entries       int
		Bad           []string
		Dirs          []struct{ Dir string }
		SplitSessions *int `json:"split_sessions"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Entries != 5 || len(got.Dirs) != 2 || got.SplitSessions == nil || *got.SplitSessions != 0 ||
		len(got.Bad) != 1 || !strings.HasPrefix(got.Bad[0], c+": ") {
		t.Fatalf("report %+v", got)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{a, filepath.Join(a, "nope")}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "nope") {
		t.Fatalf("missing directory: exit %d, stderr %q", code, stderr.String())
	}
}
