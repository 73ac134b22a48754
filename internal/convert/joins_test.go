package convert

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/analyticsexporter/analyticsexporter/internal/fakeclock"
)

func newTestStore(opts JoinOptions) (*JoinStore, *fakeclock.Clock) {
	clk := fakeclock.New(fixedNow)
	opts.Now = clk.Now
	if opts.Wait == 0 {
		opts.Wait = time.Minute
	}
	return NewJoinStore(opts), clk
}

// joinRun converts with one JoinBatch of s and commits it (written) or
// aborts it; it returns the lines, the stats and what was observed.
type joinRun struct {
	out []byte
	st  Stats
	obs *rejectObserver
}

func runJoined(t *testing.T, c *testConv, s *JoinStore, written bool, convert func(jb *JoinBatch, obs Observer, st *Stats) []byte) joinRun {
	t.Helper()
	r := joinRun{obs: &rejectObserver{reject: func(*EntryInfo) bool { return false }}}
	jb := s.Begin()
	r.out = convert(jb, r.obs, &r.st)
	if written {
		jb.Commit(&r.st)
	} else {
		jb.Abort()
	}
	return r
}

func spansOf(c *testConv, td ptrace.Traces) func(*JoinBatch, Observer, *Stats) []byte {
	return func(jb *JoinBatch, obs Observer, st *Stats) []byte {
		return c.AppendTracesObserved(nil, td, st, obs, jb)
	}
}

func logsOf(c *testConv, ld plog.Logs) func(*JoinBatch, Observer, *Stats) []byte {
	return func(jb *JoinBatch, obs Observer, st *Stats) []byte { return c.AppendLogsJoined(nil, ld, st, obs, jb) }
}

func metricsOf(c *testConv, md pmetric.Metrics) func(*JoinBatch, Observer, *Stats) []byte {
	return func(jb *JoinBatch, obs Observer, st *Stats) []byte {
		return c.AppendMetricsJoined(nil, md, st, obs, nil, jb)
	}
}

func flush(t *testing.T, s *JoinStore, all, written bool) joinRun {
	t.Helper()
	r := joinRun{obs: &rejectObserver{reject: func(*EntryInfo) bool { return false }}}
	jb := s.TakeDue(all)
	if jb == nil {
		return r
	}
	r.out = jb.AppendTaken(nil, r.obs, &r.st)
	if written {
		jb.Commit(&r.st)
	} else {
		jb.Abort()
	}
	return r
}

// Claude Code's two reports of one model request.
func requestLog(id string) plog.Logs {
	return logBatch([]kv{{"service.name", "claude-code"}}, "events", logRec{eventName: "claude_code.api_request", time: at(2),
		attrs: []kv{{"session.id", "s"}, {"request_id", id}, {"model", "m"}, {"input_tokens", 10}, {"output_tokens", 1}, {"cost_usd", 0.5}}})
}

func requestSpan(id string) ptrace.Traces {
	return traceBatch([]kv{{"service.name", "claude-code"}}, "tracing", spanSpec{name: "claude_code.llm_request", trace: traceA,
		id: sid(2), parent: sid(1), start: at(1), end: at(2),
		attrs: []kv{{"session.id", "s"}, {"request_id", id}, {"model", "m"}, {"input_tokens", 10}, {"output_tokens", 1}}})
}

func lines(b []byte) int { return bytes.Count(b, []byte("\n")) }

// TestJoinEventWinsOverHeldSpan: a span whose event has not come is held;
// the event is written when it comes and the held span dropped; the span
// sent again is a duplicate.
func TestJoinEventWinsOverHeldSpan(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, _ := newTestStore(JoinOptions{})
	r := runJoined(t, c, s, true, spansOf(c, requestSpan("r1")))
	if lines(r.out) != 0 || s.Stats().Held != 1 {
		t.Fatalf("span: %q, held %d", r.out, s.Stats().Held)
	}
	if len(r.obs.seen) != 1 || r.obs.seen[0].Type != "" {
		t.Errorf("a held span tells its session only its time: %+v", r.obs.seen)
	}
	r = runJoined(t, c, s, true, logsOf(c, requestLog("r1")))
	if lines(r.out) != 1 || r.st.Written[8] != 1 || r.st.DroppedDuplicate != 1 || s.Stats().Held != 0 {
		t.Fatalf("event: %d lines, stats %+v, held %d", lines(r.out), r.st, s.Stats().Held)
	}
	r = runJoined(t, c, s, true, spansOf(c, requestSpan("r1")))
	if lines(r.out) != 0 || r.st.DroppedDuplicate != 1 || s.Stats().Held != 0 {
		t.Errorf("the span again: %d lines, stats %+v", lines(r.out), r.st)
	}
	if r := flush(t, s, true, true); lines(r.out) != 0 {
		t.Errorf("nothing was left to flush: %s", r.out)
	}
}

