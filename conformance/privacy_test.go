package conformance

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter"
	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

// markers are the mock's strings that appear only in prompt text, answers,
// commands and command output.
var markers = []string{mockmodel.PromptMarker, mockmodel.ResponseMarker, mockmodel.CommandMarker, mockmodel.OutputMarker}

// codingAgents are the agents whose captures were made with prompt and
// tool-detail logging on.
var codingAgents = map[string]bool{"claude-code": true, "codex": true, "gemini-cli": true}

// emailRE finds email addresses.
var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

// signedInEmail is the address TestPrivacyEmail adds to every record.
const signedInEmail = "signed-in.user@example.com"

// testHashKey is the hash_key of the hashing replays.
const testHashKey = "conformance-test-hash-key-0123456789"

// replayFiles replays dir with edit and returns the bytes of every file the
// exporter wrote (plain files: replay turns compression off).
func replayFiles(t *testing.T, dir string, edit func(*analyticsexporter.Config)) []byte {
	t.Helper()
	var out string
	replay(t, dir, asSent, func(cfg *analyticsexporter.Config) {
		out = cfg.Directory
		if edit != nil {
			edit(cfg)
		}
	})
	return sinktest.RawFiles(t, out)
}

// sent returns which markers and email addresses the attributes of the
// logs and metrics requests of dir hold (resource, record and data point
// attributes: what the entries are made of; log bodies are not written,
// and spans are left out because a span no rule maps is written nowhere,
// not even with every record written). The defaults' check still looks
// for every marker in files made from the spans too.
func sent(t *testing.T, dir string) (found []string, emails []string) {
	t.Helper()
	reqs := loadRequests(t, dir)
	var text strings.Builder
	add := func(m pcommon.Map) {
		for _, v := range m.All() {
			text.WriteString(v.AsString())
			text.WriteByte('\n')
		}
	}
	for _, r := range reqs {
		switch r.Signal {
		case "logs":
			ld, err := r.Logs()
			if err != nil {
				t.Fatal(err)
			}
			for _, rl := range ld.ResourceLogs().All() {
				add(rl.Resource().Attributes())
			}
			logRecords(ld, func(_ pcommon.Map, lr plog.LogRecord) { add(lr.Attributes()) })
		case "metrics":
			md, err := r.Metrics()
			if err != nil {
				t.Fatal(err)
			}
			for _, rm := range md.ResourceMetrics().All() {
				add(rm.Resource().Attributes())
			}
			eachPoint(md, func(_, attrs pcommon.Map, _, _ pcommon.Timestamp) { add(attrs) })
		}
	}
	body := text.String()
	for _, m := range markers {
		if strings.Contains(body, m) {
			found = append(found, m)
		}
	}
	for _, e := range emailRE.FindAllString(body, -1) {
		if !slices.Contains(emails, e) {
			emails = append(emails, e)
		}
	}
	return found, emails
}

// hasLogsOrMetrics reports whether dir holds a request the exporter
// converts.
func hasLogsOrMetrics(t *testing.T, dir string) bool {
	t.Helper()
	reqs := loadRequests(t, dir)
	for _, r := range reqs {
		if r.Signal == "logs" || r.Signal == "metrics" {
			return true
		}
	}
	return false
}

// writeAll writes every record and data point, each with all its
// attributes (no built-in rule types or ignores any), so that no content
// hides in a record the default mapping drops.
func writeAll(cfg *analyticsexporter.Config) {
	cfg.BuiltinRules, cfg.Unmatched = false, "performance"
}

// keepAll writes every record with every privacy rule off.
func keepAll(cfg *analyticsexporter.Config) {
	writeAll(cfg)
	cfg.Privacy.Content, cfg.Privacy.Identities, cfg.Privacy.MaxValueBytes = "keep", "keep", 0
}

// checkPrivacy replays dir three times: with the defaults, with every
// record written, and with every rule off. With the rules, no marker and no
// address may appear in the files; without them, every marker and address
// the requests' attributes held must.
func checkPrivacy(t *testing.T, dir string, wantMarkers bool) {
	t.Helper()
	found, emails := sent(t, dir)
	if len(found) == 0 && wantMarkers {
		t.Fatalf("%s: the requests hold no marker: the capture was not made with prompt and tool logging on", dir)
	}
	t.Logf("sent: markers %v, addresses %v", found, emails)
	for _, c := range []struct {
		name string
		edit func(*analyticsexporter.Config)
	}{{"defaults", nil}, {"defaults, every record written", writeAll}} {
		files := replayFiles(t, dir, c.edit)
		if len(files) == 0 {
			t.Fatalf("%s: no output", c.name)
		}
		for _, m := range markers {
			if i := bytes.Index(files, []byte(m)); i >= 0 {
				t.Errorf("%s: %s in the output: %s", c.name, m, lineAt(files, i))
			}
		}
		if loc := emailRE.FindIndex(files); loc != nil {
			t.Errorf("%s: an email address in the output: %s", c.name, lineAt(files, loc[0]))
		}
	}
	files := replayFiles(t, dir, keepAll)
	for _, m := range found {
		if !bytes.Contains(files, []byte(m)) {
			t.Errorf("privacy off: %s sent but not in the output", m)
		}
	}
	for _, e := range emails {
		if !bytes.Contains(files, []byte(e)) {
			t.Errorf("privacy off: %s sent but not in the output", e)
		}
	}
}

