package analyticsexporter

import (
	"context"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/tmpfs"
)

// event is one log record of sessionLogs: an event name, its session, an
// offset from testTime and string attributes.
type event struct {
	name    string
	session string
	at      time.Duration
	attrs   map[string]string
}

// sessionLogs builds Claude-Code-shaped records for events.
func sessionLogs(events ...event) plog.Logs {
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, ev := range events {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(testTime.Add(ev.at)))
		r.SetEventName(ev.name)
		r.Attributes().PutStr("session.id", ev.session)
		for k, v := range ev.attrs {
			r.Attributes().PutStr(k, v)
		}
	}
	return ld
}

func toolUse(session string, at time.Duration) event {
	return event{"claude_code.tool_result", session, at, map[string]string{"tool_name": "Bash", "cwd": "/src/app"}}
}

func apiRequest(session string, at time.Duration, in, out, cost string) event {
	return event{"claude_code.api_request", session, at, map[string]string{
		"model": "claude-sonnet-4", "input_tokens": in, "output_tokens": out, "cost_usd": cost}}
}

func apiError(session string, at time.Duration) event {
	return event{"claude_code.api_error", session, at, map[string]string{"error": "overloaded"}}
}

func sessionEnd(session string, at time.Duration) event {
	return event{"session.end", session, at, nil}
}

func synthesized(e map[string]any) bool { return e["data"].(map[string]any)["synthesized"] == true }

// TestSynthesizedStartOnce: a session with no explicit start, seen in three
// batches on both pipelines, gets exactly one synthesized session_start,
// with the time, model and project path of its first record.
func TestSynthesizedStartOnce(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "start_once", testConfig(dir), nopSettings())
	startAll(t, p.logs, p.metrics)
	ctx := context.Background()
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-1", 0), apiRequest("s-1", time.Second, "10", "5", "0.01"))))
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-1", 2*time.Second))))
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-1", 3*time.Second), toolUse("s-2", 3*time.Second))))
	entries := sinktest.ReadMaps(t, dir) // before Shutdown: the starts are written with their batch
	start := sinktest.Only(t, entries, "session_start", "s-1")
	assert.Equal(t, true, start["synthesized"])
	assert.Equal(t, "/src/app", start["project_path"])
	assert.Nil(t, start["model"], "the first record (a tool_result) carries no model")
	assert.Equal(t, "2026-11-26T12:00:00.000000+00:00", sinktest.OfType(entries, "session_start", "s-1")[0]["timestamp"])
	sinktest.Only(t, entries, "session_start", "s-2")
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))
	sinktest.Only(t, sinktest.ReadMaps(t, dir), "session_start", "s-1")
}

// TestShutdownEndsEveryOpenSession: without storage, Shutdown writes one
// session_end per open session with the span's duration, tokens, tool uses,
// errors and cost.
func TestShutdownEndsEveryOpenSession(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "shutdown_ends", testConfig(dir), nopSettings())
	startAll(t, p.logs)
	ctx := context.Background()
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(
		toolUse("s-1", 0), apiRequest("s-1", 10*time.Second, "100", "20", "0.25"),
		apiRequest("s-2", 0, "7", "3", "0.5"))))
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(
		apiError("s-1", 30*time.Second), toolUse("s-1", 40*time.Second), apiRequest("s-1", 90*time.Second, "5", "5", "0.25"))))
	assert.Empty(t, sinktest.OfType(sinktest.ReadMaps(t, dir), "session_end", "s-1"), "nothing ends before Shutdown")
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))

	entries := sinktest.ReadMaps(t, dir)
	assert.Len(t, sinktest.OfType(entries, "session_end", ""), 0)
	end := sinktest.Only(t, entries, "session_end", "s-1")
	assert.Equal(t, 90.0, end["duration_seconds"])
	assert.Equal(t, 130.0, end["token_count"])
	assert.Equal(t, 2.0, end["tool_uses"])
	assert.Equal(t, 1.0, end["errors"])
	assert.Equal(t, 0.5, end["cost_usd"])
	assert.Equal(t, 5.0, end["records"])
	assert.Equal(t, "shutdown", end["end_reason"])
	assert.Equal(t, "claude-sonnet-4", end["model"])
	assert.Equal(t, "/src/app", end["project_path"])
	assert.Equal(t, true, end["synthesized"])
	end2 := sinktest.Only(t, entries, "session_end", "s-2")
	assert.Equal(t, 0.0, end2["duration_seconds"])
	assert.Equal(t, 10.0, end2["token_count"])
	assert.Equal(t, 0.5, end2["cost_usd"])
	assert.Len(t, entries, 10, "6 records, 2 starts, 2 ends: %v", sinktest.Types(entries))
}

