package analyticsexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

// tracePipelines are the logs and traces exporters of one exporter ID.
type tracePipelines struct {
	logs   exporter.Logs
	traces exporter.Traces
}

func newTracePipelines(t *testing.T, name string, cfg *Config) tracePipelines {
	t.Helper()
	set := nopSettings()
	set.ID = component.MustNewIDWithName(metadata.Type.String(), name)
	f := NewFactory()
	logs, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	traces, err := f.CreateTraces(context.Background(), set, cfg)
	require.NoError(t, err)
	startAll(t, logs, traces)
	return tracePipelines{logs: logs, traces: traces}
}

func (p tracePipelines) shutdown(t *testing.T) {
	t.Helper()
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.traces.Shutdown(context.Background()))
}

var (
	agentTrace = pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	agentRoot  = pcommon.SpanID{1, 1, 1, 1, 1, 1, 1, 1}
)

// genaiSpan adds a span of agentTrace to td: a child of the root unless it
// is the root (then it carries the session as gen_ai.conversation.id).
func genaiSpan(td ptrace.Traces, name string, id byte, at time.Duration, attrs map[string]any) {
	rs := td.ResourceSpans()
	if rs.Len() == 0 {
		rs.AppendEmpty().Resource().Attributes().PutStr("service.name", "genai-app")
	}
	sp := rs.At(0).ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName(name)
	sp.SetTraceID(agentTrace)
	if id == 1 {
		sp.SetSpanID(agentRoot)
	} else {
		sp.SetSpanID(pcommon.SpanID{id, 0, 0, 0, 0, 0, 0, 1})
		sp.SetParentSpanID(agentRoot)
	}
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(testTime.Add(at)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(testTime.Add(at + 100*time.Millisecond)))
	require := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	require(sp.Attributes().FromRaw(attrs))
}

// agentChildren are the spans of an agent run that carry no session: two
// model calls (as the OTel openai instrumentation makes them) and a tool.
func agentChildren() ptrace.Traces {
	td := ptrace.NewTraces()
	genaiSpan(td, "chat gpt-x", 2, 10*time.Millisecond, map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.response.model": "gpt-x",
		"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 50})
	genaiSpan(td, "execute_tool run", 3, 200*time.Millisecond, map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "run"})
	genaiSpan(td, "chat gpt-x", 4, 400*time.Millisecond, map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.response.model": "gpt-x",
		"gen_ai.usage.input_tokens": 2000, "gen_ai.usage.output_tokens": 100})
	return td
}

// agentRootSpan is the app's invoke_agent span, the only one that names
// the session.
func agentRootSpan() ptrace.Traces {
	td := ptrace.NewTraces()
	genaiSpan(td, "invoke_agent shell", 1, 0, map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "shell", "gen_ai.conversation.id": "conv-1"})
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetEndTimestamp(
		pcommon.NewTimestampFromTime(testTime.Add(time.Second)))
	return td
}

// TestSpansWaitForTheirTraceSession: children exported before their root
// (as batch span processors do) are held, and written with the session
// once the root arrives in a later request.
func TestSpansWaitForTheirTraceSession(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Traces.SessionWait = time.Hour
	p := newTracePipelines(t, "wait", cfg)
	ctx := context.Background()

	require.NoError(t, p.traces.ConsumeTraces(ctx, agentChildren()))
	assert.Empty(t, sinktest.ReadMaps(t, dir), "the children wait for their trace's session")

	require.NoError(t, p.traces.ConsumeTraces(ctx, agentRootSpan()))
	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"agent_execution", "token_usage", "tool_use", "token_usage", "session_start"}, sinktest.Types(entries))
	for _, e := range entries {
		assert.Equal(t, "conv-1", e["session_id"], "%v", e["type"])
	}

	p.shutdown(t)
	d := sinktest.Only(t, sinktest.ReadMaps(t, dir), "session_end", "conv-1")
	assert.EqualValues(t, 3000, d["input_tokens"])
	assert.EqualValues(t, 150, d["output_tokens"])
	assert.EqualValues(t, 1, d["prompts"], "the root span is the user's prompt")
	assert.EqualValues(t, 1, d["tool_uses"])
	assert.EqualValues(t, 1, d["duration_seconds"], "from the root's start to its end")
}

