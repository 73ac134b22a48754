package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/capturetest"

	"github.com/analyticsexporter/analyticsexporter/internal/report"
	"github.com/analyticsexporter/analyticsexporter/internal/reportgen"
)

// repoRoot is the module root (this package is cmd/analytics).
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// nodeModules returns .tools/node/node_modules with pkg installed, or skips
// the test (fails it under CI=true, where .ci/run installs everything).
func nodeModules(t testing.TB, pkg string) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), ".tools", "node", "node_modules")
	if _, err := os.Stat(filepath.Join(dir, pkg, "package.json")); err != nil {
		missing(t, fmt.Sprintf("%s is not installed in .tools/node (run `make report-tools`, which needs npm)", pkg))
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node is not installed")
	}
	return dir
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must install it (.ci/run, make report-tools)", why)
	}
	t.Skipf("skipped: %s", why)
}

var (
	monthOnce sync.Once
	monthDirs []string
	monthErr  error
)

// month returns three output directories (gzip, zstd, gzip with a plain
// live file) holding a generated month of 200 users' agent sessions.
func month(t testing.TB) []string {
	t.Helper()
	monthOnce.Do(func() {
		base, err := os.MkdirTemp("", "analytics-month-")
		if err != nil {
			monthErr = err
			return
		}
		monthDirs = []string{filepath.Join(base, "a"), filepath.Join(base, "b"), filepath.Join(base, "c")}
		_, monthErr = reportgen.Generate(reportgen.Config{Dirs: monthDirs, Users: 200, Days: 30,
			Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Seed: 7,
			Compression: []string{"gzip", "zstd", "mixed"}, LinesPerFile: 8000})
	})
	if monthErr != nil {
		t.Fatal(monthErr)
	}
	return monthDirs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if monthDirs != nil {
		os.RemoveAll(filepath.Dir(monthDirs[0]))
	}
	os.Exit(code)
}

// reportJSON runs `analytics report --format json --by all --top 0` with args.
func reportJSON(t testing.TB, args ...string) map[string]any {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"report", "--format", "json", "--by", "all", "--top", "0"}, args...), &out, &errb)
	if code != 0 {
		t.Fatalf("analytics report exited %d: %s", code, errb.String())
	}
	return decode(t, out.Bytes())
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %.200s: %v", b, err)
	}
	return m
}

// duckFigures runs scripts/report/report.sql over dirs with DuckDB.
func duckFigures(t testing.TB, dirs []string, filter string) map[string]any {
	t.Helper()
	modules := nodeModules(t, "@duckdb/node-api")
	pricing := filepath.Join(t.TempDir(), "pricing.json")
	if err := os.WriteFile(pricing, report.BuiltinPricing(), 0o600); err != nil {
		t.Fatal(err)
	}
	var globs []string
	for _, d := range dirs {
		globs = append(globs, filepath.Join(d, "metrics", "metrics_*.jsonl*"))
	}
	files, _ := json.Marshal(globs)
	cmd := exec.Command("node", filepath.Join(repoRoot(t), "scripts", "report", "duckdb.mjs"),
		"--modules", modules, "--files", string(files), "--pricing", pricing, "--filter", filter)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("duckdb: %v: %s", err, stderr.String())
	}
	return decode(t, out)
}

