package analyticsexporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// errNotStarted is returned by an export before Start or after Shutdown.
var errNotStarted = errors.New("analytics exporter is not started")

// analyticsExporter is one pipeline's (logs or metrics) view of an exporter
// ID. Its pipelines share the sink through the sinks registry.
type analyticsExporter struct {
	cfg       *Config
	set       exporter.Settings
	telemetry *telemetry
	conv      *convert.Converter

	// mu orders the start of an export against Shutdown: once stopping is
	// set no export begins, and Shutdown waits on inflight for the ones
	// that did before it gives the sink back.
	mu       sync.Mutex
	stopping bool
	inflight sync.WaitGroup
	shared   atomic.Pointer[sharedSink] // nil before Start and after Shutdown
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newExporter(set, c)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs, helperOptions(c, e, e.start)...)
}

func createMetrics(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
	c := cfg.(*Config)
	e, err := newExporter(set, c)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewMetrics(ctx, set, cfg, e.pushMetrics, helperOptions(c, e, e.start)...)
}

func helperOptions(c *Config, e *analyticsExporter, start component.StartFunc) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithQueue(c.QueueConfig),
		exporterhelper.WithStart(start),
		exporterhelper.WithShutdown(e.shutdown),
	}
}

func newExporter(set exporter.Settings, cfg *Config) (*analyticsExporter, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("creating analytics exporter telemetry: %w", err)
	}
	e := &analyticsExporter{cfg: cfg, set: set, telemetry: tel}
	if e.conv, err = convert.New(convertOptions(cfg)); err != nil {
		return nil, err
	}
	return e, nil
}

func convertOptions(cfg *Config) convert.Options {
	opts := convert.Options{
		TypeAttribute:       cfg.TypeAttribute,
		BuiltinRules:        cfg.BuiltinRules,
		Unmatched:           cfg.Unmatched,
		SessionIDAttributes: cfg.SessionIDAttributes,
		UserIDAttributes:    cfg.UserIDAttributes,
		IncludeBuckets:      cfg.Metrics.IncludeBuckets,
		Privacy:             cfg.Privacy.options(),
	}
	for _, r := range cfg.Rules {
		opts.Rules = append(opts.Rules, convert.Rule{
			Event:       r.Match.Event,
			Metric:      r.Match.Metric,
			Span:        r.Match.Span,
			SeverityMin: plog.SeverityNumber(r.Match.SeverityMin),
			Attributes:  r.Match.Attributes,
			Type:        r.Type,
			Fields:      r.Fields,
		})
	}
	return opts
}

// sinkOptions maps the config to the sink's options. The modes were checked
// by Validate; a bad one here means Validate was skipped.
func sinkOptions(cfg *Config) (jsonl.Options, error) {
	fileMode, dirMode, err := cfg.modes()
	if err != nil {
		return jsonl.Options{}, err
	}
	return jsonl.Options{
		MaxBytes:    cfg.Rotation.maxBytes(),
		MaxFiles:    cfg.Rotation.MaxFiles,
		MaxAge:      cfg.Rotation.MaxAge,
		Interval:    cfg.Rotation.Interval,
		Compression: cfg.Compression,
		Fsync:       cfg.Fsync,
		FileMode:    fileMode,
		DirMode:     dirMode,
	}, nil
}

func (e *analyticsExporter) start(ctx context.Context, host component.Host) error {
	shared, err := sinks.acquire(e.set.ID, e.cfg.Directory, func() (*sharedSink, error) { return e.open(ctx, host) })
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.shared.Store(shared)
	e.stopping = false
	e.mu.Unlock()
	return nil
}

// open opens the sink of this exporter ID; called by the first pipeline of
// the ID to start. Sink events go to that pipeline's logger and telemetry.
func (e *analyticsExporter) open(ctx context.Context, host component.Host) (*sharedSink, error) {
	opts, err := sinkOptions(e.cfg)
	if err != nil {
		return nil, err
	}
	logger := e.set.Logger.With(zap.String("directory", e.cfg.Directory))
	opts.Events = &sinkEvents{tel: e.telemetry, logger: logger}
	sink, err := jsonl.Open(e.cfg.Directory, opts)
	if err != nil {
		return nil, fmt.Errorf("directory: cannot write analytics files to %q: %w", e.cfg.Directory, err)
	}
	s := &sharedSink{sink: sink, deltas: deltas.New(deltas.DefaultMaxStreams), joins: newJoinStore(e.cfg)}
	if e.cfg.Sessions.Enabled {
		if err = e.startSessions(ctx, host, s); err != nil {
			return nil, errors.Join(err, sink.Close())
		}
	}
	logger.Info("Analytics sink opened", zap.String("data_directory", sink.Dir()))
	if e.cfg.Privacy.identitiesDropped() {
		logger.Info("Identity attributes (user.email and the like) are dropped: privacy::hash_key is empty")
	}
	return s, nil
}

func (e *analyticsExporter) startSessions(ctx context.Context, host component.Host, s *sharedSink) error {
	write := func(lines []byte) error {
		if err := s.sink.Append(lines); err != nil {
			return err
		}
		e.telemetry.recordBytes(len(lines))
		return nil
	}
	tracker := newSessionsAdapter(e.set.ID, e.cfg.Sessions, e.set.TelemetrySettings, e.telemetry, write)
	if err := tracker.Start(ctx, host); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	s.sessions = tracker
	return nil
}