// lineAt is the line of b around offset i, shortened.
func lineAt(b []byte, i int) string {
	start := bytes.LastIndexByte(b[:i], '\n') + 1
	end := bytes.IndexByte(b[i:], '\n')
	if end < 0 {
		end = len(b) - i
	}
	line := string(b[start : i+end])
	if len(line) > 600 {
		line = line[:600] + "…"
	}
	return line
}

// TestPrivacyCaptures replays every stored capture (recorded with prompt
// and tool-detail logging on): by default nothing of the conversation and
// no address reaches the files; with the rules off, all of it does.
func TestPrivacyCaptures(t *testing.T) {
	caps := loadCaptures(t)
	if len(caps) == 0 {
		t.Fatalf("no captures under %s", capturesDir)
	}
	for _, c := range caps {
		t.Run(c.name(), func(t *testing.T) {
			checkPrivacy(t, c.otlpDir(), codingAgents[c.info.Agent])
		})
	}
}

// TestPrivacyShapedPayloads checks payloads shaped like the agents'
// captures (their event names, attribute keys and value kinds, the
// markers where the agents put conversation text) the same way.
func TestPrivacyShapedPayloads(t *testing.T) {
	for name, ld := range shapedPayloads() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeLogs(t, dir, 1, ld)
			checkPrivacy(t, dir, true)
		})
	}
}

// TestPrivacyEmail adds a signed-in user's address (user.email, as Claude
// Code sends it for signed-in users) to every record and data point of the
// captures and of the shaped payloads: with a hash_key it is replaced by
// its keyed hash everywhere, without one it is gone, with identities: keep
// it stays.
func TestPrivacyEmail(t *testing.T) {
	dirs := map[string]string{}
	for _, c := range loadCaptures(t) {
		if hasLogsOrMetrics(t, c.otlpDir()) {
			dirs[c.name()] = c.otlpDir()
		}
	}
	for name, ld := range shapedPayloads() {
		dir := t.TempDir()
		writeLogs(t, dir, 1, ld)
		dirs["shaped/"+name] = dir
	}
	mac := hmac.New(sha256.New, []byte(testHashKey))
	mac.Write([]byte(signedInEmail))
	// In data as user.email, or as the user id when no other user id
	// attribute comes first.
	want := []byte(`"hmac-sha256:` + hex.EncodeToString(mac.Sum(nil)) + `"`)
	for name, src := range dirs {
		t.Run(name, func(t *testing.T) {
			dir := withEmail(t, src)
			hashedOut := replayFiles(t, dir, func(cfg *analyticsexporter.Config) {
				cfg.Privacy.HashKey = configopaque.String(testHashKey)
			})
			if loc := emailRE.FindIndex(hashedOut); loc != nil {
				t.Errorf("hash_key set: an address in the output: %s", lineAt(hashedOut, loc[0]))
			}
			if !bytes.Contains(hashedOut, want) {
				t.Errorf("hash_key set: no %s in the output", want)
			}
			dropped := replayFiles(t, dir, nil)
			if loc := emailRE.FindIndex(dropped); loc != nil {
				t.Errorf("no hash_key: an address in the output: %s", lineAt(dropped, loc[0]))
			}
			if bytes.Contains(dropped, []byte(`"user.email"`)) {
				t.Error("no hash_key: user.email in the output")
			}
			kept := replayFiles(t, dir, func(cfg *analyticsexporter.Config) { cfg.Privacy.Identities = "keep" })
			if !bytes.Contains(kept, []byte(signedInEmail)) {
				t.Error("identities: keep: the address is not in the output")
			}
		})
	}
}

// withEmail copies the logs and metrics requests of src into a new
// directory, with user.email on every record and data point.
func withEmail(t *testing.T, src string) string {
	t.Helper()
	reqs := loadRequests(t, src)
	dir := t.TempDir()
	for _, r := range reqs {
		switch r.Signal {
		case "logs":
			ld, err := r.Logs()
			if err != nil {
				t.Fatal(err)
			}
			logRecords(ld, func(_ pcommon.Map, lr plog.LogRecord) { lr.Attributes().PutStr("user.email", signedInEmail) })
			writeLogs(t, dir, r.Seq, ld)
		case "metrics":
			md, err := r.Metrics()
			if err != nil {
				t.Fatal(err)
			}
			eachPoint(md, func(_, attrs pcommon.Map, _, _ pcommon.Timestamp) { attrs.PutStr("user.email", signedInEmail) })
			b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, fmt.Sprintf("%04d-metrics.json", r.Seq)), b)
		}
	}
	return dir
}

