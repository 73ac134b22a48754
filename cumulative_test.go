package analyticsexporter

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/tmpfs"
)

// cumulativeTokens is one export of a GenAI app's cumulative token
// histogram: count calls with sum input tokens since start.
func cumulativeTokens(start, at time.Duration, count uint64, sum float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "support-agent")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("gen_ai.client.token.usage")
	m.SetUnit("{token}")
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	p := h.DataPoints().AppendEmpty()
	p.SetStartTimestamp(pcommon.NewTimestampFromTime(testTime.Add(start)))
	p.SetTimestamp(pcommon.NewTimestampFromTime(testTime.Add(at)))
	p.SetCount(count)
	p.SetSum(sum)
	p.Attributes().PutStr("gen_ai.conversation.id", "conv-1")
	p.Attributes().PutStr("gen_ai.token.type", "input")
	p.Attributes().PutStr("gen_ai.request.model", "gpt-x")
	return md
}

// TestCumulativePointsCountOnce: a sender that re-sends its running totals
// at every export gets each increment written once: an unchanged point
// writes nothing, and the session's tokens are the final total, not the
// sum of every export.
func TestCumulativePointsCountOnce(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "cumulative", testConfig(dir), nopSettings())
	startAll(t, p.logs, p.metrics)
	ctx := context.Background()
	for _, md := range []pmetric.Metrics{
		cumulativeTokens(0, 10*time.Second, 2, 300),
		cumulativeTokens(0, 20*time.Second, 2, 300), // unchanged
		cumulativeTokens(0, 30*time.Second, 3, 500),
		cumulativeTokens(0, 30*time.Second, 3, 500), // the same export again
	} {
		require.NoError(t, p.metrics.ConsumeMetrics(ctx, md))
	}
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))

	entries := sinktest.ReadMaps(t, dir)
	tokens := sinktest.OfType(entries, "token_usage", "conv-1")
	require.Len(t, tokens, 2, "one entry per export that added something")
	for i, want := range []float64{300, 200} {
		d := tokens[i]["data"].(map[string]any)
		assert.Equal(t, want, d["input_tokens"], "entry %d", i)
		meta := tokens[i]["metadata"].(map[string]any)
		assert.Equal(t, "delta", meta["temporality"])
		assert.Equal(t, "cumulative", meta["converted_from"])
	}
	assert.Equal(t, 1.0, tokens[1]["data"].(map[string]any)["count"], "the increment's count")
	end := sinktest.Only(t, entries, "session_end", "conv-1")
	assert.Equal(t, 500.0, end["input_tokens"])
	assert.Equal(t, 0.0, end["duration_seconds"].(float64)-30, "the span starts at the stream's start time")
}

// TestCumulativeIncrementSurvivesAFailedWrite: an export that fails on a
// full disk leaves the stream's last point as it was, so the retry writes
// the same increment, once.
func TestCumulativeIncrementSurvivesAFailedWrite(t *testing.T) {
	dir := tmpfs.Mount(t, 256<<10)
	cfg := testConfig(dir)
	cfg.BackOffConfig.Enabled = false // the caller sends again, as exporterhelper would
	p := newPipelines(t, "cumulative_retry", cfg, nopSettings())
	startAll(t, p.logs, p.metrics)
	ctx := context.Background()
	require.NoError(t, p.metrics.ConsumeMetrics(ctx, cumulativeTokens(0, 10*time.Second, 2, 300)))

	// The export that fails carries 100 more streams, so that it cannot
	// fit in the live file's last, partly used block.
	next := cumulativeTokens(0, 20*time.Second, 5, 900)
	pts := next.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Histogram().DataPoints()
	for i := range 100 {
		pad := pts.AppendEmpty()
		pts.At(0).CopyTo(pad)
		pad.Attributes().PutInt("pad", int64(i))
	}
	filler, _ := tmpfs.Fill(t, dir)
	require.Error(t, p.metrics.ConsumeMetrics(ctx, next))
	require.Error(t, p.metrics.ConsumeMetrics(ctx, next))
	require.NoError(t, os.Remove(filler))
	require.NoError(t, p.metrics.ConsumeMetrics(ctx, next))
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))

	entries := sinktest.ReadMaps(t, dir)
	tokens := sinktest.OfType(entries, "token_usage", "conv-1")
	require.Len(t, tokens, 102, "the first export, then each stream of the retried one once")
	assert.Equal(t, 600.0, tokens[1]["data"].(map[string]any)["input_tokens"])
	// 900 of the first stream's total, and 900 of each padding stream.
	assert.Equal(t, 101*900.0, sinktest.Only(t, entries, "session_end", "conv-1")["input_tokens"])
}
