//go:build agents

package conformance

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// claudeEnv is the environment of a Claude Code run besides HOME and PATH:
// the model API is the mock, reached as a signed-in user (see
// claudeAccount), nothing but the model API and the telemetry leaves the
// machine, and all three
// OTLP signals go to the recording proxy as OTLP/JSON with short export
// intervals. Tracing is the enhanced-telemetry beta; the OTEL_LOG_* options
// turn on every kind of content the agent can log (prompts, tool
// parameters, tool input and output, assistant responses), so the captures
// hold the content the exporter's privacy defaults must remove.
func claudeEnv(env runEnv) map[string]string {
	return map[string]string{
		"ANTHROPIC_BASE_URL":      env.modelURL,
		"CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-fake-conformance-token",
		// Update checks, error reporting, the agent's own event logging
		// and every other call to Anthropic's hosts.
		"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",

		"CLAUDE_CODE_ENABLE_TELEMETRY":        "1",
		"CLAUDE_CODE_ENHANCED_TELEMETRY_BETA": "1",
		"OTEL_LOGS_EXPORTER":                  "otlp",
		"OTEL_METRICS_EXPORTER":               "otlp",
		"OTEL_TRACES_EXPORTER":                "otlp",
		"OTEL_EXPORTER_OTLP_PROTOCOL":         "http/json",
		"OTEL_EXPORTER_OTLP_ENDPOINT":         env.otlpURL,
		"OTEL_LOGS_EXPORT_INTERVAL":           "500",
		"OTEL_METRIC_EXPORT_INTERVAL":         "1000",
		"OTEL_TRACES_EXPORT_INTERVAL":         "500",

		"OTEL_LOG_USER_PROMPTS":        "1",
		"OTEL_LOG_TOOL_DETAILS":        "1",
		"OTEL_LOG_TOOL_CONTENT":        "1",
		"OTEL_LOG_ASSISTANT_RESPONSES": "1",
	}
}

// claudeAccount is ~/.claude.json of a signed-in user: the account Claude
// Code stores at sign-in (it fetches it from Anthropic then). With it and
// an OAuth token in CLAUDE_CODE_OAUTH_TOKEN (a fake one: the mock checks
// none), Claude Code runs as the claude.ai user most people are and puts
// the account on every record (user.email, user.account_uuid,
// user.account_id, organization.id), as it does for a real user; with an
// API key (ANTHROPIC_API_KEY) it sends none of them and defaults to
// another model, and nothing else of its telemetry changes.
const claudeAccount = `{
  "hasCompletedOnboarding": true,
  "oauthAccount": {
    "accountUuid": "0c1f6e2a-4b7d-4e55-9a3c-2d8b7f6e1a90",
    "emailAddress": "conformance-user@example.com",
    "organizationUuid": "7d3e9b14-5a2c-4f86-b1e0-93c4a5d6f728",
    "organizationName": "Conformance Org",
    "displayName": "Conformance User"
  }
}
`

// runClaude runs the scenario with Claude Code in print mode (-p), one
// invocation per prompt, the shell tool (Bash) allowed without asking:
// --dangerously-skip-permissions is refused as root, which this machine
// and CI are. A later prompt resumes the session of the first with
// --resume <session id>, the id read from the transcript Claude Code
// keeps under ~/.claude/projects. (--continue resumes it too, but sends
// its start-up records under a new session id before it switches to the
// resumed one.)
func runClaude(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error) {
	if err := os.WriteFile(filepath.Join(env.home, ".claude.json"), []byte(claudeAccount), 0o600); err != nil {
		return runInfo{}, err
	}
	vars := claudeEnv(env)
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	extra := make([]string, 0, len(keys))
	for _, k := range keys {
		extra = append(extra, k+"="+vars[k])
	}

	info := runInfo{Env: maps.Clone(vars), Files: map[string]string{"~/.claude.json": claudeAccount}}
	// The URLs change with every run: store them as placeholders.
	info.Env["ANTHROPIC_BASE_URL"] = "<mock model server>"
	info.Env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "<recording OTLP proxy>"
	err := runPrompts(ctx, t, env, extra, "claude", sc, &info, func(i int, prompt string) ([]string, error) {
		args := []string{"-p", prompt, "--allowedTools", "Bash"}
		if i > 0 {
			id, err := claudeSession(env.home)
			if err != nil {
				return nil, err
			}
			args = append(args, "--resume", id)
		}
		return args, nil
	})
	return info, err
}

// claudeSession returns the id of the session Claude Code ran under home:
// the name of its one transcript, ~/.claude/projects/<project>/<id>.jsonl.
func claudeSession(home string) (string, error) {
	files, err := filepath.Glob(filepath.Join(home, ".claude", "projects", "*", "*.jsonl"))
	if err != nil {
		return "", err
	}
	if len(files) != 1 {
		return "", fmt.Errorf("want one session transcript under %s, found %v", home, files)
	}
	return strings.TrimSuffix(filepath.Base(files[0]), ".jsonl"), nil
}