// CrossCheck compares every figure of `analytics report` over dirs (with
// the report flags args) against DuckDB running report.sql with the same
// selection as SQL (filter). It works on any exporter output directories.
func CrossCheck(t *testing.T, dirs []string, args []string, filter string) {
	t.Helper()
	got := reportJSON(t, append(args, dirs...)...)
	want := duckFigures(t, dirs, filter)
	c := checker{t: t}

	tot := want["totals"].([]any)[0].(map[string]any)
	errList := got["errors"]
	var errSum int64
	for _, e := range errList.([]any) {
		n, _ := e.(map[string]any)["count"].(json.Number).Int64()
		errSum += n
	}
	got["errors"] = json.Number(fmt.Sprint(errSum)) // the top level lists errors by type
	c.figures("totals", got, tot, true)
	if n := got["input"].(map[string]any)["entries_selected"]; str(n) != str(tot["entries"]) {
		t.Errorf("entries selected: report %v, duckdb %v", n, tot["entries"])
	}
	c.groups("days", got["days"], want["days"], "key")
	c.groups("months", got["months"], want["months"], "key")
	c.groups("users", got["users"], want["users"], "key")
	c.groups("agents", got["agents"], want["agents"], "key")

	c.rows("models", index(got["models"], "model"), want["models"], nameOf("key"), func(key string, g, w map[string]any) {
		c.figures("model "+key, g, w, false)
		c.eq("model "+key+" latency_count", g["latency_count"], w["latency_count"])
		c.quantile("model "+key+" p50", g["latency_p50_ms"], w["latency_p50_ms"])
		c.quantile("model "+key+" p95", g["latency_p95_ms"], w["latency_p95_ms"])
	})

	sessionKey := func(w map[string]any) string { return str(w["key"]) }
	c.rows("sessions", index(got["top_sessions"], "session_id"), want["sessions"], sessionKey, func(key string, g, w map[string]any) {
		p := "session " + key
		c.eq(p+" requests", g["requests"], w["requests"])
		c.eq(p+" tokens", g["tokens"].(map[string]any)["total"], w["tokens"])
		c.eq(p+" prompts", g["prompts"], w["prompts"])
		c.micros(p+" active_seconds", g["active_seconds"], w["active_seconds"])
		c.micros(p+" cost_usd", g["cost_usd"], w["cost_usd"])
		c.pico(p+" cost_usd_estimated", g["cost_usd_estimated"], w["estimated_pico"])
		c.eq(p+" tool_uses", g["tool_uses"], w["tool_uses"])
		c.eq(p+" errors", g["errors"], w["errors"])
		c.eq(p+" start", g["start"], w["start"])
		c.eq(p+" end", g["end"], w["end"])
	})

	c.rows("tools", index(got["tools"], "name"), want["tools"], nameOf("name"), func(key string, g, w map[string]any) {
		for _, f := range []string{"uses", "successes", "failures", "timed"} {
			c.eq("tool "+key+" "+f, g[f], w[f])
		}
		c.quantile("tool "+key+" p50", g["p50_ms"], w["p50_ms"])
		c.quantile("tool "+key+" p95", g["p95_ms"], w["p95_ms"])
	})

	errs := index(errList, "type")
	for _, w := range want["errors"].([]any) {
		w := w.(map[string]any)
		key := name(w["type"])
		c.eq("error "+key, errs[key]["count"], w["count"])
		delete(errs, key)
	}
	c.none("errors", errs)

	blocks := map[string]map[string]any{}
	for _, b := range got["blocks"].([]any) {
		b := b.(map[string]any)
		blocks[str(b["user"])+" "+str(b["start"])] = b
	}
	blockKey := func(w map[string]any) string { return name(w["user"]) + " " + str(w["start"]) }
	c.rows("blocks", blocks, want["blocks"], blockKey, func(key string, g, w map[string]any) {
		for _, f := range []string{"requests", "tool_uses", "errors"} {
			c.eq("block "+key+" "+f, g[f], w[f])
		}
		tok := g["tokens"].(map[string]any)
		c.eq("block "+key+" input", tok["input"], w["input"])
		c.eq("block "+key+" output", tok["output"], w["output"])
		c.micros("block "+key+" cost_usd", g["cost_usd"], w["cost_usd"])
		c.pico("block "+key+" cost_usd_estimated", g["cost_usd_estimated"], w["estimated_pico"])
	})
	t.Logf("cross-checked %d days, %d users, %d sessions, %d tools, %d blocks; %d comparisons",
		len(want["days"].([]any)), len(want["users"].([]any)), len(want["sessions"].([]any)),
		len(want["tools"].([]any)), len(want["blocks"].([]any)), c.n)
}

// checker compares report values (json.Number, nil) with DuckDB's (strings,
// numbers, nil).
type checker struct {
	t      *testing.T
	n      int
	failed int
}

func (c *checker) fail(format string, args ...any) {
	c.t.Helper()
	c.failed++
	if c.failed <= 30 {
		c.t.Errorf(format, args...)
	}
}

func str(v any) string {
	if v == nil {
		return "<null>"
	}
	return fmt.Sprint(v)
}

