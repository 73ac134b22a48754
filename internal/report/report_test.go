package report

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/analyticsexporter/analyticsexporter/internal/reportgen"
)

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in    string
		scale int
		want  int64
		ok    bool
	}{
		{"0.02446", 9, 24460000, true},
		{"0.30000000000000004", 9, 300000000, true},
		{"5e-7", 9, 500, true},
		{"1e-7", 6, 0, true},
		{"0.0000005", 6, 1, true}, // half away from zero
		{"-0.0000005", 6, -1, true},
		{"0.0000004999", 6, 0, true},
		{"1.5E+3", 0, 1500, true},
		{"12", 9, 12000000000, true},
		{"-0", 9, 0, true},
		{"0.123456789012345678901234567890", 9, 123456789, true},
		{"1e300", 9, 0, false},
		{"9223372036.854775807", 9, 9223372036854775807, true},
		{"9223372036.854775808", 9, 0, false},
		{"1.", 9, 0, false},
		{".5", 9, 0, false},
		{"1e", 9, 0, false},
		{"abc", 9, 0, false},
		{"1e-1000", 9, 0, true},
	} {
		got, ok := parseDecimal([]byte(tc.in), tc.scale)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseDecimal(%q, %d) = %d, %v; want %d, %v", tc.in, tc.scale, got, ok, tc.want, tc.ok)
		}
	}
	if s := formatMicros(-1234567); s != "-1.234567" {
		t.Errorf("formatMicros = %s", s)
	}
}

