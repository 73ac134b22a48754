package bench

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/bench/gen"
	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// BenchmarkStages splits BenchmarkConsumeLogs/exporter=analytics into its
// stages on the same batch, to show where the time per record goes:
//
//	walk     iterating every attribute of every record (pdata's floor)
//	convert  type resolution + entry encoding into a reused buffer
//	sink     jsonl.Sink.Append of the encoded batch (one write syscall)
//
// The exporter's cost is about convert + sink; ConsumeLogs adds the
// exporterhelper and telemetry.
func BenchmarkStages(b *testing.B) {
	ld := gen.ClaudeCodeLogs(batchRecords, 10)
	c, err := convert.New(convert.Options{
		TypeAttribute:       "analytics.type",
		BuiltinRules:        true,
		Unmatched:           "drop",
		SessionIDAttributes: []string{"session.id", "gen_ai.conversation.id", "conversation.id"},
		UserIDAttributes:    []string{"user.id", "enduser.id", "user.account_uuid", "user.email", "installation.id"},
		Privacy:             convert.DefaultPrivacy(), // the exporter's default, as in ConsumeLogs
	})
	if err != nil {
		b.Fatal(err)
	}
	var st convert.Stats
	lines := c.AppendLogs(nil, ld, &st)
	if written(st) != batchRecords {
		b.Fatalf("converter wrote %v, want %d token_usage+tool_use entries", st.Written, batchRecords)
	}

	b.Run("stage=walk", func(b *testing.B) {
		n := 0
		run(b, func() {
			recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
			for i := range recs.Len() {
				for k, v := range recs.At(i).Attributes().All() {
					n += len(k)
					if v.Type() == pcommon.ValueTypeStr {
						n += len(v.Str())
					}
				}
			}
		})
		_ = n
	})
	b.Run("stage=convert", func(b *testing.B) {
		buf := make([]byte, 0, 2*len(lines))
		run(b, func() { buf = c.AppendLogs(buf[:0], ld, &st) })
	})
	b.Run("stage=sink", func(b *testing.B) {
		s, err := jsonl.Open(b.TempDir(), jsonl.Options{Compression: jsonl.CompressionNone})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.SetBytes(int64(len(lines)))
		run(b, func() {
			if err := s.Append(lines); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// run is consume's measuring loop for a plain function.
func run(b *testing.B, f func()) {
	f()
	m := startMeter(b)
	for b.Loop() {
		f()
	}
	m.report(b, batchRecords)
}

func written(st convert.Stats) (n int64) {
	for _, w := range st.Written {
		n += w
	}
	return n
}
