package analyticsexporter

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
)

// benchLogs is n Claude Code tool_result records with about 15 attributes.
func benchLogs(n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "claude-code")
	rl.Resource().Attributes().PutStr("service.version", "2.0.0")
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	for range n {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
		r.Body().SetStr("claude_code.tool_result")
		a := r.Attributes()
		a.PutStr("event.name", "tool_result")
		a.PutStr("event.timestamp", "2026-11-26T12:00:00.000Z")
		a.PutStr("session.id", "0b9d5c6e-1f2a-4b3c-8d4e-5f6a7b8c9d0e")
		a.PutStr("user.id", "u-123")
		a.PutStr("organization.id", "org-1")
		a.PutStr("user.account_uuid", "acc-1")
		a.PutStr("terminal.type", "vscode")
		a.PutStr("tool_name", "Bash")
		a.PutStr("success", "true")
		a.PutStr("duration_ms", "1211")
		a.PutStr("decision", "accept")
		a.PutStr("source", "config")
		a.PutStr("tool_parameters", `{"command":"ls -la"}`)
		a.PutStr("app.version", "2.0.0")
		a.PutStr("prompt.id", "p-1")
	}
	return ld
}

// BenchmarkExportLogs is one export of 1,000 records through pushLogs
// (convert, telemetry and one Append; compression off), without and with the
// session tracker (the default), on two workloads: workload=tool_result is
// one known session of Claude Code tool_result records; workload=claude_10
// is shaped like bench/gen, 10 interleaved sessions whose model alternates.
// The difference between sessions=false and sessions=true is the tracker's
// cost.
func BenchmarkExportLogs(b *testing.B) {
	for _, w := range []struct {
		name string
		ld   plog.Logs
	}{{"tool_result", benchLogs(1000)}, {"claude_10", claudeSessionLogs(1000, 10)}} {
		for _, sessions := range []bool{false, true} {
			b.Run(fmt.Sprintf("workload=%s/sessions=%v", w.name, sessions), func(b *testing.B) {
				cfg := testConfig(b.TempDir())
				cfg.Sessions.Enabled = sessions
				e, err := newExporter(nopSettings(), cfg)
				require.NoError(b, err)
				require.NoError(b, e.start(context.Background(), componenttest.NewNopHost()))
				defer func() { require.NoError(b, e.shutdown(context.Background())) }()
				require.NoError(b, e.pushLogs(context.Background(), w.ld)) // known sessions, warm pools
				b.ReportAllocs()
				for b.Loop() {
					if err := e.pushLogs(context.Background(), w.ld); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/record")
			})
		}
	}
}

// claudeSessionLogs is shaped like bench/gen.ClaudeCodeLogs(n, sessions) (which
// this module cannot import): record i belongs to session i%sessions, even
// records are api_request events whose model cycles over three, odd ones
// tool_result events.
func claudeSessionLogs(n, sessions int) plog.Logs {
	models := [...]string{"claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"}
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		r := records.AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(testTime.Add(time.Duration(i) * time.Millisecond)))
		a := r.Attributes()
		a.PutStr("session.id", fmt.Sprintf("5e55e55e-0000-4000-8000-%012d", i%sessions))
		a.PutStr("user.id", "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e")
		a.PutStr("terminal.type", "vscode")
		if i%2 == 0 {
			r.SetEventName("claude_code.api_request")
			a.PutStr("model", models[i%len(models)])
			a.PutStr("input_tokens", strconv.Itoa(800+i%4000))
			a.PutStr("output_tokens", strconv.Itoa(100+i%900))
			a.PutStr("cost_usd", "0.0123")
		} else {
			r.SetEventName("claude_code.tool_result")
			a.PutStr("tool_name", "Bash")
			a.PutStr("success", "true")
		}
	}
	return ld
}

// BenchmarkConvertLogsOnly is the converter alone on the same batch: the
// difference to BenchmarkExportLogs is the exporter's own cost plus the write.
func BenchmarkConvertLogsOnly(b *testing.B) {
	conv, err := convert.New(convertOptions(testConfig(b.TempDir())))
	require.NoError(b, err)
	ld := benchLogs(1000)
	buf := make([]byte, 0, 1<<20)
	b.ReportAllocs()
	for b.Loop() {
		var st convert.Stats
		buf = conv.AppendLogs(buf[:0], ld, &st)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/record")
}
