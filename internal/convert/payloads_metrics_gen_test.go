package convert

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// tStart and tEnd bound every point: a one-minute window.
const (
	tStart = pcommon.Timestamp(t0)
	tEnd   = pcommon.Timestamp(t0 + 60_000_000_000)
)

// mb builds one resource/scope of metrics.
type mb struct{ sm pmetric.ScopeMetrics }

func newMetrics(md pmetric.Metrics, resource []kv, scope, version string) mb {
	rm := md.ResourceMetrics().AppendEmpty()
	putAll(rm.Resource().Attributes(), resource)
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName(scope)
	sm.Scope().SetVersion(version)
	return mb{sm}
}

func (b mb) metric(name, unit string) pmetric.Metric {
	m := b.sm.Metrics().AppendEmpty()
	m.SetName(name)
	m.SetUnit(unit)
	return m
}

// sum adds a sum with one point per (value, attributes) pair.
func (b mb) sum(name, unit string, temp pmetric.AggregationTemporality, points ...any) {
	s := b.metric(name, unit).SetEmptySum()
	s.SetAggregationTemporality(temp)
	s.SetIsMonotonic(true)
	for i := 0; i < len(points); i += 2 {
		numberPoint(s.DataPoints().AppendEmpty(), points[i], points[i+1].([]kv))
	}
}

func (b mb) gauge(name, unit string, points ...any) {
	g := b.metric(name, unit).SetEmptyGauge()
	for i := 0; i < len(points); i += 2 {
		numberPoint(g.DataPoints().AppendEmpty(), points[i], points[i+1].([]kv))
	}
}

func numberPoint(dp pmetric.NumberDataPoint, v any, attrs []kv) {
	dp.SetStartTimestamp(tStart)
	dp.SetTimestamp(tEnd)
	switch x := v.(type) {
	case int:
		dp.SetIntValue(int64(x))
	case float64:
		dp.SetDoubleValue(x)
	}
	putAll(dp.Attributes(), attrs)
}

// hist is one histogram point.
type hist struct {
	count         uint64
	sum, min, max float64
	buckets       []uint64
	attrs         []kv
}

var bounds = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384}

func (b mb) histogram(name, unit string, points ...hist) {
	h := b.metric(name, unit).SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for _, p := range points {
		dp := h.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(tStart)
		dp.SetTimestamp(tEnd)
		dp.SetCount(p.count)
		dp.SetSum(p.sum)
		dp.SetMin(p.min)
		dp.SetMax(p.max)
		dp.ExplicitBounds().FromRaw(bounds)
		dp.BucketCounts().FromRaw(p.buckets)
		putAll(dp.Attributes(), p.attrs)
	}
}

func metricPayloads() map[string]pmetric.Metrics {
	return map[string]pmetric.Metrics{
		"claude_code_metrics": claudeMetrics(),
		"genai_metrics":       genaiMetrics(),
		"other_metrics":       otherMetrics(),
	}
}

func claudeMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	b := newMetrics(md, []kv{{"os.type", "linux"}, {"service.name", "claude-code"}, {"service.version", "2.1.230"}},
		"com.anthropic.claude_code", "2.1.230")
	ids := func(extra ...kv) []kv {
		return append(extra, kv{"organization.id", "org-0001"}, kv{"session.id", ccSession},
			kv{"user.account_uuid", "a1b2c3d4-0000-4000-8000-000000000001"}, kv{"user.id", "9f2c4e6a8b0d"})
	}
	delta := pmetric.AggregationTemporalityDelta
	b.sum("claude_code.session.count", "", delta, 1.0, ids(kv{"start_type", "fresh"}))
	model := kv{"model", "claude-sonnet-4-5"}
	b.sum("claude_code.token.usage", "tokens", delta,
		1200.0, ids(model, kv{"type", "input"}), 350.0, ids(model, kv{"type", "output"}),
		8000.0, ids(model, kv{"type", "cacheRead"}), 0.0, ids(model, kv{"type", "cacheCreation"}))
	b.sum("claude_code.cost.usage", "USD", delta, 0.02446, ids(model))
	b.sum("claude_code.lines_of_code.count", "", delta, 120.0, ids(kv{"type", "added"}), 14.0, ids(kv{"type", "removed"}))
	b.sum("claude_code.active_time.total", "s", delta, 42.5, ids(kv{"type", "cli"}))
	return md
}

func genaiMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	b := newMetrics(md, []kv{{"service.name", "support-agent"}, {"service.version", "1.4.0"}}, "opentelemetry.instrumentation.openai_v2", "")
	chat := []kv{{"gen_ai.conversation.id", "conv-42"}, {"gen_ai.operation.name", "chat"}, {"gen_ai.provider.name", "openai"},
		{"gen_ai.request.model", "gpt-4.1"}}
	with := func(extra ...kv) []kv { return append(append([]kv{}, chat...), extra...) }
	b.histogram("gen_ai.client.token.usage", "{token}",
		hist{3, 9000, 2000, 4000, []uint64{0, 0, 0, 0, 0, 0, 1, 2, 0}, with(kv{"gen_ai.token.type", "input"})},
		hist{3, 1500, 300, 700, []uint64{0, 0, 0, 0, 0, 0, 1, 2, 0}, with(kv{"gen_ai.token.type", "output"})})
	b.histogram("gen_ai.client.operation.duration", "s",
		hist{3, 4.5, 0.9, 2.1, []uint64{3, 0, 0, 0, 0, 0, 0, 0, 0}, with()},
		hist{1, 30, 30, 30, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0}, with(kv{"error.type", "timeout"})})
	b.histogram("gen_ai.invoke_agent.duration", "s",
		hist{2, 12.4, 5.1, 7.3, []uint64{0, 0, 2, 0, 0, 0, 0, 0, 0}, []kv{{"gen_ai.agent.name", "triage"}, {"gen_ai.conversation.id", "conv-42"}}})
	b.histogram("gen_ai.execute_tool.duration", "s",
		hist{4, 0.84, 0.1, 0.4, []uint64{4, 0, 0, 0, 0, 0, 0, 0, 0}, []kv{{"gen_ai.conversation.id", "conv-42"}, {"gen_ai.tool.name", "search_kb"}}})
	b.gauge("process.memory.usage", "By", 73400320, []kv(nil))
	return md
}

// otherMetrics: the other tools' session counters, the remaining metric
// kinds (gauge, exponential histogram, summary) as durations, a point-level
// override, and a metric with no data (invalid).
func otherMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	b := newMetrics(md, []kv{{"service.name", "gemini-cli"}, {"session.id", "gm-resource-session"}}, "gemini-cli", "0.9.0")
	b.sum("gemini_cli.session.count", "", pmetric.AggregationTemporalityCumulative, 1, []kv{{"model", "gemini-2.5-pro"}})
	b2 := newMetrics(md, []kv{{"service.name", "codex_cli_rs"}}, "codex", "")
	b2.sum("codex.thread.started", "", pmetric.AggregationTemporalityDelta, 1, []kv{{"conversation.id", "cx-7"}})
	b3 := newMetrics(md, []kv{{"service.name", "api"}}, "api/server", "2.0")
	b3.gauge("queue.wait", "ms", 12.5, []kv{{"queue", "jobs"}})
	e := b3.metric("rpc.client.latency", "ms").SetEmptyExponentialHistogram()
	e.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	ep := e.DataPoints().AppendEmpty()
	ep.SetTimestamp(tEnd)
	ep.SetCount(4)
	ep.SetSum(100)
	ep.SetMin(10)
	ep.SetMax(40)
	ep.SetScale(1)
	ep.Positive().SetOffset(6)
	ep.Positive().BucketCounts().FromRaw([]uint64{1, 2, 1})
	ep.Attributes().PutStr("rpc.method", "Get")
	sm := b3.metric("db.query.duration", "s").SetEmptySummary()
	sp := sm.DataPoints().AppendEmpty()
	sp.SetTimestamp(0) // no time: the converter's clock
	sp.SetCount(2)
	sp.SetSum(0.5)
	q := sp.QuantileValues().AppendEmpty()
	q.SetQuantile(0)
	q.SetValue(0.1)
	q = sp.QuantileValues().AppendEmpty()
	q.SetQuantile(1)
	q.SetValue(0.4)
	b3.sum("app.checkpoints", "", pmetric.AggregationTemporalityDelta, 1,
		[]kv{{"analytics.type", "checkpoint_created"}, {"checkpoint_id", "ck-9"}, {"session.id", "s-300"}})
	b3.metric("broken.metric", "")
	return md
}
