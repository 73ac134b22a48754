package convert

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// BenchmarkPrivacy converts the batch of BenchmarkAppendLogs/claude_code_mapped
// (user.email on every record), the same without user.email, and Gemini
// CLI's operation details records under the privacy settings a user meets:
// off (the zero Privacy: what the converter did before the rules), the
// exporter's default (no hash_key: user.email dropped) and the default with
// a hash_key (user.email hashed, once per distinct address and call). The
// Gemini records' messages and system instructions make lines of tens of
// KB when kept.
func BenchmarkPrivacy(b *testing.B) {
	withKey := DefaultPrivacy()
	withKey.HashKey = []byte("0123456789abcdef-bench")
	keep := Privacy{}
	batches := []struct {
		name string
		ld   func() plog.Logs
	}{
		{"claude_code_mapped_1000", func() plog.Logs { return claudeBatch(1000, true) }},
		{"claude_code_mapped_anonymous_1000", func() plog.Logs { return anonymous(claudeBatch(1000, true)) }},
		{"gemini_details_1000", func() plog.Logs { return geminiDetailsBatch(1000) }},
	}
	for _, bt := range batches {
		for _, pc := range []struct {
			name string
			p    Privacy
		}{{"off", keep}, {"default", DefaultPrivacy()}, {"default_hash_key", withKey}} {
			b.Run(bt.name+"/privacy="+pc.name, func(b *testing.B) {
				opts := defaultOptions()
				opts.Privacy = pc.p
				opts.Unmatched = "performance"
				c := mustNew(b, opts)
				ld := bt.ld()
				var st Stats
				dst := c.AppendLogs(nil, ld, &st)
				b.SetBytes(int64(len(dst)))
				benchLoop(b, 1000, func() { dst = c.AppendLogs(dst[:0], ld, &st) })
				b.ReportMetric(float64(len(dst))/1000, "bytes/record")
			})
		}
	}
}

// anonymous removes user.email from every record of ld (Claude Code sends
// it only for signed-in users).
func anonymous(ld plog.Logs) plog.Logs {
	recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := 0; i < recs.Len(); i++ {
		recs.At(i).Attributes().Remove("user.email")
	}
	return ld
}

// geminiDetailsBatch is n gen_ai.client.inference.operation.details records
// shaped like Gemini CLI's (messages as JSON text, 20 KB of system
// instructions).
func geminiDetailsBatch(n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "gemini-cli")
	rl.Resource().Attributes().PutStr("session.id", "4e0ed01f-0a89-44d3-bbc9-5a1ba315f59d")
	sl := rl.ScopeLogs().AppendEmpty()
	instructions := strings.Repeat("You are an interactive CLI agent specializing in software engineering tasks. ", 260)
	for i := range n {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(1_796_097_161_000_000_000)
		a := lr.Attributes()
		a.PutStr("event.name", "gen_ai.client.inference.operation.details")
		a.PutStr("session.id", "4e0ed01f-0a89-44d3-bbc9-5a1ba315f59d")
		a.PutStr("installation.id", "9d1e0000-1111-4222-8333-944455556666")
		a.PutStr("gen_ai.operation.name", "generate_content")
		a.PutStr("gen_ai.request.model", "gemini-2.5-flash")
		a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Run the tests and fix what fails."}]}]`)
		a.PutStr("gen_ai.output.messages", `[{"role":"model","parts":[{"type":"text","content":"All tests pass."}]}]`)
		a.PutStr("gen_ai.system_instructions", instructions)
		a.PutInt("gen_ai.usage.input_tokens", int64(1000+i))
		a.PutInt("gen_ai.usage.output_tokens", 50)
	}
	return ld
}
