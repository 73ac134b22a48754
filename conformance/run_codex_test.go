//go:build agents

package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// codexModel is a model the pinned Codex knows (its bundled model list
// gives it the tools and instructions of a real session).
const codexModel = "gpt-5.5"

// codexConfig is $CODEX_HOME/config.toml. `codex exec` has no flag for
// approvals or the sandbox: they go here. The model provider is the mock
// (Responses API, the key read from codexKeyEnv, no login). [otel] sends
// all three signals as OTLP/HTTP JSON to the recording proxy (each endpoint
// is the full per-signal URL) with the user prompt and the agent's answers
// logged; metrics_exporter must be set, or Codex sends its metrics to
// Statsig. Analytics, feedback and the update check are off so nothing but
// loopback is called.
const codexConfig = `model = %[1]q
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.mock]
name = "mock"
base_url = "%[2]s/v1"
wire_api = "responses"
env_key = %[3]q

[analytics]
enabled = false

[feedback]
enabled = false

[otel]
environment = "conformance"
log_user_prompt = true
log_agent_responses = true
exporter = { otlp-http = { endpoint = "%[4]s/v1/logs", protocol = "json" } }
trace_exporter = { otlp-http = { endpoint = "%[4]s/v1/traces", protocol = "json" } }
metrics_exporter = { otlp-http = { endpoint = "%[4]s/v1/metrics", protocol = "json" } }
`

// codexKeyEnv holds the fake API key of the mock provider.
const codexKeyEnv = "MOCK_OPENAI_API_KEY"

// runCodex runs the scenario with `codex exec`, the second prompt with
// `codex exec resume --last`, which continues the first one's session.
func runCodex(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error) {
	codexHome := filepath.Join(env.home, ".codex")
	if err := os.MkdirAll(codexHome, 0o700); err != nil {
		return runInfo{}, err
	}
	cfgPath := filepath.Join(codexHome, "config.toml")
	cfg := fmt.Sprintf(codexConfig, codexModel, env.modelURL, codexKeyEnv, env.otlpURL)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return runInfo{}, err
	}
	vars := map[string]string{
		"CODEX_HOME": codexHome,
		codexKeyEnv:  "sk-fake-conformance",
		// Short export intervals: metrics every second, log and span
		// batches every 200 ms (all are flushed at exit too).
		"OTEL_METRIC_EXPORT_INTERVAL": "1000",
		"OTEL_BLRP_SCHEDULE_DELAY":    "200",
		"OTEL_BSP_SCHEDULE_DELAY":     "200",
		// Anything not on loopback goes to a closed port and fails fast.
		"HTTPS_PROXY": "http://127.0.0.1:9",
		"HTTP_PROXY":  "http://127.0.0.1:9",
		"ALL_PROXY":   "http://127.0.0.1:9",
		"NO_PROXY":    "127.0.0.1,localhost",
	}
	info := runInfo{
		Env:   make(map[string]string, len(vars)),
		Files: map[string]string{"$HOME/.codex/config.toml": fmt.Sprintf(codexConfig, codexModel, "$MOCK", codexKeyEnv, "$OTLP")},
	}
	var extra []string
	for k, v := range vars {
		extra = append(extra, k+"="+v)
		info.Env[k] = v
	}
	info.Env["CODEX_HOME"] = "$HOME/.codex" // a temporary directory
	err := runPrompts(ctx, t, env, extra, "codex", sc, &info, func(i int, prompt string) ([]string, error) {
		if i > 0 {
			return []string{"exec", "resume", "--last", "--strict-config", "--skip-git-repo-check", prompt}, nil
		}
		return []string{"exec", "--strict-config", "--skip-git-repo-check", "--color", "never", prompt}, nil
	})
	return info, err
}
