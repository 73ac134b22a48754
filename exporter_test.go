package analyticsexporter

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

var testTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// testConfig is the default config writing plain files into dir.
func testConfig(dir string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Directory = dir
	cfg.Compression = jsonl.CompressionNone
	return cfg
}

// testPipelines are the logs and metrics exporters of one exporter ID.
type testPipelines struct {
	logs    exporter.Logs
	metrics exporter.Metrics
}

func newPipelines(t *testing.T, name string, cfg *Config, set exporter.Settings) testPipelines {
	t.Helper()
	set.ID = component.MustNewIDWithName(metadata.Type.String(), name)
	f := NewFactory()
	logs, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	metrics, err := f.CreateMetrics(context.Background(), set, cfg)
	require.NoError(t, err)
	return testPipelines{logs: logs, metrics: metrics}
}

func nopSettings() exporter.Settings { return exportertest.NewNopSettings(metadata.Type) }

// telemetrySettings returns nopSettings with the telemetry of tt, which
// the test reads and which is shut down when the test ends.
func telemetrySettings(t *testing.T) (*componenttest.Telemetry, exporter.Settings) {
	t.Helper()
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	set := nopSettings()
	set.TelemetrySettings = tt.NewTelemetrySettings()
	return tt, set
}

func startAll(t *testing.T, comps ...component.Component) {
	t.Helper()
	for _, c := range comps {
		require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	}
}

// claudeLogs returns Claude Code shaped records: a tool_result (tool_use),
// an api_request (token_usage) and one record no rule matches.
func claudeLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "claude-code")
	records := rl.ScopeLogs().AppendEmpty().LogRecords()

	tool := records.AppendEmpty()
	tool.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
	tool.Body().SetStr("claude_code.tool_result")
	tool.Attributes().PutStr("event.name", "tool_result")
	tool.Attributes().PutStr("session.id", "sess-1")
	tool.Attributes().PutStr("tool_name", "Bash")
	tool.Attributes().PutStr("success", "true")
	tool.Attributes().PutStr("duration_ms", "1211")

	api := records.AppendEmpty()
	api.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
	api.Body().SetStr("claude_code.api_request")
	api.Attributes().PutStr("event.name", "api_request")
	api.Attributes().PutStr("session.id", "sess-1")
	api.Attributes().PutStr("model", "claude-sonnet-4")
	api.Attributes().PutStr("input_tokens", "120")
	api.Attributes().PutStr("output_tokens", "30")

	unmatched := records.AppendEmpty()
	unmatched.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
	unmatched.Body().SetStr("just some text")
	return ld
}

// unmatchedLogs returns n records no rule matches.
func unmatchedLogs(n int) plog.Logs {
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for range n {
		records.AppendEmpty().Body().SetStr("nothing to see")
	}
	return ld
}

// tokenMetrics returns one gen_ai.client.token.usage point (token_usage).
func tokenMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("gen_ai.client.token.usage")
	m.SetUnit("{token}")
	dp := m.SetEmptySum().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
	dp.SetIntValue(42)
	dp.Attributes().PutStr("gen_ai.token.type", "input")
	dp.Attributes().PutStr("gen_ai.request.model", "gpt-x")
	return md
}

// dataFiles lists the data files of the sink in dir (no lock, no temporaries).
func dataFiles(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "metrics", "metrics_*.jsonl*"))
	require.NoError(t, err)
	return matches
}

func TestConsumeLogsWritesEntries(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "", testConfig(dir), nopSettings())
	startAll(t, p.logs)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))

	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "session_end"}, sinktest.Types(entries),
		"the unmatched record is dropped; sess-1 gets a synthesized start after its batch and an end at Shutdown")
	tool := entries[0]
	assert.Equal(t, "sess-1", tool["session_id"])
	assert.Equal(t, "Bash", tool["data"].(map[string]any)["tool_name"])
	assert.Equal(t, 1211.0, tool["data"].(map[string]any)["duration_ms"], "coerced from a string")
	assert.Equal(t, "log", tool["metadata"].(map[string]any)["signal"])
}

func TestConsumeMetricsWritesEntries(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "", testConfig(dir), nopSettings())
	startAll(t, p.metrics)
	require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), tokenMetrics()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))
	require.NoError(t, p.logs.Shutdown(context.Background()))

	entries := sinktest.ReadMaps(t, dir)
	require.Equal(t, []string{"token_usage"}, sinktest.Types(entries))
	assert.Equal(t, "metric", entries[0]["metadata"].(map[string]any)["signal"])
	assert.Equal(t, "gen_ai.client.token.usage", entries[0]["metadata"].(map[string]any)["metric_name"])
}

func TestAllDroppedBatchSucceedsAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "", testConfig(dir), nopSettings())
	startAll(t, p.logs)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), unmatchedLogs(3)))
	require.NoError(t, p.logs.Shutdown(context.Background()))
	assert.Empty(t, sinktest.ReadMaps(t, dir))
}