// FuzzScanner checks the scanner against encoding/json: a line is accepted
// exactly when it is one valid JSON object (within the nesting bound), and
// the fields read are the ones encoding/json sees.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"id":"x","timestamp":"2026-11-20T14:03:10.123456+00:00","type":"token_usage","session_id":"s","user_id":null,"data":{"model":"m","input_tokens":12,"cost_usd":0.5},"metadata":{"resource":{"service.name":"claude-code"}}}`,
		`{"timestamp":"2026-11-20T14:03:10Z","type":"tool_use","data":{"tool_name":"B\u00e9sh\ud83d\ude00","success":true,"duration_ms":"12"}}`,
		`{"a":[1,2,{"b":[]}],"timestamp":"x"}`, `[]`, `{}`, `{"a":1}x`, `{"a":"\x01"}`, `{"a":1e}`, `{"a":-01}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var sc scanner
		var e entry
		err := sc.parse(b, &e)
		var m map[string]any
		jerr := json.Unmarshal(b, &m)
		if jerr != nil {
			if err == nil {
				t.Fatalf("accepted invalid JSON %q", b)
			}
			return
		}
		if err != nil {
			// valid JSON but not an entry: no timestamp, type or a bad one
			ts, _ := m["timestamp"].(string)
			typ, _ := m["type"].(string)
			_, okT := parseTimestamp([]byte(ts))
			// the scanner is strict where encoding/json is lenient: invalid UTF-8
			if okT && typeNames[typ] != typeNone && utf8.Valid(b) && depth(m) < maxDepth {
				t.Fatalf("rejected entry %q: %v", b, err)
			}
			return
		}
		if typ, _ := m["type"].(string); typeNames[typ] != e.typ {
			t.Fatalf("type %q read as %d", typ, e.typ)
		}
		data, _ := m["data"].(map[string]any)
		if model, ok := data["model"].(string); ok && !bytes.Equal([]byte(model), e.model.text) && !strings.ContainsRune(model, 0xFFFD) {
			t.Fatalf("model %q read as %q", model, e.model.text)
		}
	})
}

func depth(v any) int {
	switch x := v.(type) {
	case map[string]any:
		d := 0
		for _, y := range x {
			d = max(d, depth(y))
		}
		return d + 1
	case []any:
		d := 0
		for _, y := range x {
			d = max(d, depth(y))
		}
		return d + 1
	}
	return 0
}

func TestParseTimestamp(t *testing.T) {
	for _, s := range []string{"2026-11-20T14:03:10.123456+00:00", "2024-02-29T23:59:59.999999+00:00", "1969-12-31T23:59:59.000001+00:00", "0001-01-01T00:00:00.000000+00:00"} {
		got, ok := parseTimestamp([]byte(s))
		want, err := time.Parse(time.RFC3339Nano, s)
		if !ok || err != nil || got != want.UnixMicro() {
			t.Errorf("%s: %d %v, want %d", s, got, ok, want.UnixMicro())
		}
	}
	if _, ok := parseTimestamp([]byte("2026-02-30T00:00:00.000000+00:00")); ok {
		t.Error("accepted February 30")
	}
	if got, ok := parseTimestamp([]byte("2026-11-20T15:03:10+01:00")); !ok || got != time.Date(2026, 11, 20, 14, 3, 10, 0, time.UTC).UnixMicro() {
		t.Errorf("offset form: %d %v", got, ok)
	}
}

func TestPricing(t *testing.T) {
	p, err := LoadPricing("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Date == "" || len(p.Sources) == 0 {
		t.Errorf("the built-in table has no date or sources: %q %v", p.Date, p.Sources)
	}
	for _, m := range []string{"claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5@20250929", "Claude-Sonnet-4-5", "models/gemini-2.5-pro", "gpt-5-codex", "gpt-4.1-2025-04-14"} {
		if _, ok := p.Lookup(m); !ok {
			t.Errorf("%s: no price", m)
		}
	}
	for _, m := range []string{"", "gpt-5-pro", "claude-sonnet-4-5-preview", "acme-llm-7b"} {
		if _, ok := p.Lookup(m); ok {
			t.Errorf("%s: priced; a model missing from the table must stay unknown", m)
		}
	}
	pr, _ := p.Lookup("claude-sonnet-4-5")
	if pr != (Price{Input: 3e6, CacheRead: 3e5, CacheWrite: 3.75e6, Output: 15e6}) {
		t.Errorf("claude-sonnet-4-5: %+v", pr)
	}

	dir := t.TempDir()
	over := filepath.Join(dir, "p.json")
	must(t, os.WriteFile(over, []byte(`{"date":"2027-01-01","models":[{"model":"acme-llm-7b","input":0.1,"cache_read":0.01,"cache_write":0.1,"output":0.2},{"model":"claude-sonnet-4-5","input":1,"cache_read":1,"cache_write":1,"output":1}]}`), 0o600))
	p, err = LoadPricing(over)
	if err != nil {
		t.Fatal(err)
	}
	if pr, ok := p.Lookup("acme-llm-7b"); !ok || pr.Output != 200000 {
		t.Errorf("override: %+v %v", pr, ok)
	}
	if pr, _ := p.Lookup("claude-sonnet-4-5-20250929"); pr.Output != 1e6 {
		t.Errorf("override did not replace: %+v", pr)
	}
	if p.Date != "2027-01-01" {
		t.Errorf("date %q", p.Date)
	}
	for name, body := range map[string]string{
		"decimals": `{"models":[{"model":"x","input":0.0000001,"cache_read":0,"cache_write":0,"output":0}]}`,
		"missing":  `{"models":[{"model":"x","input":1}]}`,
		"negative": `{"models":[{"model":"x","input":-1,"cache_read":0,"cache_write":0,"output":0}]}`,
		"unknown":  `{"modles":[]}`,
		"unit":     `{"unit":"USD per token","models":[]}`,
	} {
		must(t, os.WriteFile(over, []byte(body), 0o600))
		if _, err := LoadPricing(over); err == nil {
			t.Errorf("%s: accepted %s", name, body)
		}
	}
}

func TestEstimateExact(t *testing.T) {
	// 1,000,003 uncached input at $3/MTok, 7 cache reads at $0.30, 11
	// cache writes at $3.75, 13 output at $15: 3.000009 + 0.0000021 +
	// 0.00004125 + 0.000195 = 3.00024735 -> 3.000247 (half away from zero
	// would need ...5 at the seventh decimal; here it is 3.5e-7 -> up).
	tok := Tokens{kInput: 1000021, kCacheRead: 7, kCacheCreation: 11, kOutput: 13}
	acc := new(big.Int)
	estimatePico(acc, &tok, Price{Input: 3e6, CacheRead: 3e5, CacheWrite: 3.75e6, Output: 15e6})
	if got := formatMicros(picoToMicros(acc)); got != "3.000247" {
		t.Errorf("estimate %s (pico %s)", got, acc)
	}
}

// lineFor returns a token_usage entry line.
func lineFor(session string, cost string) string {
	return `{"id":"x","timestamp":"2026-11-20T14:03:10.123456+00:00","type":"token_usage","session_id":"` + session +
		`","user_id":"u","data":{"model":"claude-sonnet-4-5","input_tokens":100,"output_tokens":10,"cache_read_tokens":50,"cache_creation_tokens":0,"reasoning_tokens":null,"cost_usd":` +
		cost + `},"metadata":{"resource":{"service.name":"claude-code"}}}`
}

