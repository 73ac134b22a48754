package bench

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/bench/gen"
)

// BenchmarkConsumeFresh is BenchmarkConsumeLogs as the Collector runs it:
// every op unmarshals the batch from OTLP protobuf anew, as the receiver
// does, and then hands it to the exporter, so the exporter reads memory
// that was just allocated (its keys and values are fresh strings, not the
// shared ones of a reused batch) while the GC, driven by the unmarshal's
// ~2 MB per batch, is marking much of the time. exporter=nop is the
// unmarshal alone: the difference of the two is the exporter's cost under
// the Collector's conditions, to compare with BenchmarkConsumeLogs.
func BenchmarkConsumeFresh(b *testing.B) {
	raw, err := (&plog.ProtoMarshaler{}).MarshalLogs(gen.ClaudeCodeLogs(batchRecords, 10))
	if err != nil {
		b.Fatal(err)
	}
	var u plog.ProtoUnmarshaler
	run := func(b *testing.B, consume func(plog.Logs) error) {
		m := startMeter(b)
		for b.Loop() {
			ld, err := u.UnmarshalLogs(raw)
			if err != nil {
				b.Fatal(err)
			}
			if err := consume(ld); err != nil {
				b.Fatal(err)
			}
		}
		m.report(b, batchRecords)
	}
	ctx := context.Background()
	b.Run("exporter=nop", func(b *testing.B) {
		sink := consumertest.NewNop()
		run(b, func(ld plog.Logs) error { return sink.ConsumeLogs(ctx, ld) })
	})
	b.Run("exporter=analytics", func(b *testing.B) {
		exp := startExporter(b, subjects[0], b.TempDir())
		run(b, func(ld plog.Logs) error { return exp.ConsumeLogs(ctx, ld) })
	})
}