// startExporter starts a logs exporter of cfg outside exporterhelper (no
// queue, no retry), for tests inside a synctest bubble.
func startExporter(t *testing.T, cfg *Config, set exporter.Settings, host component.Host) *analyticsExporter {
	t.Helper()
	e, err := newExporter(set, cfg)
	require.NoError(t, err)
	require.NoError(t, e.start(context.Background(), host))
	return e
}

// TestIdleTimeoutEndsViaTicker: the adapter's ticker writes the session_end
// of a session idle for idle_timeout, within a tick period, with no export.
// In the synctest bubble the clock is fake: time.Sleep moves it and
// synctest.Wait returns once the ticker goroutine has done its work.
func TestIdleTimeoutEndsViaTicker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		cfg := testConfig(dir)
		cfg.Sessions.IdleTimeout = 10 * time.Minute // ticks every minute
		e := startExporter(t, cfg, nopSettings(), nil)
		ctx := context.Background()
		require.NoError(t, e.pushLogs(ctx, sessionLogs(toolUse("s-1", 0), apiRequest("s-1", 5*time.Second, "40", "2", "0.1"))))

		time.Sleep(10*time.Minute - time.Second)
		synctest.Wait()
		assert.Empty(t, sinktest.OfType(sinktest.ReadMaps(t, dir), "session_end", "s-1"), "not idle for idle_timeout yet")

		time.Sleep(time.Minute + time.Second)
		synctest.Wait()
		end := sinktest.Only(t, sinktest.ReadMaps(t, dir), "session_end", "s-1")
		assert.Equal(t, "idle_timeout", end["end_reason"])
		assert.Equal(t, 42.0, end["token_count"])
		assert.Equal(t, 5.0, end["duration_seconds"])

		require.NoError(t, e.shutdown(ctx))
		sinktest.Only(t, sinktest.ReadMaps(t, dir), "session_end", "s-1") // Shutdown has nothing left to end
	})
}

// TestExplicitEndSuppressesSynthesized: a session that sends its own end
// event gets no synthesized session_end, and a straggler record after the
// end opens no new session.
func TestExplicitEndSuppressesSynthesized(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "explicit_end", testConfig(dir), nopSettings())
	startAll(t, p.logs)
	ctx := context.Background()
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-1", 0), sessionEnd("s-1", time.Minute))))
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(apiRequest("s-1", time.Minute, "1", "1", "0"))))
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))
	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "session_end", "session_start", "token_usage"}, sinktest.Types(entries))
	ends := sinktest.OfType(entries, "session_end", "s-1")
	require.Len(t, ends, 1)
	assert.False(t, synthesized(ends[0]), "the end is the one the tool sent")
}

// TestDuplicateEndAfterIdleEndIsDropped: an explicit end arriving after the
// idle timeout already wrote the session's end is cut from its batch and
// counted as dropped (reason duplicate); so is a repeated end in one batch.
func TestDuplicateEndAfterIdleEndIsDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tt, set := telemetrySettings(t)
		dir := t.TempDir()
		cfg := testConfig(dir)
		cfg.Sessions.IdleTimeout = 10 * time.Minute
		e := startExporter(t, cfg, set, nil)
		ctx := context.Background()
		require.NoError(t, e.pushLogs(ctx, sessionLogs(toolUse("s-1", 0), toolUse("s-2", 0))))
		time.Sleep(11 * time.Minute)
		synctest.Wait()
		require.Len(t, sinktest.OfType(sinktest.ReadMaps(t, dir), "session_end", "s-1"), 1, "the idle end")

		// A late end of s-1 (dropped), the end of s-2 (kept) and a repeat
		// of it in the same batch (dropped); s-3 is new.
		require.NoError(t, e.pushLogs(ctx, sessionLogs(sessionEnd("s-1", 12*time.Minute),
			toolUse("s-3", 12*time.Minute), sessionEnd("s-3", 12*time.Minute), sessionEnd("s-3", 12*time.Minute))))
		require.NoError(t, e.shutdown(ctx))

		entries := sinktest.ReadMaps(t, dir)
		end1 := sinktest.OfType(entries, "session_end", "s-1")
		require.Len(t, end1, 1, "%v", sinktest.Types(entries))
		assert.True(t, synthesized(end1[0]))
		end3 := sinktest.OfType(entries, "session_end", "s-3")
		require.Len(t, end3, 1)
		assert.False(t, synthesized(end3[0]))
		assert.Len(t, sinktest.OfType(entries, "session_end", "s-2"), 1)
		assert.Equal(t, map[string]int64{"duplicate": 2}, sumByAttr(t, tt, "otelcol_analytics_entries_dropped", "reason"))
		assert.Equal(t, map[string]int64{"session_start": 3, "session_end": 2},
			sumByAttr(t, tt, "otelcol_analytics_sessions_synthesized", "type"))
		assert.Equal(t, map[string]int64{"": sinkBytes(t, dir)}, sumByAttr(t, tt, "otelcol_analytics_bytes_written", ""),
			"the session lines' bytes are counted too")
	})
}