func writeFile(t *testing.T, dir, name string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "metrics"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "metrics", name), content, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
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

func build(t *testing.T, dirs ...string) *Report {
	t.Helper()
	res, err := Read(dirs, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadPricing("")
	if err != nil {
		t.Fatal(err)
	}
	return Build(res, p, Grouping{Sessions: true})
}

// TestBadInput: a torn last line, foreign lines, an unreadable file, a
// corrupt gzip file and a symlink are skipped and counted, and the totals
// are those of the good lines alone.
func TestBadInput(t *testing.T) {
	good := t.TempDir()
	writeFile(t, good, "metrics_20261120_000000_000001.jsonl.gz", gz(t, lineFor("a", "0.25")+"\n"+lineFor("b", "0.000001")+"\n"))
	writeFile(t, good, "metrics_20261120_000000_000002.jsonl.zst", zst(t, lineFor("c", "1e-7")+"\n"))
	writeFile(t, good, "metrics_20261120_000000_000003.jsonl", []byte(lineFor("d", "null")+"\n"))
	want := build(t, good)

	bad := t.TempDir()
	writeFile(t, bad, "metrics_20261120_000000_000001.jsonl.gz", gz(t, lineFor("a", "0.25")+"\n"+"not json\n"+`{"hello":"world"}`+"\n"+lineFor("b", "0.000001")+"\n"+lineFor("torn", "9")[:80]))
	writeFile(t, bad, "metrics_20261120_000000_000002.jsonl.zst", zst(t, lineFor("c", "1e-7")+"\n"+`{"timestamp":"yesterday","type":"token_usage"}`+"\n"+"\n"))
	writeFile(t, bad, "metrics_20261120_000000_000003.jsonl", []byte(lineFor("d", "null")+"\n"+`{"timestamp":"2026-11-20T14:03:10.123456+00:00","type":"not_a_type"}`+"\n"))
	corrupt := gz(t, strings.Repeat(lineFor("x", "100")+"\n", 200))
	corrupt[len(corrupt)/2] ^= 0xff
	writeFile(t, bad, "metrics_20261120_000000_000004.jsonl.gz", corrupt)
	writeFile(t, bad, "metrics_20261120_000000_000005.jsonl.gz", []byte("not gzip at all"))
	writeFile(t, bad, "metrics_20261120_000000_000006.jsonl.zst", []byte("not zstd"))
	if os.Geteuid() != 0 { // root reads a file whatever its mode
		writeFile(t, bad, "metrics_20261120_000000_000007.jsonl", []byte(lineFor("y", "100")+"\n"))
		must(t, os.Chmod(filepath.Join(bad, "metrics", "metrics_20261120_000000_000007.jsonl"), 0))
	}
	must(t, os.Symlink(filepath.Join(good, "metrics", "metrics_20261120_000000_000003.jsonl"), filepath.Join(bad, "metrics", "metrics_20261120_000000_000008.jsonl")))
	writeFile(t, bad, "metrics_20261120_000000_000009.jsonl.gz.tmp", []byte("a compression in progress"))
	got := build(t, bad)

	gotJSON, _ := json.Marshal(got.Figures)
	wantJSON, _ := json.Marshal(want.Figures)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("figures over bad input\n got %s\nwant %s", gotJSON, wantJSON)
	}
	c := got.Input
	unreadable := 3 // corrupt gzip, not gzip, not zstd
	if os.Geteuid() != 0 {
		unreadable++ // the unreadable plain file (root reads it anyway)
	}
	if c.Foreign != 5 || c.Torn != 1 || c.FilesSkipped != unreadable {
		t.Errorf("counts %+v; want 5 foreign lines, 1 torn, %d files skipped", c, unreadable)
	}
	if *got.CostUSD != 250001 {
		t.Errorf("cost %s, want 0.250001 (0.25 + 0.000001 + 1e-7, rounded)", got.CostUSD)
	}
	if len(got.Problems) == 0 {
		t.Error("no problems listed")
	}
}

