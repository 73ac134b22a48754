package analyticsexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// telemetry records the exporter's own metrics, with the attribute sets
// built once so an export allocates nothing for them.
type telemetry struct {
	tb         *metadata.TelemetryBuilder
	byType     [convert.NumTypes]metric.MeasurementOption
	unmatched  metric.MeasurementOption
	invalid    metric.MeasurementOption
	duplicate  metric.MeasurementOption
	background context.Context // for sink events, which carry no context
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	t := &telemetry{
		tb:         tb,
		unmatched:  metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "unmatched"))),
		invalid:    metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "invalid"))),
		duplicate:  metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "duplicate"))),
		background: context.Background(),
	}
	for i, typ := range convert.Types {
		t.byType[i] = metric.WithAttributeSet(attribute.NewSet(attribute.String("type", typ)))
	}
	return t, nil
}

// record adds what one successful export did.
func (t *telemetry) record(ctx context.Context, st *convert.Stats, bytes int) {
	for i, n := range st.Written {
		if n > 0 {
			t.tb.AnalyticsEntriesWritten.Add(ctx, n, t.byType[i])
		}
	}
	if st.DroppedUnmatched > 0 {
		t.tb.AnalyticsEntriesDropped.Add(ctx, st.DroppedUnmatched, t.unmatched)
	}
	if st.DroppedInvalid > 0 {
		t.tb.AnalyticsEntriesDropped.Add(ctx, st.DroppedInvalid, t.invalid)
	}
	if st.DroppedDuplicate > 0 {
		t.tb.AnalyticsEntriesDropped.Add(ctx, st.DroppedDuplicate, t.duplicate)
	}
	if st.InvalidOverride > 0 {
		t.tb.AnalyticsInvalidOverrideValues.Add(ctx, st.InvalidOverride)
	}
	if st.CoercionFailed > 0 {
		t.tb.AnalyticsCoercionFailures.Add(ctx, st.CoercionFailed)
	}
	t.recordBytes(ctx, bytes)
}

// recordBytes counts bytes appended to the sink.
func (t *telemetry) recordBytes(ctx context.Context, bytes int) {
	if bytes > 0 {
		t.tb.AnalyticsBytesWritten.Add(ctx, int64(bytes))
	}
}

// sessionLines counts synthesized session_start and session_end lines.
func (t *telemetry) sessionLines(starts, ends int64) {
	if starts > 0 {
		t.tb.AnalyticsSessionsSynthesized.Add(t.background, starts, t.byType[0])
	}
	if ends > 0 {
		t.tb.AnalyticsSessionsSynthesized.Add(t.background, ends, t.byType[1])
	}
}

func (t *telemetry) shutdown() { t.tb.Shutdown() }

// sinkEvents turns what the sink does in the background into logs and
// telemetry. The logger already carries the configured directory.
type sinkEvents struct {
	tel    *telemetry
	logger *zap.Logger
}

var _ jsonl.Events = (*sinkEvents)(nil)

// Rotated counts a rotation and logs both file names.
func (ev *sinkEvents) Rotated(closedFile, newFile string) {
	ev.tel.tb.AnalyticsRotations.Add(ev.tel.background, 1)
	ev.logger.Info("Rotated analytics file", zap.String("closed_file", closedFile), zap.String("file", newFile))
}

// Compressed records the compression time, or counts and logs a failure.
func (ev *sinkEvents) Compressed(file string, inBytes, outBytes int64, took time.Duration, err error) {
	if err != nil {
		ev.tel.tb.AnalyticsCompressionFailures.Add(ev.tel.background, 1)
		ev.logger.Error("Compressing analytics file failed; the plain file is kept",
			zap.String("file", file), zap.Error(err))
		return
	}
	ev.tel.tb.AnalyticsCompressionDuration.Record(ev.tel.background, took.Seconds())
	ev.logger.Debug("Compressed analytics file", zap.String("file", file),
		zap.Int64("in_bytes", inBytes), zap.Int64("out_bytes", outBytes), zap.Duration("took", took))
}

// Removed logs a data file removed by retention or start-up recovery.
func (ev *sinkEvents) Removed(file, reason string) {
	ev.logger.Info("Removed analytics file", zap.String("file", file), zap.String("reason", reason))
}
