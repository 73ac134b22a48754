//go:build agents

package conformance

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// genaiModulesEnv names the node_modules directory of conformance/genai,
// installed by `make agents` with npm ci (never globally).
const genaiModulesEnv = "GENAI_MODULES"

// genaiModel is the model the apps ask for.
const genaiModel = "gpt-4o-mini"

// runOpenAIOTel runs openai-otel.cjs: OTLP/HTTP JSON for traces, metrics and
// logs through the SDK's standard endpoint variable, message content on.
func runOpenAIOTel(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error) {
	return runGenAIApp(ctx, t, env, sc, "openai-otel.cjs", map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":                        env.otlpURL,
		"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
	})
}

// runTraceloopOpenAI runs traceloop-openai.cjs: OpenLLMetry exports traces
// (OTLP/HTTP protobuf, its only format) to TRACELOOP_BASE_URL; it has no
// metrics or logs. No Traceloop API key: nothing else is fetched.
func runTraceloopOpenAI(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error) {
	return runGenAIApp(ctx, t, env, sc, "traceloop-openai.cjs", map[string]string{
		"TRACELOOP_BASE_URL":      env.otlpURL,
		"TRACELOOP_TRACE_CONTENT": "true",
	})
}

// runVercelAI runs vercel-ai.cjs: the AI SDK's spans, OTLP/HTTP JSON.
func runVercelAI(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error) {
	return runGenAIApp(ctx, t, env, sc, "vercel-ai.cjs", map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": env.otlpURL,
	})
}

// runGenAIApp runs one app of conformance/genai with node, once per prompt
// (each scenario the apps run has one), with the openai client pointed at
// the mock and telemetry at the recording proxy. The app exits after its
// telemetry is flushed.
func runGenAIApp(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario, app string, telemetry map[string]string) (runInfo, error) {
	t.Helper()
	modules := os.Getenv(genaiModulesEnv)
	if modules == "" {
		return runInfo{}, fmt.Errorf("%s must be set (make agents sets it)", genaiModulesEnv)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return runInfo{}, err
	}
	src, err := filepath.Abs(filepath.Join("genai", app))
	if err != nil {
		return runInfo{}, err
	}
	if len(sc.Prompts) != 1 {
		return runInfo{}, fmt.Errorf("%s runs one prompt per conversation, %s has %d", app, sc.Name, len(sc.Prompts))
	}
	vars := map[string]string{
		"NODE_PATH":       modules,
		"OPENAI_BASE_URL": env.modelURL + "/v1",
		"OPENAI_API_KEY":  "sk-mock-not-a-key",
		"GENAI_MODEL":     genaiModel,
	}
	for k, v := range telemetry {
		vars[k] = v
	}
	var extra []string
	for k, v := range vars {
		extra = append(extra, k+"="+v)
	}
	env.bin = node
	recorded := map[string]string{}
	for k, v := range vars {
		recorded[k] = v
	}
	if root, err := filepath.Abs(".."); err == nil {
		if rel, err := filepath.Rel(root, modules); err == nil && !strings.HasPrefix(rel, "..") {
			recorded["NODE_PATH"] = rel // the checkout's path is no part of the run
		}
	}
	info := runInfo{
		Argv: [][]string{{"node", "conformance/genai/" + app, sc.Prompts[0]}},
		Env:  recorded,
	}
	out, err := runAgent(ctx, env, extra, src, sc.Prompts[0])
	t.Logf("%s output:\n%s", app, out)
	if err != nil {
		return info, fmt.Errorf("%s: %w", app, err)
	}
	if !strings.Contains(out, mockmodel.ResponseMarker) {
		return info, fmt.Errorf("%s did not print the model's answer", app)
	}
	return info, nil
}