func (e *analyticsExporter) shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.stopping = true
	e.mu.Unlock()
	e.inflight.Wait()
	var err error
	if shared := e.shared.Swap(nil); shared != nil {
		err = sinks.release(ctx, shared)
	}
	return err
}

// begin registers an export in flight and returns the sink it writes to;
// nil when the exporter is not started or is shutting down. The caller
// calls e.inflight.Done when it is finished.
func (e *analyticsExporter) begin() *sharedSink {
	e.mu.Lock()
	defer e.mu.Unlock()
	shared := e.shared.Load()
	if shared == nil || e.stopping {
		return nil
	}
	e.inflight.Add(1)
	return shared
}

func (e *analyticsExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	return e.push(ctx, false, func(dst []byte, st *convert.Stats, obs convert.Observer, _ *deltas.Lazy, jb *convert.JoinBatch) []byte {
		return e.conv.AppendLogsJoined(dst, ld, st, obs, jb)
	})
}

func (e *analyticsExporter) pushMetrics(ctx context.Context, md pmetric.Metrics) error {
	return e.push(ctx, false, func(dst []byte, st *convert.Stats, obs convert.Observer, cum *deltas.Lazy, jb *convert.JoinBatch) []byte {
		return e.conv.AppendMetricsJoined(dst, md, st, obs, cum, jb)
	})
}

// convertFunc converts one export's batch into dst, showing each record to
// obs (the session tracker's batch, or nil), turning cumulative points
// into increments with cum and joining calls sent in two signals with jb
// (nil without a traces pipeline).
type convertFunc func(dst []byte, st *convert.Stats, obs convert.Observer, cum *deltas.Lazy, jb *convert.JoinBatch) []byte

// push is one export: conv converts the batch, and write writes it. spans:
// the batch is a traces export (it always takes part in the joins).
func (e *analyticsExporter) push(ctx context.Context, spans bool, conv convertFunc) error {
	shared := e.begin()
	if shared == nil {
		return errNotStarted
	}
	defer e.inflight.Done()
	buf := getBuffer()
	defer putBuffer(buf)
	var st convert.Stats
	batch := shared.batch()
	if batch != nil {
		defer batch.Release()
	}
	cum := deltas.Lazy{T: shared.deltas}
	var jb *convert.JoinBatch
	if spans {
		jb = shared.joins.Begin()
	} else {
		jb = shared.joinBatch()
	}
	*buf = conv((*buf)[:0], &st, observerOf(batch), &cum, jb)
	err := e.write(ctx, shared, buf, &st, batch, jb)
	// Cumulative increments become the streams' state only once written:
	// a retry computes the same ones again.
	cum.End(err == nil)
	return err
}

// write appends the converted batch with one Append, so it lands whole or
// not at all. A failed Append is returned as a plain (retryable) error: the
// retry converts the data again and writes it whole. Telemetry and the
// session tracker count only what was written, so retries do not count
// twice: the batch's entries are committed to the tracker after the Append.
// jb (nil = none), the export's join batch, is committed once the batch is
// written (also when it wrote nothing: its holds are held then) and
// aborted when it is not.
func (e *analyticsExporter) write(ctx context.Context, shared *sharedSink, buf *[]byte, st *convert.Stats, batch sessionBatch, jb *convert.JoinBatch) error {
	converted := len(*buf)
	tracker := shared.sessions
	if tracker != nil {
		*buf = tracker.AppendPending(*buf)
	}
	if len(*buf) > 0 {
		if err := shared.sink.Append(*buf); err != nil {
			if tracker != nil {
				tracker.Requeue((*buf)[converted:])
			}
			jb.Abort()
			return fmt.Errorf("writing %d bytes of analytics entries to %q: %w", len(*buf), shared.sink.Dir(), err)
		}
	}
	jb.Commit(st)
	e.telemetry.record(ctx, st, len(*buf))
	if batch != nil {
		e.commitSessions(shared, batch, buf)
	}
	return nil
}

// commitSessions records a written batch in the session tracker and writes
// the lines that causes (synthesized session_start, max_tracked ends) with
// a second Append, reusing buf. The batch itself is already written, so a
// failure here is not the export's: the lines go back to the tracker's
// outbox, which the ticker and the next export write.
func (e *analyticsExporter) commitSessions(shared *sharedSink, batch sessionBatch, buf *[]byte) {
	*buf = batch.Commit((*buf)[:0])
	if len(*buf) == 0 {
		return
	}
	if err := shared.sink.Append(*buf); err != nil {
		shared.sessions.Requeue(*buf)
		e.set.Logger.Warn("Writing synthesized session lines failed; they are written with the next write",
			zap.String("directory", shared.sink.Dir()), zap.Error(err))
		return
	}
	e.telemetry.recordBytes(len(*buf))
}

// maxPooledBuffer keeps one huge batch from pinning its buffer forever.
const maxPooledBuffer = 4 << 20

var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		bufferPool.Put(b)
	}
}