// TestJoinEventFirst: an event written first makes its span a duplicate at
// once; a request the event did not report is held and written when its
// wait runs out, and then its late event is the duplicate.
func TestJoinEventFirst(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, clk := newTestStore(JoinOptions{Wait: time.Minute})
	runJoined(t, c, s, true, logsOf(c, requestLog("r1")))
	if r := runJoined(t, c, s, true, spansOf(c, requestSpan("r1"))); lines(r.out) != 0 || r.st.DroppedDuplicate != 1 || s.Stats().Held != 0 {
		t.Fatalf("span after its event: %+v held %d", r.st, s.Stats().Held)
	}
	runJoined(t, c, s, true, spansOf(c, requestSpan("r2")))
	if r := flush(t, s, false, true); lines(r.out) != 0 {
		t.Fatalf("flushed before the wait ran out: %s", r.out)
	}
	clk.Advance(time.Minute)
	r := flush(t, s, false, true)
	if lines(r.out) != 1 || r.st.Written[8] != 1 || len(r.obs.seen) != 1 || r.obs.seen[0].InputTokens != 10 {
		t.Fatalf("flush after the wait: %s %+v %+v", r.out, r.st, r.obs.seen)
	}
	if r := runJoined(t, c, s, true, logsOf(c, requestLog("r2"))); lines(r.out) != 0 || r.st.DroppedDuplicate != 1 {
		t.Errorf("the late event of a written span: %s %+v", r.out, r.st)
	}
}

// TestJoinRetryCountsOnce: an export that was not written gives its keys
// back, so its retry is not a duplicate; a flush that was not written
// holds its entries again.
func TestJoinRetryCountsOnce(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, clk := newTestStore(JoinOptions{})
	for i := range 2 {
		r := runJoined(t, c, s, i == 1, logsOf(c, requestLog("r1")))
		if lines(r.out) != 1 || r.st.DroppedDuplicate != 0 {
			t.Fatalf("try %d: %d lines, %+v", i, lines(r.out), r.st)
		}
	}
	if r := runJoined(t, c, s, true, spansOf(c, requestSpan("r1"))); lines(r.out) != 0 || r.st.DroppedDuplicate != 1 {
		t.Errorf("the span of the retried event: %s %+v", r.out, r.st)
	}
	// Logs are not joined with logs: an event sent again is written again,
	// as without spans.
	if r := runJoined(t, c, s, true, logsOf(c, requestLog("r1"))); lines(r.out) != 1 {
		t.Error("an event sent again was dropped")
	}

	runJoined(t, c, s, true, spansOf(c, requestSpan("r9")))
	clk.Advance(time.Hour)
	if r := flush(t, s, false, false); lines(r.out) != 1 {
		t.Fatalf("first flush: %s", r.out)
	}
	if s.Stats().Held != 1 {
		t.Fatal("an unwritten flush lost its entry")
	}
	if r := flush(t, s, false, true); lines(r.out) != 1 || s.Stats().Held != 0 {
		t.Fatalf("second flush: %s", r.out)
	}
	if r := runJoined(t, c, s, true, spansOf(c, requestSpan("r9"))); lines(r.out) != 0 || s.Stats().Held != 0 {
		t.Errorf("a flushed span sent again: %s held %d", r.out, s.Stats().Held)
	}
}

// TestJoinConcurrentExportsWriteOnce: spans and events of one call
// converted at the same time: the spans add nothing to what the events
// wrote, and spans alone are written once.
func TestJoinConcurrentExportsWriteOnce(t *testing.T) {
	c := testConverter(t, defaultOptions())
	for _, withLogs := range []bool{true, false} {
		s, _ := newTestStore(JoinOptions{})
		const n = 4
		var wg sync.WaitGroup
		var mu sync.Mutex
		logLines, spanLines := 0, 0
		for i := range 2 * n {
			wg.Go(func() {
				var st Stats
				jb := s.Begin()
				var out []byte
				if i%2 == 0 {
					if !withLogs {
						jb.Abort()
						return
					}
					out = c.AppendLogsJoined(nil, requestLog("r1"), &st, nil, jb)
				} else {
					out = c.AppendTracesObserved(nil, requestSpan("r1"), &st, nil, jb)
				}
				jb.Commit(&st)
				mu.Lock()
				if i%2 == 0 {
					logLines += lines(out)
				} else {
					spanLines += lines(out)
				}
				mu.Unlock()
			})
		}
		wg.Wait()
		spanLines += lines(flush(t, s, true, true).out)
		if withLogs && (logLines != n || spanLines != 0) {
			t.Errorf("with events: %d event lines, %d span lines: want %d and 0", logLines, spanLines, n)
		}
		if !withLogs && spanLines != 1 {
			t.Errorf("spans alone: %d lines, want 1", spanLines)
		}
	}
}

