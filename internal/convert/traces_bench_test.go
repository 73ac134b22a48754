package convert

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
)

// captureSpans returns n spans of an agent capture's traces requests
// (testdata/agents/<dir>/otlp), in order and repeated as needed, keep
// choosing which; each span keeps its resource and scope.
func captureSpans(b *testing.B, dir string, n int, keep func(ptrace.Span) bool) ptrace.Traces {
	b.Helper()
	reqs, err := otlpcapture.Load(filepath.Join(repoRoot(b), "testdata", "agents", dir, "otlp"))
	if err != nil {
		b.Fatal(err)
	}
	var src []ptrace.Traces
	for _, r := range reqs {
		if r.Signal != "traces" {
			continue
		}
		td, err := r.Traces()
		if err != nil {
			b.Fatal(err)
		}
		src = append(src, td)
	}
	out := ptrace.NewTraces()
	for count := 0; count < n; {
		before := count
		for _, td := range src {
			for _, rs := range td.ResourceSpans().All() {
				for _, ss := range rs.ScopeSpans().All() {
					var dst ptrace.SpanSlice
					for _, sp := range ss.Spans().All() {
						if count == n || !keep(sp) {
							continue
						}
						if dst == (ptrace.SpanSlice{}) {
							ors := out.ResourceSpans().AppendEmpty()
							rs.Resource().CopyTo(ors.Resource())
							oss := ors.ScopeSpans().AppendEmpty()
							ss.Scope().CopyTo(oss.Scope())
							dst = oss.Spans()
						}
						sp.CopyTo(dst.AppendEmpty())
						count++
					}
				}
			}
		}
		if count == before {
			b.Fatalf("%s: no span to keep", dir)
		}
	}
	return out
}

// nopObserver keeps every entry, as the session tracker's batch does.
type nopObserver struct{ n int }

func (o *nopObserver) Entry(*EntryInfo) bool { o.n++; return true }

// BenchmarkAppendTraces converts 1,000-span batches into a reused buffer,
// beside BenchmarkAppendLogs (run both in one run to compare):
//   - logs_in_trace_mapped_1000: AppendLogs/claude_code_mapped_1000 with a
//     trace and span id on every record, as events inside a trace carry;
//   - as_logs_mapped_1000: those records as spans (the same attributes,
//     the same types by the override attribute): the cost of a span entry
//     against a log entry of the same content;
//   - claude_code_mapped_1000: Claude Code's interaction, llm_request and
//     tool spans as captured, every one an entry (without a join store,
//     which would hold the last two for their events);
//   - codex_internal_1000: Codex's spans as captured but for its turn and
//     tool spans (~570 per prompt, all internal): none is an entry, each
//     tells its session's time span (observed, as in the exporter).
func BenchmarkAppendTraces(b *testing.B) {
	const n = 1000
	b.Run("logs_in_trace_mapped_1000", func(b *testing.B) {
		// The baseline of as_logs_mapped_1000: the same log records, in a
		// trace (as Claude Code's events inside an interaction are).
		ld := claudeBatch(n, true)
		recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < recs.Len(); i++ {
			recs.At(i).SetTraceID(traceA)
			recs.At(i).SetSpanID(sid(byte(i%250 + 1)))
		}
		c := mustNew(b, defaultOptions())
		var st Stats
		dst := c.AppendLogs(nil, ld, &st)
		b.SetBytes(int64(len(dst)))
		benchLoop(b, n, func() { dst = c.AppendLogs(dst[:0], ld, &st) })
	})
	b.Run("as_logs_mapped_1000", func(b *testing.B) {
		td := logsAsSpans(b, claudeBatch(n, true))
		c := mustNew(b, defaultOptions())
		var st Stats
		dst := c.AppendTraces(nil, td, &st)
		if lines(dst) != n {
			b.Fatalf("%d lines: %+v", lines(dst), st)
		}
		b.SetBytes(int64(len(dst)))
		benchLoop(b, n, func() { dst = c.AppendTraces(dst[:0], td, &st) })
	})
	b.Run("claude_code_mapped_1000", func(b *testing.B) {
		td := captureSpans(b, "claude-code-2.1.328/two_prompts", n, func(sp ptrace.Span) bool {
			switch sp.Name() {
			case "claude_code.interaction", "claude_code.llm_request", "claude_code.tool":
				return true
			}
			return false
		})
		c := mustNew(b, defaultOptions())
		var st Stats
		dst := c.AppendTraces(nil, td, &st)
		if st.Written[2]+st.Written[3]+st.Written[8] != n {
			b.Fatalf("not every span was written: %+v", st)
		}
		b.SetBytes(int64(len(dst)))
		benchLoop(b, n, func() { dst = c.AppendTraces(dst[:0], td, &st) })
	})
	b.Run("codex_internal_1000", func(b *testing.B) {
		td := captureSpans(b, "codex-0.169.0/tool_ok", n, func(sp ptrace.Span) bool {
			return sp.Name() != "session_task.turn" && sp.Name() != "exec_command"
		})
		c := mustNew(b, defaultOptions())
		var st Stats
		obs := &nopObserver{}
		dst := c.AppendTracesObserved(nil, td, &st, obs, nil)
		if len(dst) != 0 || st.DroppedUnmatched != n || obs.n == 0 {
			b.Fatalf("%d bytes, %+v, %d observed", len(dst), st, obs.n)
		}
		benchLoop(b, n, func() { dst = c.AppendTracesObserved(dst[:0], td, &st, obs, nil) })
	})
}