func writeLogs(t *testing.T, dir string, seq int, ld plog.Logs) {
	t.Helper()
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, fmt.Sprintf("%04d-logs.json", seq)), b)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// The conversation of the shaped payloads, from the mock's ToolOK scenario.
var (
	shapedPrompt   = mockmodel.ToolOK.Prompts[0]
	shapedCommand  = "echo " + mockmodel.CommandMarker + " | tr a-z A-Z"
	shapedOutput   = mockmodel.OutputMarker + "\n"
	shapedResponse = mockmodel.ToolOK.Steps[1].Text
)

// shapedPayloads are one logs request per agent, shaped like the captures:
// the records that carry conversation text when prompt and tool logging
// are on, with the attributes next to them.
func shapedPayloads() map[string]plog.Logs {
	return map[string]plog.Logs{"claude-code": shapedClaude(), "codex": shapedCodex(), "gemini-cli": shapedGemini()}
}

// rec appends a record with event.name and the attributes of kvs (string
// values; []string becomes a list; int64 an int).
func rec(sl plog.ScopeLogs, body, event string, kvs ...any) {
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.Timestamp(1_796_097_161_000_000_000 + int64(sl.LogRecords().Len())*1_000_000))
	if body != "" {
		lr.Body().SetStr(body)
	}
	lr.Attributes().PutStr("event.name", event)
	putKVs(lr.Attributes(), kvs...)
}

func putKVs(m pcommon.Map, kvs ...any) {
	for i := 0; i+1 < len(kvs); i += 2 {
		k := kvs[i].(string)
		switch v := kvs[i+1].(type) {
		case string:
			m.PutStr(k, v)
		case int64:
			m.PutInt(k, v)
		case []string:
			s := m.PutEmptySlice(k)
			for _, e := range v {
				s.AppendEmpty().SetStr(e)
			}
		}
	}
}

func shapedClaude() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	putKVs(rl.Resource().Attributes(), "host.arch", "amd64", "os.type", "linux", "service.name", "claude-code", "service.version", "2.1.328")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("com.anthropic.claude_code.events")
	ids := []any{"session.id", "0b6b2b1e-1111-4222-8333-944455559e01", "user.id", strings.Repeat("ab", 32),
		"terminal.type", "non-interactive", "prompt.id", "a1b2c3d4-0000-4000-8000-000000000001"}
	params := `{"bash_command":"echo","full_command":"` + shapedCommand + `","description":"Run the requested command"}`
	input := `{"command":"` + shapedCommand + `","description":"Run the requested command"}`
	rec(sl, "claude_code.user_prompt", "user_prompt", append(ids, "prompt", shapedPrompt, "prompt_text", shapedPrompt,
		"prompt_length", fmt.Sprint(len(shapedPrompt)))...)
	rec(sl, "claude_code.api_request", "api_request", append(ids, "model", "claude-sonnet-4-5", "input_tokens", "660",
		"output_tokens", "50", "cache_read_tokens", "300", "cache_creation_tokens", "40", "cost_usd", "0.0042", "duration_ms", "812")...)
	rec(sl, "claude_code.assistant_response", "assistant_response", append(ids, "model", "claude-sonnet-4-5",
		"response", shapedResponse, "response_length", fmt.Sprint(len(shapedResponse)))...)
	rec(sl, "claude_code.tool_decision", "tool_decision", append(ids, "tool_name", "Bash", "decision", "accept",
		"source", "config", "tool_use_id", "toolu_01", "tool_parameters", params)...)
	rec(sl, "claude_code.tool_result", "tool_result", append(ids, "tool_name", "Bash", "success", "true", "duration_ms", "12",
		"tool_use_id", "toolu_01", "tool_parameters", params, "tool_input", input,
		"tool_input_size_bytes", fmt.Sprint(len(input)), "tool_result_size_bytes", fmt.Sprint(len(shapedOutput)))...)
	return ld
}