// TestSessionAgentAndFilters: synthesized session lines have no resource
// and take their session's agent; --agent keeps them with it.
func TestSessionAgentAndFilters(t *testing.T) {
	dir := t.TempDir()
	lines := []string{
		`{"id":"1","timestamp":"2026-11-20T10:00:00.000000+00:00","type":"session_start","session_id":"s1","user_id":"u1","data":{"synthesized":true},"metadata":{"signal":"session","synthesized":true}}`,
		`{"id":"2","timestamp":"2026-11-20T10:00:01.000000+00:00","type":"tool_use","session_id":"s1","user_id":"u1","data":{"tool_name":"Bash","success":false,"duration_ms":100},"metadata":{"resource":{"service.name":"claude-code"}}}`,
		`{"id":"3","timestamp":"2026-11-20T10:10:00.000000+00:00","type":"session_end","session_id":"s1","user_id":"u1","data":{"duration_seconds":600.5,"prompts":3},"metadata":{"signal":"session","synthesized":true}}`,
		`{"id":"4","timestamp":"2026-11-21T09:00:00.000000+00:00","type":"token_usage","session_id":"s2","user_id":"u2","data":{"model":"gemini-2.5-pro","input_tokens":1000000,"output_tokens":100000,"cache_read_tokens":500000,"cache_creation_tokens":null,"cost_usd":null},"metadata":{"resource":{"service.name":"gemini-cli"}}}`,
		`{"id":"5","timestamp":"2026-11-21T09:30:00.000000+00:00","type":"session_end","session_id":"s2","user_id":"u2","data":{"duration_seconds":1800.0,"token_count":1100000},"metadata":{"signal":"session","synthesized":true}}`,
	}
	writeFile(t, dir, "metrics_20261120_000000_000001.jsonl", []byte(strings.Join(lines, "\n")+"\n"))
	p, _ := LoadPricing("")
	read := func(f Filter) *Report {
		res, err := Read([]string{dir}, Options{Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		return Build(res, p, Grouping{Agents: true, Sessions: true})
	}
	all := read(Filter{})
	if all.Sessions != 2 || *all.Prompts != 3 || *all.ActiveSeconds != 2400500000 {
		t.Errorf("all: sessions %d prompts %v active %v", all.Sessions, *all.Prompts, *all.ActiveSeconds)
	}
	// gemini-2.5-pro: 500,000 uncached at 1.25 + 500,000 cached at 0.125 + 100,000 out at 10 = 0.625 + 0.0625 + 1 = 1.6875
	if all.CostUSDEstimated == nil || all.CostUSDEstimated.String() != "1.687500" || all.CostUSD != nil {
		t.Errorf("estimated %v reported %v", all.CostUSDEstimated, all.CostUSD)
	}
	claude := read(Filter{Agents: map[string]bool{"claude-code": true}})
	if claude.Sessions != 1 || claude.Prompts == nil || *claude.Prompts != 3 || claude.ActiveSeconds.String() != "600.500000" || claude.Requests != 0 {
		t.Errorf("claude-code: %+v", claude.Figures)
	}
	if len(claude.Agents) != 1 || claude.Agents[0].Key != "claude-code" || claude.Agents[0].Sessions != 1 {
		t.Errorf("agents %+v", claude.Agents)
	}
	gem := read(Filter{Agents: map[string]bool{"gemini-cli": true}})
	if gem.Sessions != 1 || gem.Prompts != nil || gem.ActiveSeconds.String() != "1800.000000" {
		t.Errorf("gemini-cli: prompts must be absent (null), not 0: %+v", gem.Figures)
	}
	day := read(Filter{Since: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC).UnixMicro(), HasSince: true})
	if day.Sessions != 1 || len(day.Days) != 1 || day.Days[0].Key != "2026-11-21" {
		t.Errorf("since: %+v %+v", day.Figures, day.Days)
	}
	if tool := all.Tools[0]; tool.Name != "Bash" || tool.Failures != 1 || *tool.SuccessRate != 0 || *tool.P50 < 99 || *tool.P50 > 101 {
		t.Errorf("tool %+v", tool)
	}
}

// TestDeterministic: the report is the same whatever the number of
// workers (files are merged in any order).
func TestDeterministic(t *testing.T) {
	base := t.TempDir()
	dirs := []string{filepath.Join(base, "a"), filepath.Join(base, "b")}
	if _, err := reportgen.Generate(reportgen.Config{Dirs: dirs, Users: 20, Days: 5, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		Seed: 3, Compression: []string{"gzip", "mixed"}, LinesPerFile: 300}); err != nil {
		t.Fatal(err)
	}
	p, _ := LoadPricing("")
	var first []byte
	for _, w := range []int{1, 2, 7} {
		res, err := Read(dirs, Options{Workers: w, Blocks: true})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		must(t, WriteJSON(&b, Build(res, p, Grouping{Months: true, Users: true, Agents: true, Blocks: true, Sessions: true})))
		if first == nil {
			first = b.Bytes()
		} else if !bytes.Equal(first, b.Bytes()) {
			t.Fatalf("workers=%d gives another report", w)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