// TestSessionFromALaterRequest: spans without a session wait for a span of
// their trace that names one, and are written with it by the export that
// brings it; their timing counts for the session then too.
func TestSessionFromALaterRequest(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, _ := newTestStore(JoinOptions{})
	children := traceBatch(nil, "lib",
		spanSpec{name: "chat", trace: traceA, id: sid(2), parent: sid(1), start: at(1), end: at(2),
			attrs: []kv{{"gen_ai.operation.name", "chat"}, {"gen_ai.usage.input_tokens", 7}}},
		spanSpec{name: "internal", trace: traceA, id: sid(3), parent: sid(1), start: at(0), end: at(3)})
	root := traceBatch(nil, "lib", spanSpec{name: "invoke_agent a", trace: traceA, id: sid(1), start: at(1), end: at(4),
		attrs: []kv{{"gen_ai.operation.name", "invoke_agent"}, {"gen_ai.conversation.id", "conv"}}})
	r := runJoined(t, c, s, true, spansOf(c, children))
	if lines(r.out) != 0 || len(r.obs.seen) != 0 || s.Stats().Held != 1 {
		t.Fatalf("children: %s %+v held %d", r.out, r.obs.seen, s.Stats().Held)
	}
	r = runJoined(t, c, s, true, spansOf(c, root))
	es := checkLines(t, r.out)
	if len(es) != 2 || es[0].Type != "agent_execution" || es[1].Type != "token_usage" || *es[1].SessionID != "conv" {
		t.Fatalf("root: %s", r.out)
	}
	var in int64
	var first time.Time
	for _, o := range r.obs.seen {
		in += o.InputTokens
		if o.Type == "" && o.SessionID == "conv" {
			first = o.Start
		}
	}
	if in != 7 || first.UnixNano() != at(0) {
		t.Errorf("observed %+v: want the held call's tokens and the internal span's start", r.obs.seen)
	}
	if st := s.Stats(); st.Held != 0 || st.Traces != 1 {
		t.Errorf("store %+v", st)
	}
	// A child that comes after its root takes the session at once.
	late := traceBatch(nil, "lib", spanSpec{name: "chat", trace: traceA, id: sid(5), parent: sid(1), start: at(2), end: at(3),
		attrs: []kv{{"gen_ai.operation.name", "chat"}}})
	if es := checkLines(t, runJoined(t, c, s, true, spansOf(c, late)).out); len(es) != 1 || *es[0].SessionID != "conv" {
		t.Errorf("late child: %+v", es)
	}
}

// TestSessionLearnedWhileHolding: when the export that brings the session
// commits before the one that holds the children, the children are due at
// once, with the session.
func TestSessionLearnedWhileHolding(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, _ := newTestStore(JoinOptions{Wait: time.Hour})
	child := traceBatch(nil, "lib", spanSpec{name: "chat", trace: traceA, id: sid(2), parent: sid(1), start: at(1), end: at(2),
		attrs: []kv{{"gen_ai.operation.name", "chat"}}})
	root := traceBatch(nil, "lib", spanSpec{name: "root", trace: traceA, id: sid(1), start: at(1), end: at(4),
		attrs: []kv{{"session.id", "s"}}})
	jbChild, jbRoot := s.Begin(), s.Begin()
	var st Stats
	c.AppendTracesObserved(nil, child, &st, nil, jbChild)
	c.AppendTracesObserved(nil, root, &st, nil, jbRoot)
	jbRoot.Commit(&st)
	jbChild.Commit(&st)
	select {
	case <-s.Wake():
	default:
		t.Error("the flusher was not woken")
	}
	r := flush(t, s, false, true)
	if es := checkLines(t, r.out); len(es) != 1 || *es[0].SessionID != "s" || r.obs.seen[0].SessionID != "s" {
		t.Fatalf("flushed %s", r.out)
	}
}

// genaiUsageMetric is an app's gen_ai.client.token.usage point.
func genaiUsageMetric(service string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", service)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("gen_ai.client.token.usage")
	dp := m.SetEmptySum().DataPoints().AppendEmpty()
	dp.SetTimestamp(1)
	dp.SetIntValue(5)
	dp.Attributes().PutStr("gen_ai.token.type", "input")
	return md
}