func TestExportBeforeStartFails(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.BackOffConfig.Enabled = false
	p := newPipelines(t, "", cfg, nopSettings())
	err := p.logs.ConsumeLogs(context.Background(), claudeLogs())
	require.ErrorIs(t, err, errNotStarted)
	require.NoError(t, p.logs.Shutdown(context.Background()))
}

// TestSharedSinkAcrossPipelines: one exporter ID in a logs and a metrics
// pipeline writes through one sink (one lock, one file); shutting one
// pipeline down leaves the other writing; the last Shutdown frees the lock.
func TestSharedSinkAcrossPipelines(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.BackOffConfig.Enabled = false
	p := newPipelines(t, "shared", cfg, nopSettings())
	startAll(t, p.logs, p.metrics) // a second sink on dir would fail on the lock

	require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
	require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), tokenMetrics()))

	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), tokenMetrics()), "metrics keep writing")
	require.ErrorIs(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()), errNotStarted)

	// Still held: another exporter ID cannot take the directory.
	other := newPipelines(t, "other", cfg, nopSettings())
	require.Error(t, other.logs.Start(context.Background(), componenttest.NewNopHost()))

	require.NoError(t, p.metrics.Shutdown(context.Background()))
	assert.Len(t, dataFiles(t, dir), 1, "both pipelines appended to one file")
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "token_usage", "token_usage", "session_end"},
		sinktest.Types(sinktest.ReadMaps(t, dir)), "one session across both pipelines, ended by the last Shutdown")

	// Released after the last Shutdown.
	startAll(t, other.logs)
	require.NoError(t, other.logs.Shutdown(context.Background()))
	require.NoError(t, other.metrics.Shutdown(context.Background()))
}

func TestTwoIDsOnOneDirectoryFailAtStart(t *testing.T) {
	dir := t.TempDir()
	first := newPipelines(t, "first", testConfig(dir), nopSettings())
	// The same directory spelt differently is the same directory.
	second := newPipelines(t, "second", testConfig(dir+string(filepath.Separator)+"."), nopSettings())
	startAll(t, first.logs)
	err := second.metrics.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "directory:")
	assert.Contains(t, err.Error(), dir)
	assert.Contains(t, err.Error(), "analytics/first", "the error names the exporter that holds the directory")
	require.NoError(t, second.metrics.Shutdown(context.Background()))
	require.NoError(t, second.logs.Shutdown(context.Background()))
	require.NoError(t, first.logs.Shutdown(context.Background()))
	require.NoError(t, first.metrics.Shutdown(context.Background()))
}

func TestOneIDTwoDirectoriesFailsAtStart(t *testing.T) {
	first := newPipelines(t, "twodirs", testConfig(t.TempDir()), nopSettings())
	otherDir := t.TempDir()
	second := newPipelines(t, "twodirs", testConfig(otherDir), nopSettings())
	startAll(t, first.logs)
	err := second.logs.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), otherDir)
	for _, c := range []component.Component{second.logs, second.metrics, first.logs, first.metrics} {
		require.NoError(t, c.Shutdown(context.Background()))
	}
}

func TestUnwritableDirectoryFailsAtStart(t *testing.T) {
	// A directory below a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	dir := filepath.Join(file, "analytics")
	p := newPipelines(t, "", testConfig(dir), nopSettings())
	err := p.logs.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "directory: "), err.Error())
	assert.Contains(t, err.Error(), dir)
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))
}

func TestAppendErrorIsRetryable(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.BackOffConfig.Enabled = false
	e, err := newExporter(nopSettings(), cfg)
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), componenttest.NewNopHost()))
	// A sink closed underneath stands in for any write failure.
	require.NoError(t, e.shared.Load().sink.Close())
	err = e.pushLogs(context.Background(), claudeLogs())
	// (The failed batch was not committed to the session tracker, so
	// Shutdown has no session_end to write into the closed sink.)
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	assert.ErrorIs(t, err, jsonl.ErrClosed)
	assert.Contains(t, err.Error(), dir)
	require.NoError(t, e.shutdown(context.Background()))
}

// TestOutputPassesSeedcheck runs the reference checker of ../shared over
// what the exporter wrote (rotated, gzip-compressed and live files), where
// ../shared exists.
func TestOutputPassesSeedcheck(t *testing.T) {
	checker := filepath.Join("..", "shared", "tools", "seedcheck.py")
	if _, err := os.Stat(checker); err != nil {
		t.Skip("../shared is not there (a user's clone); the Go schema check in sinktest.ReadMaps still ran elsewhere")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Compression = jsonl.CompressionGzip
	cfg.Rotation.MaxMegabytes = 0.0001 // every batch in its own file
	p := newPipelines(t, "seedcheck", cfg, nopSettings())
	startAll(t, p.logs, p.metrics)
	for range 3 {
		require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
		require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), tokenMetrics()))
	}
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))
	gz, err := filepath.Glob(filepath.Join(dir, "metrics", "*.jsonl.gz"))
	require.NoError(t, err)
	require.NotEmpty(t, gz, "rotated files were compressed")

	out, err := exec.Command(python, checker, "--min", "9", dir).CombinedOutput()
	require.NoError(t, err, "seedcheck: %s", out)
}
