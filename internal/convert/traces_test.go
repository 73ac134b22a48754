package convert

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spanSpec describes one span.
type spanSpec struct {
	name       string
	kind       ptrace.SpanKind
	trace      [16]byte
	id, parent [8]byte
	start, end int64 // unix nanos
	status     ptrace.StatusCode
	msg        string
	attrs      []kv
	events     []spanEvent
}

type spanEvent struct {
	name  string
	attrs []kv
}

var (
	traceA = [16]byte{0xa}
	traceB = [16]byte{0xb}
)

func sid(n byte) [8]byte { return [8]byte{0, 0, 0, 0, 0, 0, 0, n} }

// traceBatch builds ptrace.Traces with one resource and scope.
func traceBatch(resource []kv, scope string, spans ...spanSpec) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	putAll(rs.Resource().Attributes(), resource)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scope)
	for _, s := range spans {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(s.name)
		sp.SetKind(s.kind)
		sp.SetTraceID(s.trace)
		sp.SetSpanID(s.id)
		sp.SetParentSpanID(s.parent)
		sp.SetStartTimestamp(pcommon.Timestamp(s.start))
		sp.SetEndTimestamp(pcommon.Timestamp(s.end))
		sp.Status().SetCode(s.status)
		sp.Status().SetMessage(s.msg)
		putAll(sp.Attributes(), s.attrs)
		for _, ev := range s.events {
			e := sp.Events().AppendEmpty()
			e.SetName(ev.name)
			putAll(e.Attributes(), ev.attrs)
		}
	}
	return td
}

// convertSpans converts td with the default options and an observer.
func convertSpans(t *testing.T, td ptrace.Traces, jb *JoinBatch) ([]entry, Stats, *rejectObserver) {
	t.Helper()
	c := testConverter(t, defaultOptions())
	obs := &rejectObserver{reject: func(*EntryInfo) bool { return false }}
	var st Stats
	out := c.AppendTracesObserved(nil, td, &st, obs, jb)
	return checkLines(t, out), st, obs
}

// TestSpanEntry: the head, named fields, remaining attributes and
// metadata of a span entry, in the contract's form.
func TestSpanEntry(t *testing.T) {
	td := traceBatch([]kv{{"service.name", "app"}}, "lib",
		spanSpec{name: "execute_tool search", kind: ptrace.SpanKindInternal, trace: traceA, id: sid(2), parent: sid(1),
			start: at(0), end: at(0) + 1_500_000, attrs: []kv{
				{"gen_ai.operation.name", "execute_tool"}, {"gen_ai.tool.name", "search"},
				{"gen_ai.conversation.id", "conv"}, {"user.id", "u"}, {"query", "x"}}})
	es, st, obs := convertSpans(t, td, nil)
	if len(es) != 1 || st.Written[2] != 1 {
		t.Fatalf("entries %+v stats %+v", es, st)
	}
	e := es[0]
	if e.Type != "tool_use" || *e.SessionID != "conv" || *e.UserID != "u" || e.Timestamp != "2026-11-20T14:03:07.124956+00:00" {
		t.Errorf("head: %s", e.raw)
	}
	if got := strings.Join(e.dataKeys, ","); got != "tool_name,success,duration_ms,gen_ai.operation.name,query" {
		t.Errorf("data keys %s", got)
	}
	if e.Data["tool_name"] != "search" || e.Data["success"] != true || str(e.Data["duration_ms"]) != "1.5" {
		t.Errorf("data %v", e.Data)
	}
	want := `"metadata":{"signal":"span","span_name":"execute_tool search","span_kind":"internal",` +
		`"trace_id":"0a000000000000000000000000000000","span_id":"0000000000000002","parent_span_id":"0000000000000001",` +
		`"scope":{"name":"lib","version":""},"resource":{"service.name":"app"}}}`
	if !strings.HasSuffix(string(e.raw), want) {
		t.Errorf("metadata:\n%s\nwant suffix\n%s", e.raw, want)
	}
	if len(obs.seen) != 1 || obs.seen[0].Start.UnixNano() != at(0) || obs.seen[0].Time.UnixNano() != at(0)+1_500_000 || obs.seen[0].Prompt {
		t.Errorf("observed %+v", obs.seen)
	}
}

