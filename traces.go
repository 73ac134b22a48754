package analyticsexporter

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
)

func createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c := cfg.(*Config)
	e, err := newExporter(set, c)
	if err != nil {
		return nil, err
	}
	// The traces pipeline also starts the ID's flusher of held entries.
	return exporterhelper.NewTraces(ctx, set, cfg, e.pushTraces, helperOptions(c, e, e.startTraces)...)
}

// startTraces starts the exporter as any pipeline does, then turns the
// ID's span handling on: from now on logs and metrics of the ID take part
// in the joins, and the flusher writes held entries.
func (e *analyticsExporter) startTraces(ctx context.Context, host component.Host) error {
	if err := e.start(ctx, host); err != nil {
		return err
	}
	e.shared.Load().spans.start(e)
	return nil
}

func (e *analyticsExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	return e.push(ctx, true, func(dst []byte, st *convert.Stats, obs convert.Observer, _ *deltas.Lazy, jb *convert.JoinBatch) []byte {
		return e.conv.AppendTracesObserved(dst, td, st, obs, jb)
	})
}

// joinBatch returns the join batch of a logs or metrics export: nil unless
// a traces pipeline of the ID runs (without spans there is nothing to join).
func (s *sharedSink) joinBatch() *convert.JoinBatch {
	if !s.spans.on.Load() {
		return nil
	}
	return s.joins.Begin()
}

// observerOf returns batch as a convert.Observer, nil without sessions (a
// nil sessionBatch in the interface would not be nil).
func observerOf(batch sessionBatch) convert.Observer {
	if batch == nil {
		return nil
	}
	return batch
}

// newJoinStore builds the ID's join store from the traces section; join
// keys and trace sessions are remembered as long as an idle session.
func newJoinStore(cfg *Config) *convert.JoinStore {
	remember := cfg.Sessions.IdleTimeout
	if remember <= 0 {
		remember = convert.DefaultRemember
	}
	return convert.NewJoinStore(convert.JoinOptions{
		Wait:          cfg.Traces.SessionWait,
		Remember:      remember,
		MaxRemembered: cfg.Traces.MaxRemembered,
		MaxHeld:       cfg.Traces.MaxHeld,
		MaxHeldBytes:  int(cfg.Traces.MaxHeldMegabytes * (1 << 20)),
	})
}

// spanFlusher writes the ID's held entries when they are due: a goroutine
// started by the first traces pipeline of the ID, ticking every
// flushPeriod and woken when entries are due early; stopped, with every
// held entry written, when the sink is released.
type spanFlusher struct {
	on   atomic.Bool
	once sync.Once
	mu   sync.Mutex
	e    *analyticsExporter // the traces pipeline that started it
	stop context.CancelFunc
	done chan struct{}
}

// flushPeriod is how often held entries are looked at: a tenth of the
// wait, between 50 ms and a second.
func flushPeriod(wait time.Duration) time.Duration {
	return min(max(wait/10, 50*time.Millisecond), time.Second)
}

func (f *spanFlusher) start(e *analyticsExporter) {
	f.once.Do(func() {
		shared := e.shared.Load()
		ctx, stop := context.WithCancel(context.Background())
		f.mu.Lock()
		f.e, f.stop, f.done = e, stop, make(chan struct{})
		f.mu.Unlock()
		f.on.Store(true)
		go f.run(ctx, shared, flushPeriod(e.cfg.Traces.SessionWait))
	})
}

func (f *spanFlusher) run(ctx context.Context, shared *sharedSink, every time.Duration) {
	defer close(f.done)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-shared.joins.Wake():
		}
		if err := f.e.flushHeld(ctx, shared, false); err != nil {
			f.e.set.Logger.Warn("Writing held span entries failed; they are written with the next try", zap.Error(err))
		}
	}
}

// shutdown stops the flusher and writes every held entry (before the
// sessions end, so they count in their session_end).
func (f *spanFlusher) shutdown(ctx context.Context, shared *sharedSink) error {
	f.mu.Lock()
	e, stop, done := f.e, f.stop, f.done
	f.mu.Unlock()
	if e == nil {
		return nil
	}
	stop()
	<-done
	var errs error
	// A failed write leaves them held; try a few times, then give up.
	for range 3 {
		err := e.flushHeld(ctx, shared, true)
		if err == nil {
			return nil
		}
		errs = errors.Join(errs, err)
	}
	return errs
}

// flushHeld writes the held entries that are due (all: every one) as one
// export would: observed by the session tracker, committed in the join
// store once written, given back if the write fails.
func (e *analyticsExporter) flushHeld(ctx context.Context, shared *sharedSink, all bool) error {
	jb := shared.joins.TakeDue(all)
	if jb == nil {
		return nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	var st convert.Stats
	batch := shared.batch()
	if batch != nil {
		defer batch.Release()
	}
	*buf = jb.AppendTaken((*buf)[:0], observerOf(batch), &st)
	return e.write(ctx, shared, buf, &st, batch, jb)
}
