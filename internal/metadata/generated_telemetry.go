// Code written by hand in the shape mdatagen v0.165.0 generates.

package metadata

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/embedded"
	"go.opentelemetry.io/otel/trace"

	"go.opentelemetry.io/collector/component"
)

// Meter returns the component's meter.
func Meter(settings component.TelemetrySettings) metric.Meter {
	return settings.MeterProvider.Meter(ScopeName)
}

// Tracer returns the component's tracer.
func Tracer(settings component.TelemetrySettings) trace.Tracer {
	return settings.TracerProvider.Tracer(ScopeName)
}

// TelemetryBuilder provides an interface for components to report telemetry
// as defined in metadata and user config.
type TelemetryBuilder struct {
	meter                          metric.Meter
	mu                             sync.Mutex
	registrations                  []metric.Registration
	AnalyticsAttributesRedacted    metric.Int64ObservableCounter
	AnalyticsBytesWritten          metric.Int64ObservableCounter
	AnalyticsCoercionFailures      metric.Int64Counter
	AnalyticsCompressionDuration   metric.Float64Histogram
	AnalyticsCompressionFailures   metric.Int64Counter
	AnalyticsEntriesDropped        metric.Int64ObservableCounter
	AnalyticsEntriesWritten        metric.Int64ObservableCounter
	AnalyticsInvalidOverrideValues metric.Int64Counter
	AnalyticsRotations             metric.Int64Counter
	AnalyticsSessionsSynthesized   metric.Int64Counter
}

// TelemetryBuilderOption applies changes to default builder.
type TelemetryBuilderOption interface {
	apply(*TelemetryBuilder)
}

type telemetryBuilderOptionFunc func(mb *TelemetryBuilder)

func (tbof telemetryBuilderOptionFunc) apply(mb *TelemetryBuilder) {
	tbof(mb)
}

// RegisterAnalyticsAttributesRedactedCallback sets callback for observable AnalyticsAttributesRedacted metric.
func (builder *TelemetryBuilder) RegisterAnalyticsAttributesRedactedCallback(cb metric.Int64Callback) error {
	return builder.register(builder.AnalyticsAttributesRedacted, cb)
}

// RegisterAnalyticsBytesWrittenCallback sets callback for observable AnalyticsBytesWritten metric.
func (builder *TelemetryBuilder) RegisterAnalyticsBytesWrittenCallback(cb metric.Int64Callback) error {
	return builder.register(builder.AnalyticsBytesWritten, cb)
}

// RegisterAnalyticsEntriesDroppedCallback sets callback for observable AnalyticsEntriesDropped metric.
func (builder *TelemetryBuilder) RegisterAnalyticsEntriesDroppedCallback(cb metric.Int64Callback) error {
	return builder.register(builder.AnalyticsEntriesDropped, cb)
}

// RegisterAnalyticsEntriesWrittenCallback sets callback for observable AnalyticsEntriesWritten metric.
func (builder *TelemetryBuilder) RegisterAnalyticsEntriesWrittenCallback(cb metric.Int64Callback) error {
	return builder.register(builder.AnalyticsEntriesWritten, cb)
}

// register is the body mdatagen repeats in every Register*Callback.
func (builder *TelemetryBuilder) register(inst metric.Int64Observable, cb metric.Int64Callback) error {
	reg, err := builder.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		return cb(ctx, &observerInt64{inst: inst, obs: o})
	}, inst)
	if err != nil {
		return err
	}
	builder.mu.Lock()
	defer builder.mu.Unlock()
	builder.registrations = append(builder.registrations, reg)
	return nil
}

type observerInt64 struct {
	embedded.Int64Observer
	inst metric.Int64Observable
	obs  metric.Observer
}

func (oi *observerInt64) Observe(value int64, opts ...metric.ObserveOption) {
	oi.obs.ObserveInt64(oi.inst, value, opts...)
}

// Shutdown unregister all registered callbacks for async instruments.
func (builder *TelemetryBuilder) Shutdown() {
	builder.mu.Lock()
	defer builder.mu.Unlock()
	for _, reg := range builder.registrations {
		reg.Unregister()
	}
}

// NewTelemetryBuilder provides a struct with methods to update all internal telemetry
// for a component
func NewTelemetryBuilder(settings component.TelemetrySettings, options ...TelemetryBuilderOption) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{}
	for _, op := range options {
		op.apply(&builder)
	}
	builder.meter = Meter(settings)
	var err, errs error
	builder.AnalyticsAttributesRedacted, err = builder.meter.Int64ObservableCounter(
		"otelcol_analytics_attributes_redacted",
		metric.WithDescription("Attribute values the privacy rules dropped, hashed or cut, by action, counted in the entries written. [Alpha]"),
		metric.WithUnit("{attribute}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsBytesWritten, err = builder.meter.Int64ObservableCounter(
		"otelcol_analytics_bytes_written",
		metric.WithDescription("Bytes of entry lines appended to the live file (before compression). [Alpha]"),
		metric.WithUnit("By"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsCoercionFailures, err = builder.meter.Int64Counter(
		"otelcol_analytics_coercion_failures",
		metric.WithDescription("Named fields that could not be coerced to their type and were written as they came. [Alpha]"),
		metric.WithUnit("{field}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsCompressionDuration, err = builder.meter.Float64Histogram(
		"otelcol_analytics_compression_duration",
		metric.WithDescription("Time spent compressing one rotated file. [Alpha]"),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries([]float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}...),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsCompressionFailures, err = builder.meter.Int64Counter(
		"otelcol_analytics_compression_failures",
		metric.WithDescription("Rotated files whose compression failed (the plain file is kept). [Alpha]"),
		metric.WithUnit("{file}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsEntriesDropped, err = builder.meter.Int64ObservableCounter(
		"otelcol_analytics_entries_dropped",
		metric.WithDescription("Records or data points not written, by reason (unmatched, invalid, duplicate, ignored, unchanged, no_session). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsEntriesWritten, err = builder.meter.Int64ObservableCounter(
		"otelcol_analytics_entries_written",
		metric.WithDescription("Analytics entries written, by entry type. [Alpha]"),
		metric.WithUnit("{entry}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsInvalidOverrideValues, err = builder.meter.Int64Counter(
		"otelcol_analytics_invalid_override_values",
		metric.WithDescription("Type override attributes whose value is not an entry type (resolution went on). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsRotations, err = builder.meter.Int64Counter(
		"otelcol_analytics_rotations",
		metric.WithDescription("Live files closed and replaced by a new one. [Alpha]"),
		metric.WithUnit("{rotation}"),
	)
	errs = errors.Join(errs, err)
	builder.AnalyticsSessionsSynthesized, err = builder.meter.Int64Counter(
		"otelcol_analytics_sessions_synthesized",
		metric.WithDescription("Session lifecycle lines the exporter synthesized, by entry type (session_start, session_end). [Alpha]"),
		metric.WithUnit("{entry}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
