package analyticsexporter

import (
	"context"
	"fmt"
	"testing"

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
// session tracker (the default; all records are one known session, so its
// cost is the per-entry keep question and the commit after the write).
func BenchmarkExportLogs(b *testing.B) {
	for _, sessions := range []bool{false, true} {
		b.Run(fmt.Sprintf("sessions=%v", sessions), func(b *testing.B) {
			cfg := testConfig(b.TempDir())
			cfg.Sessions.Enabled = sessions
			e, err := newExporter(nopSettings(), cfg)
			require.NoError(b, err)
			require.NoError(b, e.start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(b, e.shutdown(context.Background())) }()
			ld := benchLogs(1000)
			b.ReportAllocs()
			for b.Loop() {
				if err := e.pushLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/record")
		})
	}
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
