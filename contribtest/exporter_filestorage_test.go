package contribtest

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter"
	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

var recordTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// claudeRecords returns Claude Code shaped records of session s: a
// tool_result at off and an api_request (in/out tokens, cost) one second
// later.
func claudeRecords(s string, off time.Duration, in, out, cost string) plog.Logs {
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	tool := records.AppendEmpty()
	tool.SetTimestamp(pcommon.NewTimestampFromTime(recordTime.Add(off)))
	tool.SetEventName("claude_code.tool_result")
	tool.Attributes().PutStr("session.id", s)
	tool.Attributes().PutStr("tool_name", "Bash")
	api := records.AppendEmpty()
	api.SetTimestamp(pcommon.NewTimestampFromTime(recordTime.Add(off + time.Second)))
	api.SetEventName("claude_code.api_request")
	api.Attributes().PutStr("session.id", s)
	api.Attributes().PutStr("model", "claude-sonnet-4")
	api.Attributes().PutStr("input_tokens", in)
	api.Attributes().PutStr("output_tokens", out)
	api.Attributes().PutStr("cost_usd", cost)
	return ld
}

// TestExporterSessionSpansRestart runs the analytics exporter twice on one
// data directory with sessions.storage: file_storage (the real extension on
// one storage directory, created through its factory and handed to the
// exporter by the host, as a Collector does):
//
//   - run 1 sees the first records of s-1 and shuts down: s-1 gets its one
//     synthesized session_start; no session_end (the session was saved);
//   - run 2 sees more of s-1: no second session_start. It then stays quiet
//     for idle_timeout: the ticker writes ONE session_end whose duration,
//     tokens, tool uses and cost cover both runs. Its Shutdown adds nothing.
//
// The bubble's fake clock lets the idle timeout pass at once.
func TestExporterSessionSpansRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		dataDir, storageDir := t.TempDir(), t.TempDir()
		storageID := component.MustNewID("file_storage")
		f := analyticsexporter.NewFactory()
		cfg := f.CreateDefaultConfig().(*analyticsexporter.Config)
		cfg.Directory = dataDir
		cfg.Compression = jsonl.CompressionNone
		cfg.Sessions.IdleTimeout = 10 * time.Minute
		cfg.Sessions.Storage = &storageID

		run := func(records plog.Logs, idle bool) {
			ext := startFileStorage(t, storageDir)
			set := exportertest.NewNopSettings(metadata.Type)
			set.ID = component.MustNewID("analytics") // the same exporter in both runs (the nop ID is random)
			exp, err := f.CreateLogs(ctx, set, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := exp.Start(ctx, host{storageID: ext}); err != nil {
				t.Fatal(err)
			}
			if err := exp.ConsumeLogs(ctx, records); err != nil {
				t.Fatal(err)
			}
			if idle {
				time.Sleep(cfg.Sessions.IdleTimeout + time.Minute)
				synctest.Wait()
				sinktest.Only(t, sinktest.ReadMaps(t, dataDir), "session_end", "s-1") // before Shutdown: the ticker wrote it
			}
			if err := exp.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if err := ext.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
		}

		run(claudeRecords("s-1", 0, "100", "20", "0.25"), false)
		entries := sinktest.ReadMaps(t, dataDir)
		sinktest.Only(t, entries, "session_start", "s-1")
		if n := len(sinktest.OfType(entries, "session_end", "s-1")); n != 0 {
			t.Fatalf("run 1 ended the session (%d session_end) instead of saving it", n)
		}

		run(claudeRecords("s-1", time.Minute, "5", "5", "0.25"), true)
		entries = sinktest.ReadMaps(t, dataDir)
		start := sinktest.Only(t, entries, "session_start", "s-1")
		end := sinktest.Only(t, entries, "session_end", "s-1")
		want := map[string]any{"duration_seconds": 61.0, "token_count": 130.0, "input_tokens": 105.0,
			"output_tokens": 25.0, "tool_uses": 2.0, "records": 4.0, "cost_usd": 0.5,
			"end_reason": "idle_timeout", "start_synthesized": true, "model": "claude-sonnet-4"}
		for k, v := range want {
			if got := end[k]; got != v {
				t.Errorf("session_end %s = %v, want %v", k, got, v)
			}
		}
		if start["synthesized"] != true {
			t.Errorf("session_start %v", start)
		}
		if len(entries) != 6 {
			t.Errorf("%d entries, want 4 records, one start, one end", len(entries))
		}
	})
}