// logsAsSpans makes a span of every log record: its attributes, named by
// its event, typed by the override attribute as the record is by the
// default rules, timed by the record, in one trace.
func logsAsSpans(b *testing.B, ld plog.Logs) ptrace.Traces {
	b.Helper()
	c := mustNew(b, defaultOptions())
	var st Stats
	var types []string
	for _, line := range bytes.SplitAfter(c.AppendLogs(nil, ld, &st), []byte("\n")) {
		if len(line) > 0 {
			var e struct{ Type string }
			if err := json.Unmarshal(line, &e); err != nil {
				b.Fatal(err)
			}
			types = append(types, e.Type)
		}
	}
	td := ptrace.NewTraces()
	rl := ld.ResourceLogs().At(0)
	rs := td.ResourceSpans().AppendEmpty()
	rl.Resource().CopyTo(rs.Resource())
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("com.anthropic.claude_code.tracing")
	recs := rl.ScopeLogs().At(0).LogRecords()
	if recs.Len() != len(types) {
		b.Fatalf("%d records, %d entries", recs.Len(), len(types))
	}
	for i := 0; i < recs.Len(); i++ {
		lr := recs.At(i)
		sp := ss.Spans().AppendEmpty()
		sp.SetName(lr.Body().Str())
		sp.SetTraceID(traceA)
		sp.SetSpanID(sid(byte(i%250 + 1)))
		sp.SetParentSpanID(sid(255))
		sp.SetStartTimestamp(lr.Timestamp() - 1_000_000)
		sp.SetEndTimestamp(lr.Timestamp())
		lr.Attributes().CopyTo(sp.Attributes())
		sp.Attributes().Remove("event.name") // the record's name, the span's name here
		sp.Attributes().PutStr("analytics.type", types[i])
	}
	return td
}

// BenchmarkAppendLogsJoined is AppendLogs/claude_code_mapped_1000 with a
// traces pipeline beside it: every api_request and tool_result looks its
// call up in the join store (committed, as the exporter does).
func BenchmarkAppendLogsJoined(b *testing.B) {
	const n = 1000
	ld := claudeBatch(n, true)
	c := mustNew(b, defaultOptions())
	s := NewJoinStore(JoinOptions{})
	var st Stats
	run := func(dst []byte) []byte {
		jb := s.Begin()
		dst = c.AppendLogsJoined(dst, ld, &st, nil, jb)
		jb.Commit(&st)
		return dst
	}
	dst := run(nil)
	b.SetBytes(int64(len(dst)))
	benchLoop(b, n, func() { dst = run(dst[:0]) })
}
