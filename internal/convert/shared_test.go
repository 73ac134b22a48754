package convert

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// sharedDir is ../shared beside the repository (the reference fixtures and
// the seed checker); a user's clone has none.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "..", "shared")
	if _, err := os.Stat(filepath.Join(dir, "fixtures")); err != nil {
		t.Skipf("reference fixtures not present (%s): this check runs where ../shared exists (CI); the golden tests over testdata/payloads cover the same cases", dir)
	}
	return dir
}

// referenceCases are ../shared/fixtures/README.md: the expected type of
// every record under the default configuration, and the facts it lists,
// except where the project's contract says otherwise (docs/mapping.md):
// token counts in one meaning for every agent (Claude Code's input counts
// its cache, Gemini CLI's output its thoughts), and Claude Code's metrics,
// which repeat its events, ignored.
var referenceCases = []goldenCase{
	{payload: "claude_code_logs.json", unmatched: 4, entries: []want{
		{typ: "command_executed", sid: ccSID, uid: ccUID, fields: map[string]any{"command": "compact"}},
		{typ: "token_usage", sid: ccSID, uid: ccUID, fields: map[string]any{"input_tokens": 9200, "output_tokens": 350,
			"cache_read_tokens": 8000, "cache_creation_tokens": 0, "cost_usd": 0.02446, "model": "claude-sonnet-4-5"}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, fields: map[string]any{"success": true, "duration_ms": 1211}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, fields: map[string]any{"success": false, "error": "File does not exist.", "error_type": "Error:ENOENT"}},
		{typ: "tool_use", sid: ccSID, uid: ccUID, fields: map[string]any{"success": false, "decision": "reject"}},
		{typ: "error_occurred", sid: ccSID, uid: ccUID, fields: map[string]any{"error_message": "Overloaded", "status_code": 529}},
		{typ: "error_occurred", sid: ccSID, uid: ccUID},
		{typ: "error_occurred", sid: ccSID, uid: ccUID, fields: map[string]any{"error_type": "TypeError"}},
		{typ: "hook_triggered", sid: ccSID, uid: ccUID, fields: map[string]any{"hook_name": "PreToolUse:Write", "hook_event": "PreToolUse", "duration_ms": 184}},
		{typ: "agent_execution", sid: ccSID, uid: ccUID, fields: map[string]any{"agent_name": "code-reviewer", "duration_ms": 48200}},
	}},
	{payload: "claude_code_metrics.json", ignored: 9},
	{payload: "gemini_cli_logs.json", unmatched: 1, entries: []want{
		{typ: "tool_use", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"tool_name": "read_file"}},
		{typ: "tool_use", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"tool_name": "run_shell_command", "success": false}},
		{typ: "token_usage", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"input_tokens": 5400, "output_tokens": 830, "cache_read_tokens": 4096}},
		{typ: "error_occurred", sid: gmSID, uid: "dev@example.com", fields: map[string]any{"error_type": "RESOURCE_EXHAUSTED", "error_message": "quota exceeded"}},
		{typ: "hook_triggered", sid: gmSID, uid: "dev@example.com"},
		{typ: "agent_execution", sid: gmSID, uid: "dev@example.com"},
		{typ: "command_executed", sid: gmSID, uid: "dev@example.com"},
		{typ: "session_end", sid: gmSID, uid: "dev@example.com"},
	}},
	{payload: "genai_metrics.json", unmatched: 1, entries: []want{
		{typ: "token_usage", sid: "conv-42", fields: map[string]any{"input_tokens": 9000}},
		{typ: "token_usage", sid: "conv-42", fields: map[string]any{"output_tokens": 1500}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"duration_ms": 1500.0, "success": true}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"duration_ms": 30000.0, "success": false}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"agent_name": "triage"}},
		{typ: "performance", sid: "conv-42", fields: map[string]any{"tool_name": "search_kb"}},
	}},
	{payload: "generic_logs.json", unmatched: 2, invalidOverrides: 1, entries: []want{
		{typ: "error_occurred", sid: "resource-level-session", uid: "u-77", fields: map[string]any{"error_type": "PaymentDeclined",
			"stack_trace": "main.pay()\n\tpay.go:42"}},
		{typ: "performance", sid: "resource-level-session"},
		{typ: "session_start", sid: "s-100"},
		{typ: "session_end", sid: "s-100"},
	}},
}

// TestReferenceFixtures feeds the shared reference payloads through the
// converter, checks the README's expectations, and runs the original
// engine's parser (seedcheck.py) over the lines as a sink would lay them out.
func TestReferenceFixtures(t *testing.T) {
	shared := sharedDir(t)
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}
	var all []byte
	total := 0
	for _, rc := range referenceCases {
		t.Run(rc.payload, func(t *testing.T) {
			c := mustNew(t, defaultOptions()) // real ids and clock: what the exporter writes
			lines, st := convertFile(t, c, filepath.Join(shared, "fixtures", rc.payload))
			entries := checkLines(t, lines)
			if len(entries) != len(rc.entries) {
				t.Fatalf("%d entries, want %d:\n%s", len(entries), len(rc.entries), lines)
			}
			if st.DroppedUnmatched != rc.unmatched || st.DroppedIgnored != rc.ignored || st.InvalidOverride != rc.invalidOverrides {
				t.Errorf("stats %+v, want unmatched %d, ignored %d, invalid overrides %d", st, rc.unmatched, rc.ignored, rc.invalidOverrides)
			}
			for i, w := range rc.entries {
				t.Run(entryName(i, entries[i]), func(t *testing.T) { checkEntry(t, i, entries[i], w) })
			}
			all = append(all, lines...)
			total += len(entries)
		})
	}
	file := filepath.Join(out, "metrics", "metrics_20260101_000000_000000.jsonl")
	if err := os.WriteFile(file, all, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed: seedcheck.py cannot run")
	}
	cmd := exec.Command("python3", filepath.Join(shared, "tools", "seedcheck.py"), "--min", strconv.Itoa(total), out)
	res, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("seedcheck.py failed: %v\n%s", err, res)
	}
	t.Logf("seedcheck: %s", res)
}

// TestSeedcheckOwnPayloads runs the original engine's parser over what the
// converter makes of the project's own payloads (every metric kind, the
// variants, the strict-JSON corner cases of the golden files).
func TestSeedcheckOwnPayloads(t *testing.T) {
	shared := sharedDir(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed: seedcheck.py cannot run")
	}
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}
	payloads, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "payloads", "*.json"))
	if err != nil || len(payloads) == 0 {
		t.Fatalf("no payloads: %v", err)
	}
	c := mustNew(t, Options{TypeAttribute: "analytics.type", BuiltinRules: true, IncludeBuckets: true, Rules: []Rule{claudeUsageRule}})
	var all []byte
	n := 0
	for _, p := range payloads {
		lines, _ := convertFile(t, c, p)
		n += len(checkLines(t, lines))
		all = append(all, lines...)
	}
	if err := os.WriteFile(filepath.Join(out, "metrics", "metrics_20260101_000000_000000.jsonl"), all, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := exec.Command("python3", filepath.Join(shared, "tools", "seedcheck.py"), "--min", strconv.Itoa(n), out).CombinedOutput()
	if err != nil {
		t.Fatalf("seedcheck.py failed: %v\n%s", err, res)
	}
}
