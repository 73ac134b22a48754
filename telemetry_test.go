package analyticsexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// sumByAttr returns the points of an int64 sum keyed by the value of attr
// ("" for a point without it).
func sumByAttr(t *testing.T, tt *componenttest.Telemetry, name, attr string) map[string]int64 {
	t.Helper()
	m, err := tt.GetMetric(name)
	require.NoError(t, err, name)
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is %T", name, m.Data)
	require.True(t, sum.IsMonotonic, name)
	out := map[string]int64{}
	for _, dp := range sum.DataPoints {
		v, _ := dp.Attributes.Value(attribute.Key(attr))
		out[v.AsString()] += dp.Value
	}
	return out
}

// oddLogs has a record whose override value is not a type (it still
// resolves by the built-in rules) and a named field that cannot be coerced.
func oddLogs() plog.Logs {
	ld := plog.NewLogs()
	r := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
	r.Body().SetStr("claude_code.tool_result")
	r.Attributes().PutStr("event.name", "tool_result")
	r.Attributes().PutStr("analytics.type", "not_a_type")
	r.Attributes().PutStr("tool_name", "Read")
	r.Attributes().PutStr("duration_ms", "fast")
	return ld
}

func TestTelemetryCountsWhatWasWritten(t *testing.T) {
	tt, set := telemetrySettings(t)
	core, logs := observer.New(zapcore.DebugLevel)
	set.Logger = zap.New(core)

	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Compression = jsonl.CompressionGzip
	cfg.Rotation.MaxMegabytes = 0.0001 // ~100 bytes: every batch starts a new file
	cfg.Sessions.Enabled = false       // one Append per batch; TestSessionTelemetry counts sessions
	p := newPipelines(t, "telemetry", cfg, set)
	startAll(t, p.logs)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), oddLogs()))
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), unmatchedLogs(2)))
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))

	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "token_usage", "tool_use"}, sinktest.Types(entries))
	assert.Equal(t, "fast", entries[2]["data"].(map[string]any)["duration_ms"], "kept as it came")

	assert.Equal(t, map[string]int64{"tool_use": 2, "token_usage": 1},
		sumByAttr(t, tt, "otelcol_analytics_entries_written", "type"))
	assert.Equal(t, map[string]int64{"unmatched": 3},
		sumByAttr(t, tt, "otelcol_analytics_entries_dropped", "reason"))
	assert.Equal(t, map[string]int64{"": 1}, sumByAttr(t, tt, "otelcol_analytics_invalid_override_values", ""))
	assert.Equal(t, map[string]int64{"": 1}, sumByAttr(t, tt, "otelcol_analytics_coercion_failures", ""))

	assert.Equal(t, map[string]int64{"": sinkBytes(t, dir)}, sumByAttr(t, tt, "otelcol_analytics_bytes_written", ""))

	// Two batches written, the second into a new file: one rotation, and the
	// rotated file compressed by Close.
	assert.Equal(t, map[string]int64{"": 1}, sumByAttr(t, tt, "otelcol_analytics_rotations", ""))
	m, err := tt.GetMetric("otelcol_analytics_compression_duration")
	require.NoError(t, err)
	hist := m.Data.(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	assert.Equal(t, uint64(1), hist.DataPoints[0].Count)

	rotated := logs.FilterMessage("Rotated analytics file").All()
	require.Len(t, rotated, 1)
	fields := rotated[0].ContextMap()
	assert.Equal(t, dir, fields["directory"])
	assert.NotEmpty(t, fields["closed_file"])
	assert.NotEmpty(t, fields["file"])
	assert.NotEqual(t, fields["closed_file"], fields["file"])
	compressed := logs.FilterMessage("Compressed analytics file").All()
	require.Len(t, compressed, 1)
	assert.Equal(t, fields["closed_file"].(string)+".gz", compressed[0].ContextMap()["file"])
	assert.Equal(t, dir, compressed[0].ContextMap()["directory"])
}

// sinkBytes is the size of every line in the sink in dir, newlines included.
func sinkBytes(t *testing.T, dir string) int64 {
	t.Helper()
	r, err := jsonl.NewReader(dir, jsonl.Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	var n int64
	for {
		line, err := r.Next()
		if err != nil {
			return n
		}
		n += int64(len(line)) + 1
	}
}

// TestTelemetryCountsSurviveRestart: the hot counters are asynchronous, read
// from the exporter when the Collector collects. They must behave as the
// synchronous counters did: still reported after Shutdown (the Collector's
// final telemetry export runs after the pipelines stop), and an exporter
// started again on the same meter provider adds to the same series instead
// of starting over at zero.
func TestTelemetryCountsSurviveRestart(t *testing.T) {
	tt, set := telemetrySettings(t)
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Sessions.Enabled = false

	run := func(name string) {
		p := newPipelines(t, name, cfg, set)
		startAll(t, p.logs)
		require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
		require.NoError(t, p.logs.ConsumeLogs(context.Background(), unmatchedLogs(1)))
		require.NoError(t, p.logs.Shutdown(context.Background()))
		require.NoError(t, p.metrics.Shutdown(context.Background()))
	}
	run("first")
	once := sumByAttr(t, tt, "otelcol_analytics_entries_written", "type")
	require.NotEmpty(t, once)
	onceDropped := sumByAttr(t, tt, "otelcol_analytics_entries_dropped", "reason")["unmatched"]
	require.Positive(t, onceDropped)
	onceBytes := sinkBytes(t, dir)
	assert.Equal(t, map[string]int64{"": onceBytes}, sumByAttr(t, tt, "otelcol_analytics_bytes_written", ""))

	run("first")
	twice := map[string]int64{}
	for typ, n := range once {
		twice[typ] = 2 * n
	}
	assert.Equal(t, twice, sumByAttr(t, tt, "otelcol_analytics_entries_written", "type"))
	assert.Equal(t, map[string]int64{"unmatched": 2 * onceDropped}, sumByAttr(t, tt, "otelcol_analytics_entries_dropped", "reason"))
	assert.Equal(t, map[string]int64{"": sinkBytes(t, dir)}, sumByAttr(t, tt, "otelcol_analytics_bytes_written", ""))
	assert.Greater(t, sinkBytes(t, dir), onceBytes)
}
