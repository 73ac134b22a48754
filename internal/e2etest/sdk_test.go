package e2etest

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// app is an instrumented application: the OTel Go SDK with its OTLP/gRPC log
// and metric exporters, shaped like Claude Code's telemetry (resource
// service.name=claude-code, events as log records with body
// "claude_code.<name>" and attribute event.name=<name>, numbers as strings,
// session.id and user.id on every record and data point).
type app struct {
	logs    *sdklog.LoggerProvider
	metrics *sdkmetric.MeterProvider
	logger  otellog.Logger
	meter   metric.Meter

	sessionID, userID string
	errs              *errorRecorder
}

// errorRecorder collects what the SDK reports to the global error handler:
// export failures that Emit cannot return.
type errorRecorder struct {
	mu   sync.Mutex
	errs []error
}

func (r *errorRecorder) Handle(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *errorRecorder) all() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// newApp connects the SDK to the Collector at grpcAddr. Retries are off so
// that a refused export fails the test at once instead of being retried.
func newApp(t *testing.T, grpcAddr, sessionID, userID string) *app {
	t.Helper()
	ctx := context.Background()
	rec := &errorRecorder{}
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(rec)
	t.Cleanup(func() { otel.SetErrorHandler(prev) })

	res := resource.NewSchemaless(
		attribute.String("service.name", "claude-code"),
		attribute.String("service.version", "2.1.230"),
		attribute.String("os.type", "linux"),
	)
	logExp, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(grpcAddr), otlploggrpc.WithInsecure(),
		otlploggrpc.WithRetry(otlploggrpc.RetryConfig{Enabled: false}))
	if err != nil {
		t.Fatal(err)
	}
	metricExp, err := otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(grpcAddr), otlpmetricgrpc.WithInsecure(),
		otlpmetricgrpc.WithRetry(otlpmetricgrpc.RetryConfig{Enabled: false}),
		otlpmetricgrpc.WithTemporalitySelector(sdkmetric.DeltaTemporalitySelector))
	if err != nil {
		t.Fatal(err)
	}
	a := &app{
		logs: sdklog.NewLoggerProvider(sdklog.WithResource(res),
			sdklog.WithProcessor(sdklog.NewBatchProcessor(logExp, sdklog.WithExportInterval(time.Hour)))),
		// The reader exports on ForceFlush only: the test decides when.
		metrics: sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExp, sdkmetric.WithInterval(time.Hour)))),
		sessionID: sessionID,
		userID:    userID,
		errs:      rec,
	}
	a.logger = a.logs.Logger("com.anthropic.claude_code.events", otellog.WithInstrumentationVersion("2.1.230"))
	a.meter = a.metrics.Meter("com.anthropic.claude_code", metric.WithInstrumentationVersion("2.1.230"))
	return a
}

// event emits one Claude Code event with string-valued attributes.
func (a *app) event(ctx context.Context, at time.Time, name string, kv ...string) {
	var r otellog.Record
	r.SetTimestamp(at)
	r.SetObservedTimestamp(at)
	r.SetSeverity(otellog.SeverityInfo)
	r.SetSeverityText("Info")
	r.SetBody(attribute.StringValue("claude_code." + name))
	r.AddAttributes(
		attribute.String("event.name", name),
		attribute.String("event.timestamp", at.UTC().Format(time.RFC3339Nano)),
		attribute.String("session.id", a.sessionID),
		attribute.String("user.id", a.userID),
	)
	for i := 0; i+1 < len(kv); i += 2 {
		r.AddAttributes(attribute.String(kv[i], kv[i+1]))
	}
	a.logger.Emit(ctx, r)
}

// count adds to a Claude Code counter.
func (a *app) count(ctx context.Context, name, unit string, v int64, kv ...string) error {
	c, err := a.meter.Int64Counter(name, metric.WithUnit(unit))
	if err != nil {
		return err
	}
	attrs := []attribute.KeyValue{
		attribute.String("session.id", a.sessionID),
		attribute.String("user.id", a.userID),
	}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs = append(attrs, attribute.String(kv[i], kv[i+1]))
	}
	c.Add(ctx, v, metric.WithAttributes(attrs...))
	return nil
}

// flush exports everything emitted so far and returns the first error of
// the exports (what ForceFlush returns, then what the SDK reported).
func (a *app) flush(ctx context.Context) error {
	if err := a.logs.ForceFlush(ctx); err != nil {
		return err
	}
	if err := a.metrics.ForceFlush(ctx); err != nil {
		return err
	}
	if errs := a.errs.all(); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// shutdown stops both providers (and their exporters' connections).
func (a *app) shutdown(ctx context.Context) error {
	lerr := a.logs.Shutdown(ctx)
	merr := a.metrics.Shutdown(ctx)
	if lerr != nil {
		return lerr
	}
	return merr
}