// name is the report's name of a key: "(none)" for an empty or null one.
func name(v any) string {
	if v == nil || v == "" {
		return "(none)"
	}
	return fmt.Sprint(v)
}

// nameOf returns the function that gives the name (see name) of a row's
// key.
func nameOf(key string) func(map[string]any) string {
	return func(w map[string]any) string { return name(w[key]) }
}

// rows pairs each row of want (a JSON list) with the report's row of the
// same key (got, by key; wantKey gives a want row's) and calls fn with
// each pair. A row the report lacks fails, so does a row of the report
// that want lacks.
func (c *checker) rows(what string, got map[string]map[string]any, want any, wantKey func(map[string]any) string, fn func(key string, g, w map[string]any)) {
	c.t.Helper()
	for _, w := range want.([]any) {
		w := w.(map[string]any)
		key := wantKey(w)
		g, ok := got[key]
		if !ok {
			c.fail("%s: %q missing from the report", what, key)
			continue
		}
		delete(got, key)
		fn(key, g, w)
	}
	c.none(what, got)
}

func index(list any, key string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, x := range list.([]any) {
		m := x.(map[string]any)
		out[str(m[key])] = m
	}
	return out
}

func (c *checker) none(what string, left map[string]map[string]any) {
	c.t.Helper()
	if len(left) > 0 {
		keys := make([]string, 0, len(left))
		for k := range left {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c.fail("%s: the report has %d more than DuckDB: %v", what, len(left), keys[:min(5, len(keys))])
	}
}

func (c *checker) eq(what string, got, want any) {
	c.t.Helper()
	c.n++
	if str(got) != str(want) {
		c.fail("%s: report %s, duckdb %s", what, str(got), str(want))
	}
}

// null counts a comparison and settles it when a side is null: both null
// match, one null fails. It reports whether it settled the comparison.
func (c *checker) null(what string, got, want any) bool {
	c.t.Helper()
	c.n++
	if got != nil && want != nil {
		return false
	}
	if got != nil || want != nil {
		c.fail("%s: report %s, duckdb %s", what, str(got), str(want))
	}
	return true
}

// rat reads a decimal.
func rat(v any) *big.Rat {
	r, ok := new(big.Rat).SetString(str(v))
	if !ok {
		return nil
	}
	return r
}

// roundMicros rounds r to six decimals, half away from zero, as text.
func roundMicros(r *big.Rat) string {
	x := new(big.Rat).Mul(r, big.NewRat(1e6, 1))
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(x.Denom()) >= 0 {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return new(big.Rat).SetFrac(q, big.NewInt(1e6)).FloatString(6)
}

// micros compares a report amount with DuckDB's exact decimal rounded to
// the micro-unit.
func (c *checker) micros(what string, got, want any) {
	c.t.Helper()
	if c.null(what, got, want) {
		return
	}
	w := rat(want)
	if w == nil || str(got) != roundMicros(w) {
		c.fail("%s: report %s, duckdb %s", what, str(got), str(want))
	}
}

// pico compares a report amount with DuckDB's pico-dollars.
func (c *checker) pico(what string, got, want any) {
	c.t.Helper()
	if want != nil {
		if r := rat(want); r != nil {
			want = r.Quo(r, big.NewRat(1e12, 1)).FloatString(12)
		}
	}
	c.micros(what, got, want)
}

// quantile checks a DDSketch quantile against the exact value at the same
// rank: within the sketch's relative accuracy (plus the 0.001 ms rounding).
func (c *checker) quantile(what string, got, want any) {
	c.t.Helper()
	if c.null(what, got, want) {
		return
	}
	g, err1 := strconv.ParseFloat(str(got), 64)
	w, err2 := strconv.ParseFloat(str(want), 64)
	if err1 != nil || err2 != nil {
		c.fail("%s: report %s, duckdb %s: not numbers", what, str(got), str(want))
		return
	}
	if math.Abs(g-w) > report.RelativeAccuracy*math.Abs(w)+0.0006 {
		c.fail("%s: report %v, exact %v: off by more than %g%%", what, g, w, report.RelativeAccuracy*100)
	}
}

// figures compares the figures of a group; withSessions also compares the
// session-derived ones (prompts, active time).
func (c *checker) figures(what string, got, want map[string]any, withSessions bool) {
	c.t.Helper()
	c.eq(what+" sessions", got["sessions"], want["sessions"])
	c.eq(what+" requests", got["requests"], want["requests"])
	if _, ok := want["prompts"]; ok || withSessions {
		c.eq(what+" prompts", got["prompts"], want["prompts"])
		c.micros(what+" active_seconds", got["active_seconds"], want["active_seconds"])
	}
	tok := got["tokens"].(map[string]any)
	for _, k := range []string{"input", "output", "cache_read", "cache_creation", "reasoning"} {
		w := want[k]
		if w == nil {
			w = json.Number("0")
		}
		c.eq(what+" "+k, tok[k], w)
	}
	c.micros(what+" cost_usd", got["cost_usd"], want["cost_usd"])
	c.pico(what+" cost_usd_estimated", got["cost_usd_estimated"], want["estimated_pico"])
	c.eq(what+" unpriced_requests", got["unpriced_requests"], want["unpriced_requests"])
	w := want["unpriced_tokens"]
	if w == nil {
		w = json.Number("0")
	}
	c.eq(what+" unpriced_tokens", got["unpriced_tokens"], w)
	if _, ok := want["tool_uses"]; ok {
		c.eq(what+" tool_uses", got["tool_uses"], want["tool_uses"])
		c.eq(what+" tool_failures", got["tool_failures"], want["tool_failures"])
		c.eq(what+" errors", got["errors"], want["errors"])
	}
}

// groups compares a list of groups by key, both ways.
func (c *checker) groups(what string, got, want any, key string) {
	c.t.Helper()
	c.rows(what, index(got, key), want, nameOf(key), func(k string, g, w map[string]any) {
		c.figures(what+" "+k, g, w, true)
	})
}

// TestCrossCheckDuckDB checks every figure of a generated month of 200
// users, whole and filtered, against DuckDB on the same files; with
// ANALYTICS_CROSSCHECK_DIRS (a list of output directories, separated like
// PATH) it checks those directories too.
func TestCrossCheckDuckDB(t *testing.T) {
	nodeModules(t, "@duckdb/node-api")
	dirs := month(t)
	t.Run("month", func(t *testing.T) {
		CrossCheck(t, dirs, nil, "TRUE")
	})
	t.Run("filtered", func(t *testing.T) {
		CrossCheck(t, dirs, []string{"--since", "2026-11-10", "--until", "2026-11-20T12:00:00Z", "--agent", "claude-code,support-bot",
			"--user", strings.Join(users(0, 150), ",")},
			"ts >= TIMESTAMPTZ '2026-11-10 00:00:00+00' AND ts < TIMESTAMPTZ '2026-11-20 12:00:00+00' AND agent IN ('claude-code', 'support-bot') AND user_id IN ("+quoted(users(0, 150))+")")
	})
	if extra := os.Getenv("ANALYTICS_CROSSCHECK_DIRS"); extra != "" {
		t.Run("ANALYTICS_CROSSCHECK_DIRS", func(t *testing.T) {
			CrossCheck(t, filepath.SplitList(extra), nil, "TRUE")
		})
	}
}

// TestCrossCheckAgents checks every figure of what the real agents' and
// GenAI apps' telemetry becomes (each stored capture under testdata/agents
// replayed through the exporter into a directory of its own) against
// DuckDB on the same files: one session per capture.
func TestCrossCheckAgents(t *testing.T) {
	nodeModules(t, "@duckdb/node-api")
	caps, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "agents", "*", "*", "otlp"))
	if err != nil || len(caps) == 0 {
		t.Fatalf("no captures under testdata/agents: %v", err)
	}
	base := t.TempDir()
	var dirs []string
	for i, c := range caps {
		out := filepath.Join(base, fmt.Sprint(i))
		capturetest.ReplayDir(t, filepath.Dir(c), out, nil)
		dirs = append(dirs, out)
	}
	CrossCheck(t, dirs, nil, "TRUE")
	got := reportJSON(t, dirs...)
	if n := str(got["sessions"]); n != fmt.Sprint(len(caps)) {
		t.Errorf("sessions = %s, want one per capture (%d)", n, len(caps))
	}
}

func users(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("user-%03d@example.com", i))
	}
	return out
}

func quoted(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}