// TestFailedAppendRetriedCountsOnce: an export that fails on a full disk
// and is sent again counts its tokens once: the tracker records a batch
// only after it was written.
func TestFailedAppendRetriedCountsOnce(t *testing.T) {
	dir := tmpfs.Mount(t, 256<<10)
	cfg := testConfig(dir)
	cfg.BackOffConfig.Enabled = false // the caller sends again, as exporterhelper would
	p := newPipelines(t, "retry_once", cfg, nopSettings())
	startAll(t, p.logs)
	ctx := context.Background()
	batch := sessionLogs(toolUse("s-1", 0), apiRequest("s-1", time.Second, "120", "30", "0.2"))

	filler, _ := tmpfs.Fill(t, dir)
	require.Error(t, p.logs.ConsumeLogs(ctx, batch))
	require.Error(t, p.logs.ConsumeLogs(ctx, batch))
	require.NoError(t, os.Remove(filler))
	require.NoError(t, p.logs.ConsumeLogs(ctx, batch))
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))

	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "session_end"}, sinktest.Types(entries))
	end := sinktest.Only(t, entries, "session_end", "s-1")
	assert.Equal(t, 150.0, end["token_count"], "tokens of the written batch, once")
	assert.Equal(t, 2.0, end["records"])
	assert.Equal(t, 0.2, end["cost_usd"])
}

// TestSessionsDisabled: sessions.enabled=false writes the records only.
func TestSessionsDisabled(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Sessions.Enabled = false
	p := newPipelines(t, "no_sessions", cfg, nopSettings())
	startAll(t, p.logs)
	ctx := context.Background()
	require.NoError(t, p.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-1", 0), sessionEnd("s-1", 0), sessionEnd("s-1", 0))))
	require.NoError(t, p.logs.Shutdown(ctx))
	require.NoError(t, p.metrics.Shutdown(ctx))
	assert.Equal(t, []string{"tool_use", "session_end", "session_end"}, sinktest.Types(sinktest.ReadMaps(t, dir)),
		"no synthesized lines, nothing dropped as a duplicate")
}

// TestStorageExtensionNotUsable: a sessions.storage that names no
// extension, or one that is not a storage extension, fails Start with the
// key and the reason, and releases the directory.
func TestStorageExtensionNotUsable(t *testing.T) {
	id := component.MustNewID("file_storage")
	for name, tc := range map[string]struct {
		host component.Host
		want string
	}{
		"missing":     {componenttest.NewNopHost(), `sessions: storage: extension "file_storage" not found`},
		"not storage": {extHost{id: notStorage{}}, `sessions: storage: extension "file_storage" is not a storage extension`},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig(dir)
			cfg.Sessions.Storage = &id
			p := newPipelines(t, "bad_storage", cfg, nopSettings())
			err := p.logs.Start(context.Background(), tc.host)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			require.NoError(t, p.logs.Shutdown(context.Background()))
			require.NoError(t, p.metrics.Shutdown(context.Background()))
			q := newPipelines(t, "bad_storage", testConfig(dir), nopSettings())
			startAll(t, q.logs) // the lock was released
			require.NoError(t, q.logs.Shutdown(context.Background()))
			require.NoError(t, q.metrics.Shutdown(context.Background()))
		})
	}
}

// notStorage is an extension that is not a storage extension.
type notStorage struct{}

func (notStorage) Start(context.Context, component.Host) error { return nil }
func (notStorage) Shutdown(context.Context) error              { return nil }
