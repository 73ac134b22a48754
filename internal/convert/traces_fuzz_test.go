package convert

import (
	"bytes"
	"encoding/binary"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

var (
	fuzzSpanNames = []string{"claude_code.interaction", "claude_code.llm_request", "claude_code.tool", "exec_command",
		"session_task.turn", "chat m", "invoke_agent a", "llm_call", "", "\xff"}
	fuzzSpanKeys = append([]string{"gen_ai.operation.name", "openinference.span.kind", "ai.operationId", "request_id",
		"call_id", "tool_use_id", "turn.id", "gen_ai.conversation.id", "thread.id", "gen_ai.usage.input_tokens",
		"error.type", "llm.token_count.prompt"}, fuzzKeys...)
	fuzzSpanValues = []string{"chat", "invoke_agent", "execute_tool", "LLM", "TOOL", "ai.generateText", "ai.toolCall", "r1", "s1"}
)

// fuzzTraces builds spans of a few traces from the fuzz input.
func fuzzTraces(data []byte) ptrace.Traces {
	r := &fuzzReader{b: data}
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if r.byte()%2 == 0 {
		rs.Resource().Attributes().PutStr("service.name", []string{"gemini-cli", "codex_exec", "app"}[r.byte()%3])
	}
	for n := r.byte() % 3; n > 0; n-- {
		r.value(rs.Resource().Attributes().PutEmpty(r.str(fuzzKeys)), 0)
	}
	ss := rs.ScopeSpans().AppendEmpty()
	for spans := 1 + r.byte()%6; spans > 0; spans-- {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(r.str(fuzzSpanNames))
		sp.SetKind(ptrace.SpanKind(r.byte() % 8))
		if c := r.byte() % 4; c > 0 {
			sp.SetTraceID(pcommon.TraceID{c})
		}
		sp.SetSpanID(pcommon.SpanID{r.byte()})
		if c := r.byte() % 3; c > 0 {
			sp.SetParentSpanID(pcommon.SpanID{c})
		}
		sp.SetStartTimestamp(pcommon.Timestamp(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...))))
		sp.SetEndTimestamp(pcommon.Timestamp(binary.LittleEndian.Uint64(append(r.bytes(8), make([]byte, 8)...))))
		sp.Status().SetCode(ptrace.StatusCode(r.byte() % 4))
		sp.Status().SetMessage(r.str(nil))
		for n := r.byte() % 10; n > 0; n-- {
			k := r.str(fuzzSpanKeys)
			if r.byte()%2 == 0 {
				sp.Attributes().PutStr(k, r.str(fuzzSpanValues))
			} else {
				r.value(sp.Attributes().PutEmpty(k), 0)
			}
		}
		if r.byte()%4 == 0 {
			ev := sp.Events().AppendEmpty()
			ev.SetName("exception")
			r.value(ev.Attributes().PutEmpty("exception.message"), 0)
		}
	}
	return td
}

// FuzzAppendTraces: whatever the spans hold, converted twice through one
// join store and flushed, every line is strict and nothing panics.
func FuzzAppendTraces(f *testing.F) {
	f.Add([]byte{0, 2, 0, 5, 2, 1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3, 0, 2, 0, 0})
	f.Add(bytes.Repeat([]byte{1, 3, 0, 2, 7, 1, 1, 2, 3, 4, 5, 6, 7, 8, 2, 6, 4}, 12))
	c := testConverter(f, defaultOptions())
	f.Fuzz(func(t *testing.T, data []byte) {
		td := fuzzTraces(data)
		s, _ := newTestStore(JoinOptions{MaxHeld: 3})
		var out []byte
		var st Stats
		obs := &nopObserver{}
		for range 2 {
			jb := s.Begin()
			out = c.AppendTracesObserved(out, td, &st, obs, jb)
			jb.Commit(&st)
		}
		if jb := s.TakeDue(true); jb != nil {
			out = jb.AppendTaken(out, obs, &st)
			jb.Commit(&st)
		}
		if st.DroppedInvalid != 0 {
			t.Fatalf("a span was dropped as invalid (a recovered panic): %+v", st)
		}
		if s.Stats().Held != 0 {
			t.Fatalf("held after the final flush: %+v", s.Stats())
		}
		for _, line := range bytes.Split(out, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			if _, err := schema.CheckLine(line); err != nil {
				t.Fatalf("%v\n%q", err, line)
			}
		}
	})
}