// TestSpanSuccessAndStatus: success from the status where no attribute
// says it; a failed model call is an error_occurred; a tool span whose
// child failed failed.
func TestSpanSuccessAndStatus(t *testing.T) {
	sess := kv{"session.id", "s"}
	tool := kv{"gen_ai.operation.name", "execute_tool"}
	td := traceBatch(nil, "lib",
		spanSpec{name: "ok", trace: traceA, id: sid(1), start: at(0), end: at(1), status: ptrace.StatusCodeOk, attrs: []kv{sess, tool}},
		spanSpec{name: "err", trace: traceA, id: sid(2), start: at(0), end: at(1), status: ptrace.StatusCodeError, msg: "boom",
			attrs: []kv{sess, tool}},
		spanSpec{name: "attr wins", trace: traceA, id: sid(3), start: at(0), end: at(1), status: ptrace.StatusCodeError,
			attrs: []kv{sess, tool, {"success", true}}},
		spanSpec{name: "unset", trace: traceA, id: sid(4), start: at(0), end: at(1), attrs: []kv{sess, tool}},
		spanSpec{name: "unset with error attr", trace: traceA, id: sid(5), start: at(0), end: at(1), attrs: []kv{sess, tool, {"error.type", "x"}}},
		// A failed child, then its tool span (children end first).
		spanSpec{name: "child", trace: traceA, id: sid(7), parent: sid(6), start: at(0), end: at(1), status: ptrace.StatusCodeError},
		spanSpec{name: "parent", trace: traceA, id: sid(6), start: at(0), end: at(2), attrs: []kv{sess, tool}},
		spanSpec{name: "chat", trace: traceA, id: sid(8), start: at(0), end: at(1), status: ptrace.StatusCodeError, msg: "429 too many",
			attrs: []kv{sess, {"gen_ai.operation.name", "chat"}}},
		spanSpec{name: "chat2", trace: traceA, id: sid(9), start: at(0), end: at(1), attrs: []kv{sess, {"gen_ai.operation.name", "chat"},
			{"error.type", "timeout"}}, events: []spanEvent{{"exception", []kv{{"exception.message", "read timed out"}, {"exception.stacktrace", "at x"}}}}},
	)
	es, _, obs := convertSpans(t, td, nil)
	want := []struct {
		typ string
		ok  any
	}{{"tool_use", true}, {"tool_use", false}, {"tool_use", true}, {"tool_use", true}, {"tool_use", false}, {"tool_use", false},
		{"error_occurred", nil}, {"error_occurred", nil}}
	if len(es) != len(want) {
		t.Fatalf("%d entries: %v", len(es), es)
	}
	for i, w := range want {
		if es[i].Type != w.typ || (w.ok != nil && es[i].Data["success"] != w.ok) {
			t.Errorf("entry %d (%v): %s %v, want %s success %v", i, es[i].Metadata["span_name"], es[i].Type, es[i].Data["success"], w.typ, w.ok)
		}
	}
	if d := es[6].Data; d["error_type"] != nil || d["error_message"] != "429 too many" {
		t.Errorf("failed chat: %v", d)
	}
	if d := es[7].Data; d["error_type"] != "timeout" || d["error_message"] != "read timed out" || d["stack_trace"] != "at x" {
		t.Errorf("failed chat with exception: %v", d)
	}
	if st := es[1].Metadata["status"].(map[string]any); st["code"] != "error" || st["message"] != "boom" {
		t.Errorf("status metadata %v", st)
	}
	if _, ok := es[3].Metadata["status"]; ok {
		t.Errorf("unset status written: %v", es[3].Metadata)
	}
	failed := 0
	for _, o := range obs.seen {
		if o.Failed {
			failed++
		}
	}
	if failed != 3 {
		t.Errorf("%d failed tool uses observed, want 3", failed)
	}
}

