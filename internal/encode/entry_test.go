package encode

import (
	"bytes"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

func TestEntryHeadMakesAValidLine(t *testing.T) {
	ts := time.Date(2026, 3, 4, 5, 6, 7, 890123000, time.UTC)
	data := pcommon.NewMap()
	data.PutStr("tool_name", "Bash")
	data.PutDouble("duration_ms", 12.5)
	tests := []struct {
		name, session, user string
		wantSessionNull     bool
		wantUserNull        bool
	}{
		{"both set", "sess-1", "user\"x", false, false},
		{"empty ids are null", "", "", true, true},
		{"invalid UTF-8 id", "s\xff", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := EntryHead(nil, ts, "tool_use", tt.session, tt.user)
			line = Map(line, data)
			line = append(line, `,"metadata":{"signal":"log"}}`...)
			e, err := schema.CheckLine(line)
			if err != nil {
				t.Fatalf("CheckLine: %v\n%s", err, line)
			}
			if e.Type != "tool_use" || !e.Timestamp.Equal(ts) {
				t.Errorf("type %q timestamp %v", e.Type, e.Timestamp)
			}
			if e.SessionIDNull != tt.wantSessionNull || e.SessionID != string([]rune(tt.session)) {
				t.Errorf("session_id %q null=%v", e.SessionID, e.SessionIDNull)
			}
			if e.UserIDNull != tt.wantUserNull || e.UserID != tt.user {
				t.Errorf("user_id %q null=%v", e.UserID, e.UserIDNull)
			}
			if string(e.Data) != `{"tool_name":"Bash","duration_ms":12.5}` {
				t.Errorf("data %s", e.Data)
			}
		})
	}
}

func TestEntryHeadIDsDiffer(t *testing.T) {
	a := EntryHead(nil, time.Unix(0, 0), "performance", "", "")
	b := EntryHead(nil, time.Unix(0, 0), "performance", "", "")
	if bytes.Equal(a, b) {
		t.Fatal("two entries got the same id")
	}
}