func shapedCodex() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	putKVs(rl.Resource().Attributes(), "service.name", "codex_exec", "service.version", "0.169.0", "env", "dev", "host.name", "vm")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("codex_otel")
	ids := []any{"conversation.id", "019a0000-1111-7222-8333-944455556666", "app.version", "0.169.0",
		"model", "gpt-5.1-codex", "originator", "codex_exec", "terminal.type", "unknown", "slug", "gpt-5.1-codex"}
	args := `{"cmd":"` + shapedCommand + `","yield_time_ms":10000}`
	out := "Chunk ID: cd0ab7\nWall time: 0.0000 seconds\nProcess exited with code 0\nOutput:\n" + shapedOutput
	rec(sl, "", "codex.user_prompt", append(ids, "prompt", shapedPrompt, "prompt_length", fmt.Sprint(len(shapedPrompt)))...)
	rec(sl, "", "codex.tool_decision", append(ids, "tool_name", "exec_command", "call_id", "call_1", "decision", "approved", "source", "config")...)
	rec(sl, "", "codex.tool_result", append(ids, "tool_name", "exec_command", "call_id", "call_1", "arguments", args,
		"duration_ms", "15", "success", "true", "output", out, "output_truncated", "false", "mcp_server", "", "mcp_server_origin", "")...)
	rec(sl, "", "codex.agent_response", append(ids, "response", shapedResponse, "response_length",
		fmt.Sprint(len(shapedResponse)), "response_truncated", "false")...)
	rec(sl, "", "codex.sse_event", append(ids, "event.kind", "response.completed", "input_token_count", "1000",
		"output_token_count", "50", "cached_token_count", "300", "reasoning_token_count", "7", "duration_ms", "5")...)
	return ld
}

func shapedGemini() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	putKVs(rl.Resource().Attributes(), "host.name", "vm", "host.arch", "amd64", "process.pid", int64(23885),
		"process.executable.name", "/usr/bin/node", "process.command_args",
		[]string{"/usr/bin/node", "/usr/lib/node_modules/.bin/gemini", "-p", shapedPrompt, "--approval-mode", "yolo"},
		"process.command", "/usr/lib/node_modules/.bin/gemini", "process.owner", "root",
		"service.name", "gemini-cli", "service.version", "0.61.0", "session.id", "4e0ed01f-0a89-44d3-bbc9-5a1ba315f59d")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("gemini-cli")
	ids := []any{"session.id", "4e0ed01f-0a89-44d3-bbc9-5a1ba315f59d", "installation.id", "9d1e0000-1111-4222-8333-944455556666",
		"interactive", "false", "auth_type", "gemini-api-key", "prompt_id", "4e0ed01f########0"}
	userTurn := `[{"role":"user","parts":[{"text":"` + shapedPrompt + `"}]}]`
	call := `{"role":"model","parts":[{"functionCall":{"name":"run_shell_command","args":{"command":"` + shapedCommand + `"}}}]}`
	reply := `{"role":"user","parts":[{"functionResponse":{"name":"run_shell_command","response":{"output":"` + strings.TrimSpace(shapedOutput) + `"}}}]}`
	rec(sl, "User prompt.", "gemini_cli.user_prompt", append(ids, "prompt", shapedPrompt, "prompt_length", fmt.Sprint(len(shapedPrompt)))...)
	rec(sl, "API request to gemini-2.5-flash.", "gemini_cli.api_request", append(ids, "model", "gemini-2.5-flash",
		"request_text", userTurn)...)
	rec(sl, "API response from gemini-2.5-flash.", "gemini_cli.api_response", append(ids, "model", "gemini-2.5-flash",
		"status_code", "200", "duration_ms", "700", "input_token_count", "1000", "output_token_count", "43",
		"cached_content_token_count", "300", "thoughts_token_count", "7", "total_token_count", "1050",
		"response_text", `[{"functionCall":{"name":"run_shell_command","args":{"command":"`+shapedCommand+`"}}}]`)...)
	rec(sl, "Tool call: run_shell_command.", "gemini_cli.tool_call", append(ids, "function_name", "run_shell_command",
		"function_args", `{"command":"`+shapedCommand+`"}`, "duration_ms", "25", "success", "true", "decision", "auto_accept",
		"tool_type", "native", "content_length", fmt.Sprint(len(shapedOutput)))...)
	rec(sl, "GenAI operation details.", "gen_ai.client.inference.operation.details", append(ids,
		"gen_ai.operation.name", "generate_content", "gen_ai.provider.name", "gcp.gen_ai", "gen_ai.request.model", "gemini-2.5-flash",
		"gen_ai.input.messages", "["+strings.TrimSuffix(strings.TrimPrefix(userTurn, "["), "]")+","+call+","+reply+"]",
		"gen_ai.output.messages", `[{"role":"model","parts":[{"type":"text","content":"`+shapedResponse+`"}]}]`,
		"gen_ai.system_instructions", strings.Repeat("You are an interactive CLI agent. ", 900),
		"gen_ai.usage.input_tokens", "2000", "gen_ai.usage.output_tokens", "100")...)
	return ld
}