// TestSpanTokens: token counts of the instrumentations' model-call spans,
// in the entries' meaning; the Vercel AI SDK root's sums are not counted.
func TestSpanTokens(t *testing.T) {
	sess := kv{"session.id", "s"}
	td := traceBatch(nil, "lib",
		// Claude Code: input without the cache.
		spanSpec{name: "claude_code.llm_request", trace: traceA, id: sid(1), start: at(0), end: at(1), attrs: []kv{sess,
			{"model", "claude-x"}, {"input_tokens", 660}, {"output_tokens", 50}, {"cache_read_tokens", 300}, {"cache_creation_tokens", 40}}},
		// OpenInference.
		spanSpec{name: "ChatOpenAI", trace: traceA, id: sid(2), start: at(0), end: at(1), attrs: []kv{sess,
			{"openinference.span.kind", "LLM"}, {"llm.model_name", "gpt-x"}, {"llm.token_count.prompt", 1000},
			{"llm.token_count.completion", 50}, {"llm.token_count.prompt_details.cache_read", 300},
			{"llm.token_count.completion_details.reasoning", 7}}},
		// The Vercel AI SDK: a step, then its root.
		spanSpec{name: "ai.generateText.doGenerate", trace: traceB, id: sid(3), parent: sid(4), start: at(0), end: at(1), attrs: []kv{
			{"ai.operationId", "ai.generateText.doGenerate"}, {"ai.telemetry.metadata.sessionId", "v"}, {"ai.response.model", "gpt-y"},
			{"ai.usage.inputTokens", 2000}, {"ai.usage.outputTokens", 100}, {"ai.usage.inputTokenDetails.cacheReadTokens", 600},
			{"ai.usage.outputTokenDetails.reasoningTokens", 14}}},
		spanSpec{name: "ai.generateText", trace: traceB, id: sid(4), start: at(0), end: at(2), attrs: []kv{
			{"ai.operationId", "ai.generateText"}, {"ai.telemetry.functionId", "agent"}, {"ai.telemetry.metadata.sessionId", "v"},
			{"ai.usage.inputTokens", 2000}, {"ai.usage.outputTokens", 100}}},
	)
	es, _, obs := convertSpans(t, td, nil)
	if len(es) != 4 {
		t.Fatalf("%d entries", len(es))
	}
	for i, w := range []string{"1000 50 300 40 <nil>", "1000 50 300 <nil> 7", "2000 100 600 <nil> 14"} {
		d := es[i].Data
		got := str(d["input_tokens"], d["output_tokens"], d["cache_read_tokens"], d["cache_creation_tokens"], d["reasoning_tokens"])
		if got != w {
			t.Errorf("token_usage %d: %+v, want %+v", i, got, w)
		}
	}
	if es[1].Data["model"] != "gpt-x" || es[2].Data["model"] != "gpt-y" || *es[2].SessionID != "v" {
		t.Errorf("models/sessions: %v %v %v", es[1].Data["model"], es[2].Data["model"], *es[2].SessionID)
	}
	if es[3].Type != "agent_execution" || es[3].Data["agent_name"] != "agent" {
		t.Errorf("root: %s", es[3].raw)
	}
	var in int64
	prompts := 0
	for _, o := range obs.seen {
		in += o.InputTokens
		if o.Prompt {
			prompts++
		}
	}
	if in != 4000 || prompts != 1 {
		t.Errorf("observed input %d, prompts %d: want 4000 (the root's sums not counted) and 1 (the root)", in, prompts)
	}
}

// TestSpanSessions: a span's own session, else its resource's, else its
// trace's from another span of the request (before or after it); an
// integer thread.id is a thread, not a session.
func TestSpanSessions(t *testing.T) {
	chat := kv{"gen_ai.operation.name", "chat"}
	td := traceBatch(nil, "lib",
		spanSpec{name: "child before", trace: traceA, id: sid(2), parent: sid(1), start: at(0), end: at(1), attrs: []kv{chat}},
		spanSpec{name: "root", trace: traceA, id: sid(1), start: at(0), end: at(2), attrs: []kv{{"gen_ai.conversation.id", "c-a"}}},
		spanSpec{name: "child after", trace: traceA, id: sid(3), parent: sid(1), start: at(0), end: at(1), attrs: []kv{chat}},
		spanSpec{name: "codex", trace: traceB, id: sid(4), start: at(0), end: at(1), attrs: []kv{chat, {"thread.id", 4}, {"thread.id", "c-b"}}},
		spanSpec{name: "thread only", trace: [16]byte{0xc}, id: sid(5), start: at(0), end: at(1), attrs: []kv{chat, {"thread.id", 3}}},
	)
	es, _, obs := convertSpans(t, td, nil)
	var got []string
	for _, e := range es {
		s := "null"
		if e.SessionID != nil {
			s = *e.SessionID
		}
		got = append(got, e.Metadata["span_name"].(string)+"="+s)
	}
	// Spans whose trace's session comes later are written last.
	want := "child after=c-a,codex=c-b,child before=c-a,thread only=null"
	if strings.Join(got, ",") != want {
		t.Errorf("sessions %v, want %s", got, want)
	}
	if d := es[3].Data; str(d["thread.id"]) != "3" {
		t.Errorf("an integer thread.id stays in data: %v", d)
	}
	// The root made no entry: its time still counts for its session.
	var rootSeen bool
	for _, o := range obs.seen {
		if o.Type == "" && o.SessionID == "c-a" && o.Time.UnixNano() == at(2) {
			rootSeen = true
		}
	}
	if !rootSeen {
		t.Errorf("the unmatched root's timing was not observed: %+v", obs.seen)
	}
	td = traceBatch([]kv{{"session.id", "res"}}, "lib", spanSpec{name: "r", trace: traceA, id: sid(1), end: at(1), attrs: []kv{chat}})
	if es, _, _ := convertSpans(t, td, nil); *es[0].SessionID != "res" {
		t.Errorf("resource session: %s", es[0].raw)
	}
}