// TestSpansWithoutSessionWrittenAtShutdown: held spans whose trace never
// names a session are written, without one, when the exporter stops.
func TestSpansWithoutSessionWrittenAtShutdown(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Traces.SessionWait = time.Hour
	p := newTracePipelines(t, "shutdown", cfg)
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), agentChildren()))
	assert.Empty(t, sinktest.ReadMaps(t, dir))
	p.shutdown(t)
	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"token_usage", "tool_use", "token_usage"}, sinktest.Types(entries))
	for _, e := range entries {
		assert.Nil(t, e["session_id"])
	}
}

// TestSpanWaitRunsOut: the flusher writes held spans once session_wait
// has passed; the root that comes later is written with its session.
func TestSpanWaitRunsOut(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Traces.SessionWait = 20 * time.Millisecond
	p := newTracePipelines(t, "runs_out", cfg)
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, agentChildren()))
	// Counted without failing the test: the flusher may be writing while
	// the directory is read.
	require.Eventually(t, func() bool {
		rep, err := schema.CheckDir(dir)
		return err == nil && rep.OK() && rep.Entries == 3
	}, 10*time.Second, 10*time.Millisecond, "the flusher writes the children when their wait runs out")
	for _, e := range sinktest.ReadMaps(t, dir) {
		assert.Nil(t, e["session_id"])
	}
	require.NoError(t, p.traces.ConsumeTraces(ctx, agentRootSpan()))
	p.shutdown(t)
	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"token_usage", "tool_use", "token_usage", "agent_execution", "session_start", "session_end"},
		sinktest.Types(entries))
}

// claudeRequestLog and claudeRequestSpan are Claude Code's two reports of
// one model request: the api_request event and the llm_request span.
func claudeRequestLog(requestID string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "claude-code")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(testTime.Add(time.Second)))
	lr.Body().SetStr("claude_code.api_request")
	_ = lr.Attributes().FromRaw(map[string]any{
		"event.name": "api_request", "session.id": "s-1", "model": "claude-x", "request_id": requestID,
		"input_tokens": 660, "output_tokens": 50, "cache_read_tokens": 300, "cache_creation_tokens": 40, "cost_usd": 0.002,
	})
	return ld
}

func claudeRequestSpan(requestID string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "claude-code")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("claude_code.llm_request")
	sp.SetTraceID(agentTrace)
	sp.SetSpanID(pcommon.SpanID{9, 9, 9, 9, 9, 9, 9, 9})
	sp.SetParentSpanID(agentRoot)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(testTime))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(testTime.Add(time.Second)))
	_ = sp.Attributes().FromRaw(map[string]any{
		"session.id": "s-1", "model": "claude-x", "request_id": requestID,
		"input_tokens": 660, "output_tokens": 50, "cache_read_tokens": 300, "cache_creation_tokens": 40,
	})
	return td
}

// TestCallSentAsLogAndSpanWrittenOnce: whichever of Claude Code's two
// reports of a request comes first, one token_usage is written, from the
// event (it has the cost); a span whose event never comes is written when
// the exporter stops.
func TestCallSentAsLogAndSpanWrittenOnce(t *testing.T) {
	ctx := context.Background()
	for _, spanFirst := range []bool{true, false} {
		dir := t.TempDir()
		cfg := testConfig(dir)
		cfg.Traces.SessionWait = time.Hour
		p := newTracePipelines(t, "twice", cfg)
		if spanFirst {
			require.NoError(t, p.traces.ConsumeTraces(ctx, claudeRequestSpan("req_1")))
			assert.Equal(t, []string{"session_start"}, sinktest.Types(sinktest.ReadMaps(t, dir)),
				"the span waits for its event (its time opens the session)")
		}
		require.NoError(t, p.logs.ConsumeLogs(ctx, claudeRequestLog("req_1")))
		if !spanFirst {
			require.NoError(t, p.traces.ConsumeTraces(ctx, claudeRequestSpan("req_1")))
		}
		require.NoError(t, p.traces.ConsumeTraces(ctx, claudeRequestSpan("req_2"))) // no event
		p.shutdown(t)

		entries := sinktest.ReadMaps(t, dir)
		usage := sinktest.OfType(entries, "token_usage", "s-1")
		require.Len(t, usage, 2, "span first: %v", spanFirst)
		assert.Equal(t, "log", usage[0]["metadata"].(map[string]any)["signal"])
		assert.InDelta(t, 0.002, usage[0]["data"].(map[string]any)["cost_usd"], 1e-12)
		assert.Equal(t, "span", usage[1]["metadata"].(map[string]any)["signal"], "req_2 had no event")
		d := sinktest.Only(t, entries, "session_end", "s-1")
		assert.EqualValues(t, 2000, d["input_tokens"], "1000 per request, each counted once")
	}
}
