package e2etest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The gRPC client's and the OTel SDK's process-wide background
		// goroutines outlive any one connection by design.
		goleak.IgnoreAnyFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
		goleak.IgnoreAnyFunction("go.opencensus.io/stats/view.(*worker).start"),
	)
}

// usageRule turns Claude Code's claude_code.token.usage metric into
// token_usage entries (a user rule; off by default because the
// api_request events carry the same requests).
const usageRule = `
rules:
  - match: {metric: "claude_code.*.usage"}
    type: token_usage
`

// TestSDKToFiles feeds a Claude-Code-shaped session through the OTel Go SDK
// into an in-process Collector and checks the entries in the files.
func TestSDKToFiles(t *testing.T) {
	const sid, uid = "5a6c1f0e-2b7d-4c3a-9e8f-0123456789ab", "9f2c4e6a8b0d"
	svc := startService(t, usageRule)
	a := newApp(t, svc.grpcAddr, sid, uid)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t0 := time.Now().UTC().Add(-time.Minute).Truncate(time.Microsecond)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	a.event(ctx, at(0), "user_prompt", "prompt_length", "42", "prompt", "<REDACTED>")
	a.event(ctx, at(1), "api_request", "model", "claude-sonnet-4-5", "input_tokens", "1200",
		"output_tokens", "350", "cache_read_tokens", "8000", "cache_creation_tokens", "0",
		"cost_usd", "0.02446", "duration_ms", "2400")
	a.event(ctx, at(2), "tool_result", "tool_name", "Bash", "success", "true", "duration_ms", "1211")
	a.event(ctx, at(3), "tool_result", "tool_name", "Read", "success", "false", "duration_ms", "3",
		"error", "file not found")
	a.event(ctx, at(4), "api_error", "model", "claude-sonnet-4-5", "error", "Overloaded",
		"status_code", "529", "attempt", "1")
	for _, c := range []struct {
		name, unit string
		v          int64
		kv         []string
	}{
		{"claude_code.session.count", "count", 1, nil},
		{"claude_code.token.usage", "tokens", 1200, []string{"type", "input", "model", "claude-sonnet-4-5"}},
		{"claude_code.token.usage", "tokens", 350, []string{"type", "output", "model", "claude-sonnet-4-5"}},
	} {
		if err := a.count(ctx, c.name, c.unit, c.v, c.kv...); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.flush(ctx); err != nil {
		t.Fatalf("an export was refused: %v", err)
	}
	if err := a.shutdown(ctx); err != nil {
		t.Fatalf("SDK shutdown: %v", err)
	}
	svc.stop(t)

	entries := sinktest.ReadEntries(t, svc.outDir)
	checkEntries(t, entries, sid, uid, at)
}

// checkEntries pins what the session above must produce under the default
// rules plus usageRule.
func checkEntries(t *testing.T, entries []schema.Entry, sid, uid string, at func(int) time.Time) {
	t.Helper()
	byType := map[string][]schema.Entry{}
	for _, e := range entries {
		byType[e.Type] = append(byType[e.Type], e)
		if e.SessionID != sid || e.UserID != uid {
			t.Errorf("%s entry: session_id %q user_id %q, want %q %q", e.Type, e.SessionID, e.UserID, sid, uid)
		}
	}
	// user_prompt without command_name is no entry (it counts as a prompt).
	// Sessions are on by default: the first record opens the span with a
	// synthesized session_start (the session.count metric only times the
	// session); the shutdown ends the span with one synthesized
	// session_end.
	want := map[string]int{"tool_use": 2, "token_usage": 3, "error_occurred": 1, "session_start": 1, "session_end": 1}
	for typ, n := range want {
		if len(byType[typ]) != n {
			t.Errorf("%d %s entries, want %d", len(byType[typ]), typ, n)
		}
	}
	for typ, es := range byType {
		if _, ok := want[typ]; !ok {
			t.Errorf("%d unexpected %s entries", len(es), typ)
		}
	}
	counts := map[string]int{}
	for typ, es := range byType {
		counts[typ] = len(es)
	}
	t.Logf("entries by type: %v", counts)
	if t.Failed() {
		return
	}
	// The tracker's totals over the span (internal/sessions doc).
	end := dataOf(t, byType["session_end"][0])
	expectField(t, "session_end", end, "tool_uses", "2")
	expectField(t, "session_end", end, "errors", "1")
	expectField(t, "session_end", end, "prompts", "1")
	expectField(t, "session_end", end, "end_reason", `"shutdown"`)

	tools := map[string]map[string]any{}
	for _, e := range byType["tool_use"] {
		d := dataOf(t, e)
		tools[str(d["tool_name"])] = d
	}
	expectField(t, "tool_use Bash", tools["Bash"], "success", "true")
	expectField(t, "tool_use Bash", tools["Bash"], "duration_ms", "1211")
	expectField(t, "tool_use Read", tools["Read"], "success", "false")
	expectField(t, "tool_use Read", tools["Read"], "error", `"file not found"`)

	var metricTokens int64
	for _, e := range byType["token_usage"] {
		d, md := dataOf(t, e), metadataOf(t, e)
		switch md["signal"] {
		case "log":
			expectField(t, "token_usage (api_request)", d, "model", `"claude-sonnet-4-5"`)
			// Claude Code's 1200 leave out the 8000 read from the cache.
			expectField(t, "token_usage (api_request)", d, "input_tokens", "9200")
			expectField(t, "token_usage (api_request)", d, "output_tokens", "350")
			expectField(t, "token_usage (api_request)", d, "cost_usd", "0.02446")
			if !e.Timestamp.Equal(at(1)) {
				t.Errorf("token_usage (api_request) timestamp %v, want the record's %v", e.Timestamp, at(1))
			}
		case "metric":
			n, err := d["value"].(json.Number).Int64()
			if err != nil {
				t.Errorf("token_usage (metric) value %v: %v", d["value"], err)
			}
			metricTokens += n
		default:
			t.Errorf("token_usage with metadata.signal %v", md["signal"])
		}
	}
	if metricTokens != 1550 {
		t.Errorf("token_usage metric entries sum to %d tokens, want 1550", metricTokens)
	}
	errData := dataOf(t, byType["error_occurred"][0])
	expectField(t, "error_occurred", errData, "error_message", `"Overloaded"`)
	md := metadataOf(t, byType["error_occurred"][0])
	if res, _ := md["resource"].(map[string]any); res["service.name"] != "claude-code" {
		t.Errorf("error_occurred metadata.resource %v lacks service.name claude-code", md["resource"])
	}
}

func dataOf(t *testing.T, e schema.Entry) map[string]any {
	t.Helper()
	m, err := e.DataMap()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func metadataOf(t *testing.T, e schema.Entry) map[string]any {
	t.Helper()
	m, err := e.MetadataMap()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// expectField compares a data field by its JSON text, so that 1211 and
// "1211" differ (named fields are coerced to numbers and booleans).
func expectField(t *testing.T, what string, d map[string]any, key, wantJSON string) {
	t.Helper()
	if d == nil {
		t.Errorf("%s: entry missing", what)
		return
	}
	got, err := json.Marshal(d[key])
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantJSON {
		t.Errorf("%s: data.%s = %s, want %s", what, key, got, wantJSON)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
