package gen

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

func TestClaudeCodeLogsShape(t *testing.T) {
	ld := ClaudeCodeLogs(1000, 10)
	if got := ld.LogRecordCount(); got != 1000 {
		t.Fatalf("records = %d, want 1000", got)
	}
	recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	total := 0
	sessions := map[string]bool{}
	for i := range recs.Len() {
		r := recs.At(i)
		total += r.Attributes().Len()
		sid, ok := r.Attributes().Get("session.id")
		if !ok {
			t.Fatalf("record %d has no session.id", i)
		}
		sessions[sid.Str()] = true
		want := "claude_code.api_request"
		if i%2 == 1 {
			want = "claude_code.tool_result"
		}
		if r.Body().Str() != want {
			t.Fatalf("record %d body = %q, want %q", i, r.Body().Str(), want)
		}
	}
	if avg := float64(total) / 1000; avg < 14 || avg > 16 {
		t.Errorf("average attributes per record = %.1f, want about 15", avg)
	}
	if len(sessions) != 10 {
		t.Errorf("distinct sessions = %d, want 10", len(sessions))
	}
}

func TestStampSessionsRewritesEveryID(t *testing.T) {
	b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ClaudeCodeLogs(100, 4))
	if err != nil {
		t.Fatal(err)
	}
	if n := StampSessions(b, 0xabc); n != 100 {
		t.Fatalf("rewrote %d ids, want 100", n)
	}
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(b)
	if err != nil {
		t.Fatalf("stamped batch no longer parses: %v", err)
	}
	recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range recs.Len() {
		sid, _ := recs.At(i).Attributes().Get("session.id")
		if want := SessionID(0xabc, i%4); sid.Str() != want {
			t.Fatalf("record %d session.id = %q, want %q", i, sid.Str(), want)
		}
		if !strings.HasPrefix(sid.Str(), SessionPrefix+"000abc") {
			t.Fatalf("generation digits not stamped: %q", sid.Str())
		}
	}
}
