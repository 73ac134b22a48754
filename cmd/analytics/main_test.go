package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/reportgen"
)

func runArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// small returns an output directory holding 20 users over 5 days.
func small(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := reportgen.Generate(reportgen.Config{Dirs: []string{dir}, Users: 20, Days: 5,
		Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Seed: 5, Compression: []string{"mixed"}, LinesPerFile: 500}); err != nil {
		t.Fatal(err)
	}
	return []string{dir}
}

func TestUsage(t *testing.T) {
	dirs := small(t)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "usage: analytics report"},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"report"}, 2, "no directory given"},
		{[]string{"report", "--format", "xml", dirs[0]}, 2, `--format "xml"`},
		{[]string{"report", "--by", "week", dirs[0]}, 2, `"week" is not one of`},
		{[]string{"report", "--format", "csv", "--by", "day,model", dirs[0]}, 2, "csv writes one grouping"},
		{[]string{"report", "--since", "last tuesday", dirs[0]}, 2, "neither YYYY-MM-DD nor RFC 3339"},
		{[]string{"report", "--sort", "size", dirs[0]}, 2, `--sort "size"`},
		{[]string{"report", "--top", "-1", dirs[0]}, 2, "--top must not be negative"},
		{[]string{"report", "--pricing", "/nonexistent.json", dirs[0]}, 2, "pricing"},
		{[]string{"report", t.TempDir()}, 1, "metrics"},
	} {
		code, _, stderr := runArgs(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.stderr)
		}
	}
}

// TestFormats: the table, CSV and JSON of the same data agree, and flags
// may follow the directories.
func TestFormats(t *testing.T) {
	dirs := small(t)
	code, table, stderr := runArgs(append([]string{"report"}, append(dirs, "--by", "total,day,model,tool,error,session,block,user,agent,month,operation", "--top", "3")...)...)
	if code != 0 {
		t.Fatalf("table: %d %s", code, stderr)
	}
	for _, want := range []string{"Totals", "Per day (UTC)", "Per model", "Tools (durations: DDSketch, 1% relative accuracy)", "Errors by type",
		"Top 3 of", "5-hour blocks per user: the 3 costliest", "Per user", "Per agent", "Per month", "claude-sonnet-4-5-20250929", "acme-llm-7b", "Performance entries"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	j := reportJSON(t, dirs...)
	for _, key := range []string{"sessions", "prompts", "cost_usd", "cost_usd_estimated", "tokens", "tools", "models", "days", "errors", "unpriced_models"} {
		if _, ok := j[key]; !ok {
			t.Errorf("json lacks %q", key)
		}
	}
	tool := j["tools"].([]any)[0].(map[string]any)
	for _, key := range []string{"name", "uses", "success_rate", "p50_ms", "p95_ms"} {
		if _, ok := tool[key]; !ok {
			t.Errorf("json tools lack %q", key)
		}
	}
	if um := j["unpriced_models"].([]any); len(um) != 2 || um[1] != "acme-llm-7b" {
		t.Errorf("unpriced models %v", um)
	}

	code, out, stderr := runArgs(append([]string{"report", "--format", "csv", "--by", "day"}, dirs...)...)
	if code != 0 {
		t.Fatalf("csv: %d %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	days := j["days"].([]any)
	if len(rows) != len(days)+1 || rows[0][0] != "day" {
		t.Fatalf("csv: %d rows, header %v; json has %d days", len(rows), rows[0], len(days))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for i, d := range days {
		d := d.(map[string]any)
		cost := ""
		if d["cost_usd"] != nil {
			cost = str(d["cost_usd"])
		}
		if rows[i+1][0] != d["key"] || rows[i+1][col["cost_usd"]] != cost || rows[i+1][col["sessions"]] != str(d["sessions"]) {
			t.Errorf("csv row %v differs from json %v", rows[i+1][:4], d["key"])
		}
	}
	for _, by := range []string{"total", "month", "user", "agent", "model", "block", "session", "tool", "error", "operation"} {
		if code, out, stderr := runArgs(append([]string{"report", "--format", "csv", "--by", by}, dirs...)...); code != 0 || strings.Count(out, "\n") < 2 {
			t.Errorf("csv --by %s: exit %d, %d lines, %s", by, code, strings.Count(out, "\n"), stderr)
		}
	}
}

func TestStrictAndProblems(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "metrics"), 0o755); err != nil {
		t.Fatal(err)
	}
	line := `{"id":"1","timestamp":"2026-11-20T10:00:01.000000+00:00","type":"tool_use","session_id":"s1","user_id":"u1","data":{"tool_name":"Bash","success":true},"metadata":{}}`
	if err := os.WriteFile(filepath.Join(dir, "metrics", "metrics_20261120_000000_000001.jsonl"), []byte(line+"\ngarbage\n"+line[:40]), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runArgs("report", dir)
	if code != 0 || !strings.Contains(out, "Tool uses") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"1 lines that are not entries: skipped", "last line has no newline", "skipped 0 of 1 files (0 lines in them), 1 lines that are not entries, 1 torn last lines"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if code, _, _ := runArgs("report", "--strict", dir); code != 1 {
		t.Errorf("--strict: exit %d, want 1", code)
	}
}

// TestDocsSQL: docs/report.md shows exactly the SQL the cross-check runs.
func TestDocsSQL(t *testing.T) {
	root := repoRoot(t)
	sql, err := os.ReadFile(filepath.Join(root, "scripts", "report", "report.sql"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(sql[strings.Index(string(sql), "-- name: setup"):])
	if !strings.Contains(string(doc), strings.TrimRight(body, "\n")) {
		t.Error("docs/report.md does not hold scripts/report/report.sql from `-- name: setup` on; copy it over")
	}
}