func genaiChat(service string) ptrace.Traces {
	return traceBatch([]kv{{"service.name", service}}, "lib", spanSpec{name: "chat", trace: traceB, id: sid(1), start: at(0), end: at(1),
		attrs: []kv{{"session.id", "s"}, {"gen_ai.operation.name", "chat"}, {"gen_ai.usage.input_tokens", 5}}})
}

// TestMetricYieldsToSpans: a service's gen_ai.client metric points wait
// for its inference spans and are dropped when they come; once they have
// come, later points are ignored at once; another service's are written
// when the wait runs out.
func TestMetricYieldsToSpans(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, clk := newTestStore(JoinOptions{Wait: time.Minute})
	if r := runJoined(t, c, s, true, metricsOf(c, genaiUsageMetric("app"))); lines(r.out) != 0 || s.Stats().Held != 1 {
		t.Fatalf("metric first: %s", r.out)
	}
	r := runJoined(t, c, s, true, spansOf(c, genaiChat("app")))
	if lines(r.out) != 1 || r.st.DroppedIgnored != 1 || s.Stats().Held != 0 {
		t.Fatalf("spans: %s %+v held %d", r.out, r.st, s.Stats().Held)
	}
	if r := runJoined(t, c, s, true, metricsOf(c, genaiUsageMetric("app"))); lines(r.out) != 0 || r.st.DroppedIgnored != 1 || s.Stats().Held != 0 {
		t.Errorf("metric after spans: %s %+v", r.out, r.st)
	}
	runJoined(t, c, s, true, metricsOf(c, genaiUsageMetric("other")))
	clk.Advance(time.Minute)
	if r := flush(t, s, false, true); lines(r.out) != 1 {
		t.Errorf("a service without spans: %s", r.out)
	}
	// Without a join batch (no traces pipeline) nothing waits.
	var st Stats
	if out := c.AppendMetricsJoined(nil, genaiUsageMetric("app"), &st, nil, nil, nil); lines(out) != 1 {
		t.Errorf("no traces pipeline: %s", out)
	}
}

// TestPromptCountedOnce: a trace's prompt is counted from its prompt event
// or its turn span, whichever comes first.
func TestPromptCountedOnce(t *testing.T) {
	c := testConverter(t, defaultOptions())
	prompt := logBatch(nil, "events", logRec{eventName: "claude_code.user_prompt", time: at(0), traceID: traceA, spanID: sid(1),
		attrs: []kv{{"session.id", "s"}}})
	turn := traceBatch(nil, "tracing", spanSpec{name: "claude_code.interaction", trace: traceA, id: sid(1), start: at(0), end: at(3),
		attrs: []kv{{"session.id", "s"}}})
	for _, spanFirst := range []bool{false, true} {
		s, _ := newTestStore(JoinOptions{})
		order := []func(*JoinBatch, Observer, *Stats) []byte{logsOf(c, prompt), spansOf(c, turn)}
		if spanFirst {
			order[0], order[1] = order[1], order[0]
		}
		prompts := 0
		for _, conv := range order {
			for _, o := range runJoined(t, c, s, true, conv).obs.seen {
				if o.Prompt {
					prompts++
				}
			}
		}
		if prompts != 1 {
			t.Errorf("span first %v: %d prompts", spanFirst, prompts)
		}
	}
}

// TestHeldBounds: beyond MaxHeld the oldest held entries are due at once;
// remembered keys are forgotten after Remember.
func TestHeldBounds(t *testing.T) {
	c := testConverter(t, defaultOptions())
	s, clk := newTestStore(JoinOptions{Wait: time.Minute, MaxHeld: 2, Remember: time.Minute})
	for _, id := range []string{"a", "b", "c"} {
		runJoined(t, c, s, true, spansOf(c, requestSpan(id)))
	}
	r := flush(t, s, false, true)
	if lines(r.out) != 1 || s.Stats().Held != 2 || s.Stats().Evicted != 1 {
		t.Fatalf("over the bound: %d written, %+v", lines(r.out), s.Stats())
	}
	runJoined(t, c, s, true, logsOf(c, requestLog("x")))
	if s.Stats().Keys != 4 {
		t.Fatalf("keys %+v", s.Stats())
	}
	clk.Advance(2 * time.Minute)
	flush(t, s, false, true) // the two held spans are due now, written: remembered from now
	if st := s.Stats(); st.Keys != 2 || st.Held != 0 {
		t.Errorf("after Remember: %+v", st)
	}
	clk.Advance(2 * time.Minute)
	flush(t, s, false, true)
	if st := s.Stats(); st.Keys != 0 || st.Traces != 0 {
		t.Errorf("after Remember again: %+v", st)
	}
}
