package convert

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// The project's own OTLP/JSON payloads in testdata/payloads are written by
// this generator (go test -run TestGeneratePayloads -gen-payloads), from the
// facts of the reference fixtures (../shared/fixtures/README.md) and the
// variants real senders produce. The golden tests read the files, so the
// files are the contract, not this code.
var genPayloads = flag.Bool("gen-payloads", false, "rewrite testdata/payloads from payloads_gen_test.go")

func TestGeneratePayloads(t *testing.T) {
	if !*genPayloads {
		t.Skip("payload generator: run with -gen-payloads to rewrite testdata/payloads")
	}
	dir := filepath.Join(repoRoot(t), "testdata", "payloads")
	for name, ld := range logPayloads() {
		b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		if err != nil {
			t.Fatal(err)
		}
		writeIndented(t, filepath.Join(dir, name+".json"), b)
	}
	for name, md := range metricPayloads() {
		b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
		if err != nil {
			t.Fatal(err)
		}
		writeIndented(t, filepath.Join(dir, name+".json"), b)
	}
}

func writeIndented(t *testing.T, path string, b []byte) {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", " "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// t0 is 2026-11-20T14:03:07.123456789Z; records are 1.5 s apart.
const t0 = int64(1795183387123456789)

func at(i int) int64 { return t0 + int64(i)*1_500_000_000 }

const (
	ccSession = "0b6b2b1e-7d4f-4b61-9a57-2f7f3c1d9e01"
	ccUser    = "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e"
)

// ccCommon are the attributes Claude Code puts on every event.
func ccCommon(extra ...kv) []kv {
	common := []kv{{"event.sequence", "1"}, {"organization.id", "org-0001"},
		{"session.id", ccSession}, {"terminal.type", "vscode"},
		{"user.account_uuid", "a1b2c3d4-0000-4000-8000-000000000001"},
		{"user.email", "dev@example.com"}, {"user.id", ccUser}}
	return append(extra, common...)
}

// ccEvent is a Claude Code event: body claude_code.<name>, event.name=<name>.
func ccEvent(i int, name string, sev string, extra ...kv) logRec {
	r := logRec{body: "claude_code." + name, sev: 9, sevText: "Info", time: at(i), observed: at(i) + 3_000_000,
		attrs: ccCommon(append([]kv{{"event.name", name}}, extra...)...)}
	if sev == "Error" {
		r.sev, r.sevText = 17, "Error"
	}
	return r
}

var ccResource = []kv{{"host.arch", "amd64"}, {"os.type", "linux"}, {"service.name", "claude-code"}, {"service.version", "2.1.230"}}

func logPayloads() map[string]plog.Logs {
	return map[string]plog.Logs{
		"claude_code_logs": logBatch(ccResource, "com.anthropic.claude_code.events",
			ccEvent(0, "user_prompt", "Info", kv{"prompt", "<REDACTED>"}, kv{"prompt_length", "42"}),
			ccEvent(1, "user_prompt", "Info", kv{"command_name", "compact"}, kv{"command_source", "builtin"}, kv{"prompt_length", "8"}),
			ccEvent(2, "api_request", "Info", kv{"model", "claude-sonnet-4-5"}, kv{"input_tokens", "1200"}, kv{"output_tokens", "350"},
				kv{"cache_read_tokens", "8000"}, kv{"cache_creation_tokens", "0"}, kv{"cost_usd", "0.02446"}, kv{"duration_ms", "2314"},
				kv{"request_id", "req_011"}),
			ccEvent(3, "tool_decision", "Info", kv{"decision", "accept"}, kv{"source", "config"}, kv{"tool_name", "Bash"}, kv{"tool_use_id", "toolu_01"}),
			ccEvent(4, "tool_result", "Info", kv{"tool_name", "Bash"}, kv{"success", "true"}, kv{"duration_ms", "1211"},
				kv{"decision_type", "accept"}, kv{"tool_result_size_bytes", "8521"}),
			ccEvent(5, "tool_result", "Info", kv{"tool_name", "Read"}, kv{"success", "false"}, kv{"duration_ms", "3"},
				kv{"error", "File does not exist."}, kv{"error_type", "Error:ENOENT"}),
			ccEvent(6, "tool_decision", "Info", kv{"decision", "reject"}, kv{"source", "user_reject"}, kv{"tool_name", "Write"}),
			ccEvent(7, "api_error", "Error", kv{"error", "Overloaded"}, kv{"status_code", 529}, kv{"attempt", "11"}, kv{"model", "claude-sonnet-4-5"}),
			ccEvent(8, "api_retries_exhausted", "Error", kv{"error", "Overloaded"}, kv{"status_code", 529}, kv{"total_attempts", 11}),
			ccEvent(9, "internal_error", "Error", kv{"error_name", "TypeError"}, kv{"error_code", "ENOENT"}),
			ccEvent(10, "hook_execution_complete", "Info", kv{"hook_event", "PreToolUse"}, kv{"hook_name", "PreToolUse:Write"},
				kv{"num_hooks", "2"}, kv{"total_duration_ms", "184"}),
			ccEvent(11, "subagent_completed", "Info", kv{"agent_type", "code-reviewer"}, kv{"duration_ms", "48200"}, kv{"model", "claude-haiku-4-5"}),
			ccEvent(12, "compaction", "Info", kv{"duration_ms", "5400"}, kv{"success", "true"}),
			ccEvent(13, "mcp_server_connection", "Info", kv{"duration_ms", "412"}, kv{"status", "connected"}),
		),
		"claude_code_variants_logs": claudeVariants(),
		"gemini_cli_logs":           geminiLogs(),
		"codex_logs":                codexLogs(),
		"generic_logs":              genericLogs(),
	}
}

// claudeVariants are what other Claude Code versions and pipelines send:
// typed numbers, a prefixed event.name, the EventName field, ids only on
// the resource, no event.name at all (body only), a cwd for the project.
func claudeVariants() plog.Logs {
	typed := logRec{body: "claude_code.api_request", sev: 9, time: at(0), attrs: ccCommon(kv{"event.name", "api_request"},
		kv{"model", "claude-opus-4-1"}, kv{"input_tokens", 10}, kv{"output_tokens", 20}, kv{"cache_read_tokens", 0},
		kv{"cache_creation_tokens", 5}, kv{"cost_usd", 0.5})}
	prefixed := logRec{body: "ignored prose", sev: 9, time: at(1), attrs: ccCommon(kv{"event.name", "claude_code.tool_result"},
		kv{"tool_name", "Edit"}, kv{"success", true}, kv{"duration_ms", 7.5})}
	field := logRec{eventName: "claude_code.tool_decision", sev: 9, time: at(2), attrs: ccCommon(kv{"decision", "abort"}, kv{"tool_name", "Bash"})}
	bodyOnly := logRec{body: "claude_code.hook_execution_complete", time: at(3), attrs: []kv{{"hook_event", "Stop"}, {"hook_name", "Stop:notify"}, {"total_duration_ms", 12}}}
	session := logRec{body: "session.start", observed: at(4), attrs: []kv{{"cwd", "/home/dev/project"}, {"model", "claude-sonnet-4-5"}}}
	ld := logBatch(append([]kv{{"session.id", "resource-session"}, {"user.id", "resource-user"}}, ccResource...), "claude_code",
		typed, prefixed, field, bodyOnly, session)
	return ld
}

var gmCommon = []kv{{"auth_type", "oauth-personal"}, {"installation.id", "inst-5e6f"}, {"interactive", true},
	{"session.id", "c3d9e1f0-2222-4333-8444-955566667777"}, {"user.email", "dev@example.com"}}

func gmEvent(i int, name, body string, sev string, extra ...kv) logRec {
	r := logRec{body: body, sev: 9, sevText: "Info", time: at(i),
		attrs: append(append([]kv{{"event.name", "gemini_cli." + name}}, extra...), gmCommon...)}
	if sev == "Error" {
		r.sev, r.sevText = 17, "Error"
	}
	return r
}

func geminiLogs() plog.Logs {
	res := []kv{{"service.name", "gemini-cli"}, {"service.version", "v22.12.0"}, {"session.id", "c3d9e1f0-2222-4333-8444-955566667777"}}
	return logBatch(res, "gemini-cli",
		gmEvent(0, "config", "CLI configuration loaded.", "Info", kv{"model", "gemini-2.5-pro"}, kv{"sandbox_enabled", false}),
		gmEvent(1, "tool_call", "Tool call: read_file.", "Info", kv{"function_name", "read_file"}, kv{"decision", "accept"},
			kv{"duration_ms", 12}, kv{"success", true}, kv{"tool_type", "native"}),
		gmEvent(2, "tool_call", "Tool call: run_shell_command.", "Info", kv{"function_name", "run_shell_command"}, kv{"decision", "accept"},
			kv{"duration_ms", 950}, kv{"success", false}, kv{"error", "exit status 2"}, kv{"error_type", "shell_error"}),
		gmEvent(3, "api_response", "API response from gemini-2.5-pro.", "Info", kv{"model", "gemini-2.5-pro"},
			kv{"input_token_count", 5400}, kv{"output_token_count", 610}, kv{"cached_content_token_count", 4096},
			kv{"thoughts_token_count", 220}, kv{"duration_ms", 3120}, kv{"status_code", 200}),
		gmEvent(4, "api_error", "API error for gemini-2.5-pro.", "Error", kv{"error", "quota exceeded"},
			kv{"error.message", "quota exceeded"}, kv{"error.type", "RESOURCE_EXHAUSTED"}, kv{"status_code", 429}),
		gmEvent(5, "hook_call", "Hook call BeforeTool.", "Info", kv{"hook_event_name", "BeforeTool"}, kv{"hook_name", "lint-guard"},
			kv{"duration_ms", 77}, kv{"success", true}),
		gmEvent(6, "agent.finish", "Agent codebase_investigator finished.", "Info", kv{"agent_name", "codebase_investigator"},
			kv{"duration_ms", 20400}, kv{"terminate_reason", "GOAL"}),
		gmEvent(7, "slash_command", "Slash command: /memory.", "Info", kv{"command", "memory"}, kv{"subcommand", "show"}),
		gmEvent(8, "conversation_finished", "Conversation finished.", "Info", kv{"turnCount", 9}, kv{"approvalMode", "yolo"}),
	)
}

// codexLogs follow the Codex CLI's OTel events (codex.<name> as event.name,
// conversation.id as the session).
func codexLogs() plog.Logs {
	ev := func(i int, name string, extra ...kv) logRec {
		return logRec{sev: 9, time: at(i), attrs: append([]kv{{"event.name", "codex." + name},
			{"conversation.id", "cx-7"}, {"user.account_id", "acct-1"}, {"user.email", "cx@example.com"}}, extra...)}
	}
	res := []kv{{"service.name", "codex_cli_rs"}, {"service.version", "0.50.0"}}
	return logBatch(res, "codex",
		ev(0, "conversation_starts", kv{"model", "gpt-5-codex"}, kv{"cwd", "/src/app"}),
		ev(1, "tool_decision", kv{"tool_name", "shell"}, kv{"decision", "approved"}),
		ev(2, "tool_decision", kv{"tool_name", "apply_patch"}, kv{"decision", "denied"}),
		ev(3, "tool_result", kv{"tool_name", "shell"}, kv{"duration_ms", "31"}, kv{"success", "true"}),
		ev(4, "user_prompt", kv{"prompt_length", "12"}),
	)
}

func genericLogs() plog.Logs {
	res := []kv{{"deployment.environment.name", "prod"}, {"service.name", "checkout"}, {"session.id", "resource-level-session"}}
	return logBatch(res, "checkout/app",
		logRec{body: "payment failed", sev: 17, sevText: "Error", time: at(0), attrs: []kv{{"exception.type", "PaymentDeclined"},
			{"exception.message", "card declined"}, {"exception.stacktrace", "main.pay()\n\tpay.go:42"}, {"user.id", "u-77"}},
			traceID: [16]byte{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c},
			spanID:  [8]byte{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74}},
		logRec{body: "cart viewed", sev: 9, sevText: "Info", time: at(1), attrs: []kv{{"user.id", "u-77"}}},
		logRec{body: "custom step", eventName: "checkout.step", sev: 9, time: at(2), attrs: []kv{{"analytics.type", "performance"},
			{"duration_ms", 18.5}, {"operation", "checkout.step"}, {"success", true}}},
		logRec{body: "bad override", sev: 9, time: at(3), attrs: []kv{{"analytics.type", "not_a_type"}}},
		logRec{eventName: "session.start", sev: 9, time: at(4), attrs: []kv{{"session.id", "s-100"}, {"session.previous_id", "s-099"}}},
		logRec{eventName: "session.end", sev: 9, time: at(5), attrs: []kv{{"session.id", "s-100"}}},
		logRec{body: "worker crashed", sev: 9, time: at(6), attrs: []kv{{"exception.type", "OOM"}}},
	)
}
