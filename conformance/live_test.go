//go:build agents

package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// Environment of a live run (set by `make agents`).
const (
	agentsEnv = "AGENTS_BIN"   // node_modules/.bin of the pinned agents
	storeEnv  = "AGENTS_STORE" // where captures go (default: the repository's testdata)
)

// runEnv is what a runner gets: where the agent is, where to run it, and
// where its model API and its telemetry go.
type runEnv struct {
	bin      string // the agent's executable
	home     string // an empty HOME for the agent's settings and state
	work     string // an empty working directory (the "project")
	modelURL string // the mock model server, http://127.0.0.1:port
	otlpURL  string // the recording proxy, an OTLP/HTTP base URL
}

// runner runs every prompt of sc with one agent and returns how it did.
type runner func(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error)

// runners maps agentSpec.name to the agent's runner.
var runners = map[string]runner{
	"claude-code": runClaude,
	"gemini-cli":  runGemini,
	"codex":       runCodex,

	"openai-otel-instrumentation": runOpenAIOTel,
	"traceloop-openai":            runTraceloopOpenAI,
	"vercel-ai-sdk":               runVercelAI,
}

// agentTimeout bounds one agent invocation.
const agentTimeout = 3 * time.Minute

// TestLive runs every scenario with every agent, stores what the agents
// sent, and checks the Collector's output.
func TestLive(t *testing.T) {
	bin, agents := testbinary.Path(t), os.Getenv(agentsEnv)
	if agents == "" {
		t.Fatalf("%s must be set (make agents sets it)", agentsEnv)
	}
	store := os.Getenv(storeEnv)
	if store == "" {
		store = capturesDir
	}
	only := os.Getenv("AGENTS_ONLY") // e.g. "codex" or "codex/tool_ok"
	for _, spec := range specs {
		for _, sc := range mockmodel.Scenarios {
			name := spec.name + "/" + sc.Name
			if only != "" && only != spec.name && only != name {
				continue
			}
			if !spec.runs(sc.Name) {
				continue
			}
			t.Run(name, func(t *testing.T) {
				c, out := runLive(t, spec, sc, bin, filepath.Join(agents, binName(spec)), store)
				check(t, spec, c, sinktest.ReadMaps(t, out))
			})
		}
	}
}

// binName is the executable an npm package installs.
func binName(spec agentSpec) string {
	switch spec.name {
	case "claude-code":
		return "claude"
	case "gemini-cli":
		return "gemini"
	}
	return spec.name
}

// runLive makes one capture: mock, Collector, recording proxy, agent. It
// returns the capture and the Collector's output directory.
func runLive(t *testing.T, spec agentSpec, sc mockmodel.Scenario, collector, agentBin, store string) (capture, string) {
	run, ok := runners[spec.name]
	if !ok {
		t.Fatalf("no runner for %s", spec.name)
	}
	dir, err := filepath.Abs(filepath.Join(store, spec.name+"-"+spec.version, sc.Name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()

	mock, err := mockmodel.Start(sc)
	if err != nil {
		t.Fatal(err)
	}
	defer mock.Close()
	col := startCollector(t, collector, out)
	proxy, err := otlpcapture.Start(filepath.Join(dir, "otlp"), col.httpURL)
	if err != nil {
		t.Fatal(err)
	}
	env := runEnv{bin: agentBin, home: t.TempDir(), work: t.TempDir(), modelURL: mock.URL(), otlpURL: proxy.URL()}
	ctx, cancel := context.WithTimeout(context.Background(), agentTimeout*time.Duration(len(sc.Prompts)))
	defer cancel()
	info, runErr := run(ctx, t, env, sc)
	_ = proxy.Close()
	col.stop(t)
	info.Agent, info.Version, info.Scenario = spec.name, spec.version, sc.Name
	writeJSON(t, filepath.Join(dir, "run.json"), info)
	if err := mock.WriteFile(filepath.Join(dir, "mock.json")); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: proxy stored %v; mock served %d answers, %d steps left", spec.name, proxy.Counts(), len(mock.Served()), mock.Remaining())
	if runErr != nil {
		t.Fatalf("agent run: %v", runErr)
	}
	if n := mock.Remaining(); n > 0 {
		t.Errorf("the agent left %d steps of the scenario unserved", n)
	}
	return capture{dir: dir, info: info, served: mock.Served()}, out
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// liveCollector is a running otelcol-analytics.
type liveCollector struct {
	p       *testproc.Proc
	httpURL string
}

// collectorConfig: OTLP/HTTP on a loopback port into one analytics
// exporter (logs, metrics and traces) writing plain files to the output
// directory.
const collectorConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: %s
exporters:
  analytics:
    directory: %q
    compression: none
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:    {receivers: [otlp], exporters: [analytics]}
    metrics: {receivers: [otlp], exporters: [analytics]}
    traces:  {receivers: [otlp], exporters: [analytics]}
`

func startCollector(t *testing.T, bin, out string) *liveCollector {
	t.Helper()
	addr := testproc.FreeAddr(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, collectorConfig, addr, out), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &liveCollector{
		p:       testproc.Start(t, "the Collector", bin, []string{"--config", cfg}, testproc.Options{}),
		httpURL: "http://" + addr,
	}
	if err := c.p.WaitLog(testbinary.ReadyMessage, 60*time.Second); err != nil {
		t.Fatalf("%v: %s", err, c.p.Output())
	}
	return c
}

// stop ends the Collector with SIGTERM: it ends every open session and
// flushes.
func (c *liveCollector) stop(t *testing.T) {
	t.Helper()
	var exit *exec.ExitError
	if err := c.p.Stop(syscall.SIGTERM, 60*time.Second); err != nil && !errors.As(err, &exit) {
		t.Errorf("%v: %s", err, c.p.Output())
	}
	if log := c.p.Output(); strings.Contains(log, "\terror\t") {
		t.Logf("collector log has errors:\n%s", log)
	}
}

// runPrompts runs the agent bin once per prompt of sc, with the arguments
// args gives for prompt i, noting each command line in info.Argv and
// logging each output.
func runPrompts(ctx context.Context, t *testing.T, env runEnv, extraEnv []string, bin string, sc mockmodel.Scenario, info *runInfo, args func(i int, prompt string) ([]string, error)) error {
	for i, prompt := range sc.Prompts {
		a, err := args(i, prompt)
		if err != nil {
			return err
		}
		info.Argv = append(info.Argv, append([]string{bin}, a...))
		out, err := runAgent(ctx, env, extraEnv, a...)
		t.Logf("%s prompt %d:\n%s", bin, i+1, strings.TrimSpace(out))
		if err != nil {
			return fmt.Errorf("%s prompt %d: %w", bin, i+1, err)
		}
	}
	return nil
}

// runAgent runs one agent invocation with env added to a minimal
// environment, in dir, and returns its combined output.
func runAgent(ctx context.Context, env runEnv, extraEnv []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, agentTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.bin, args...)
	cmd.Dir = env.work
	cmd.Env = append([]string{
		"HOME=" + env.home,
		"PATH=" + os.Getenv("PATH"),
		"TERM=dumb",
		"NO_COLOR=1",
		"CI=1",
	}, extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