// TestUnmatchedSpans: spans no rule maps make no line, are counted
// unmatched (ignored for an agent's spans that repeat its events) and
// cost one timing record per session.
func TestUnmatchedSpans(t *testing.T) {
	var spans []spanSpec
	for i := range 50 {
		spans = append(spans, spanSpec{name: "fs.get_metadata", trace: traceA, id: sid(byte(i + 1)), start: at(i), end: at(i + 1),
			attrs: []kv{{"code.file.path", "x.rs"}, {"thread.id", 3}, {"conversation.id", "codex-s"}}})
	}
	td := traceBatch([]kv{{"service.name", "codex_exec"}}, "codex", spans...)
	td2 := traceBatch([]kv{{"service.name", "gemini-cli"}}, "gemini-cli",
		spanSpec{name: "llm_call", trace: traceB, id: sid(1), start: at(0), end: at(1), attrs: []kv{
			{"gen_ai.operation.name", "llm_call"}, {"gen_ai.conversation.id", "g"}, {"gen_ai.usage.input_tokens", 5}}})
	td2.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	es, st, obs := convertSpans(t, td, nil)
	if len(es) != 0 || st.DroppedUnmatched != 50 || st.DroppedIgnored != 1 {
		t.Fatalf("entries %d, stats %+v", len(es), st)
	}
	if len(obs.seen) != 2 {
		t.Fatalf("observed %+v, want one timing record per session", obs.seen)
	}
	for _, o := range obs.seen {
		if o.SessionID == "codex-s" && (o.Start.UnixNano() != at(0) || o.Time.UnixNano() != at(50)) {
			t.Errorf("codex timing %v..%v", o.Start, o.Time)
		}
	}
}

// TestSpanRulesFromConfig: a user rule with a span match key, and the
// override attribute, map spans; an event rule does not.
func TestSpanRulesFromConfig(t *testing.T) {
	c := testConverter(t, Options{TypeAttribute: "analytics.type", BuiltinRules: true, Rules: []Rule{
		{Event: "my.step", Type: "command_executed"},
		{Span: "my.*", Type: "performance"},
	}})
	td := traceBatch(nil, "lib",
		spanSpec{name: "my.step", trace: traceA, id: sid(1), start: at(0), end: at(0) + 2_000_000},
		spanSpec{name: "other", trace: traceA, id: sid(2), start: at(0), end: at(1), attrs: []kv{{"analytics.type", "hook_triggered"}}},
	)
	var st Stats
	es := checkLines(t, c.AppendTraces(nil, td, &st))
	if len(es) != 2 || es[0].Type != "performance" || es[0].Data["operation"] != "my.step" || str(es[0].Data["duration_ms"]) != "2.0" {
		t.Fatalf("%+v", es)
	}
	if es[1].Type != "hook_triggered" {
		t.Errorf("override: %s", es[1].raw)
	}
	if _, err := New(Options{Rules: []Rule{{Event: "a", Span: "b", Type: "tool_use"}}}); err == nil {
		t.Error("event and span together accepted")
	}
}

// TestBadSpans: spans with odd times and ids convert or drop, never panic.
func TestBadSpans(t *testing.T) {
	tool := kv{"gen_ai.operation.name", "execute_tool"}
	td := traceBatch(nil, "lib",
		spanSpec{name: "no times", attrs: []kv{tool}},
		spanSpec{name: "end before start", trace: traceA, id: sid(1), start: at(5), end: at(1), attrs: []kv{tool}},
		spanSpec{name: "", trace: traceA, id: sid(2), start: at(0), end: at(1), attrs: []kv{tool, {"gen_ai.tool.name", 7}}},
	)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetKind(ptrace.SpanKind(99))
	es, st, _ := convertSpans(t, td, nil)
	if len(es) != 3 || st.DroppedInvalid != 0 {
		t.Fatalf("%+v %+v", es, st)
	}
	if es[0].Timestamp != fixedNow.Format("2006-01-02T15:04:05.000000-07:00") || es[0].Metadata["span_kind"] != "unspecified" {
		t.Errorf("no times: %s", es[0].raw)
	}
	if str(es[1].Data["duration_ms"]) != "0.0" {
		t.Errorf("end before start: %s", es[1].raw)
	}
}

// str prints decoded JSON values, space-separated.
func str(vs ...any) string { return strings.TrimSuffix(fmt.Sprintln(vs...), "\n") }

// TestAppendHex: ids of every length and byte value, as encoding/hex
// writes them.
func TestAppendHex(t *testing.T) {
	id := make([]byte, 0, 300)
	for i := range 300 {
		id = append(id, byte(i*37+i>>3))
	}
	for n := range 40 {
		for off := 0; off+n <= len(id); off += 7 {
			in := id[off : off+n]
			if got, want := string(appendHex([]byte("x"), in)), "x"+hex.EncodeToString(in); got != want {
				t.Fatalf("appendHex(%x) = %s", in, got)
			}
		}
	}
}
