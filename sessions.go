package analyticsexporter

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/sessions"
)

// sessionsAdapter puts a *sessions.Tracker behind the sessionTracker interface:
// one per exporter ID, shared by its logs and metrics pipelines. It owns the
// ticker goroutine that ends idle sessions and, with sessions.storage, the
// storage client the open sessions are saved to.
type sessionsAdapter struct {
	id     component.ID
	cfg    SessionsConfig
	logger *zap.Logger
	tel    *telemetry
	write  func([]byte) error
	tr     *sessions.Tracker
	client storage.Client     // nil without sessions.storage
	stop   context.CancelFunc // ends the ticker goroutine
	done   chan struct{}
	pool   sync.Pool // of *trackerBatch

	reportMu sync.Mutex
	reported sessions.Stats // what report already counted
}

// newSessionsAdapter builds the tracker of the exporter id. write appends to
// the ID's sink (and counts the bytes in tel).
func newSessionsAdapter(id component.ID, cfg SessionsConfig, set component.TelemetrySettings, tel *telemetry, write func([]byte) error) *sessionsAdapter {
	a := &sessionsAdapter{id: id, cfg: cfg, logger: set.Logger, tel: tel, write: write}
	a.pool.New = func() any { return &trackerBatch{a: a} }
	return a
}

// tickPeriod is how often the ticker looks for idle sessions: a tenth of
// idle_timeout, between a second and a minute, so an idle session_end is
// written at most that long after the timeout.
func tickPeriod(idle time.Duration) time.Duration {
	return min(max(idle/10, time.Second), time.Minute)
}

// Start opens the storage client (sessions.storage), resumes the persisted
// sessions and starts the ticker.
func (a *sessionsAdapter) Start(ctx context.Context, host component.Host) error {
	opts := sessions.Options{IdleTimeout: a.cfg.IdleTimeout, MaxTracked: a.cfg.MaxTracked}
	if a.cfg.Storage != nil {
		client, err := storageClient(ctx, host, *a.cfg.Storage, a.id)
		if err != nil {
			return err
		}
		a.client, opts.Store = client, client
	}
	a.tr = sessions.New(opts)
	if err := a.tr.Load(ctx); err != nil {
		// An unreadable snapshot costs the resumed sessions a second
		// session_start, not the exporter its start.
		a.logger.Warn("Cannot resume the persisted sessions; they start over", zap.Error(err))
	}
	idle := a.cfg.IdleTimeout
	if idle <= 0 {
		idle = sessions.DefaultIdleTimeout
	}
	// The ticker outlives Start: its context keeps ctx's values, not its
	// deadline, and Shutdown cancels it.
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop, a.done = stop, make(chan struct{})
	go a.run(runCtx, tickPeriod(idle))
	return nil
}

// storageClient opens the client of the storage extension ext for the
// exporter owner; the client's key space is the exporter's own.
func storageClient(ctx context.Context, host component.Host, ext, owner component.ID) (storage.Client, error) {
	if host == nil {
		return nil, fmt.Errorf("storage: extension %q not found (no host)", ext)
	}
	c, ok := host.GetExtensions()[ext]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found", ext)
	}
	se, ok := c.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", ext)
	}
	client, err := se.GetClient(ctx, component.KindExporter, owner, "sessions")
	if err != nil {
		return nil, fmt.Errorf("storage: extension %q: %w", ext, err)
	}
	return client, nil
}

// run is the ticker goroutine: Tick ends the idle spans and writes their
// session_end lines with whatever waits in the outbox, and persists.
func (a *sessionsAdapter) run(ctx context.Context, every time.Duration) {
	defer close(a.done)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			if err := a.tr.Tick(ctx, now, a.write); err != nil {
				a.logger.Warn("Session lifecycle tick failed; its lines wait for the next write", zap.Error(err))
			}
			a.report()
		}
	}
}

// Batch returns the observer of one export (see trackerBatch).
func (a *sessionsAdapter) Batch() sessionBatch { return a.pool.Get().(*trackerBatch) }

// AppendPending appends the lines waiting in the tracker's outbox.
func (a *sessionsAdapter) AppendPending(dst []byte) []byte { return a.tr.Drain(dst) }

// Requeue gives lines that could not be written back to the outbox.
func (a *sessionsAdapter) Requeue(lines []byte) { a.tr.Requeue(lines) }

// Shutdown stops the ticker, then persists the open sessions (with storage)
// or ends them (without), and writes the final lines before the sink closes.
func (a *sessionsAdapter) Shutdown(ctx context.Context) error {
	a.stop()
	<-a.done
	lines, err := a.tr.Shutdown(ctx, nil)
	lines = a.tr.Drain(lines)
	if len(lines) > 0 {
		if werr := a.write(lines); werr != nil {
			err = errors.Join(err, fmt.Errorf("sessions: writing the final session lines: %w", werr))
		}
	}
	if a.client != nil {
		err = errors.Join(err, a.client.Close(ctx))
	}
	a.report()
	return err
}

// report adds the synthesized lines made since the last report to the
// telemetry (from the tracker's counters, so the hot path pays nothing).
func (a *sessionsAdapter) report() {
	s := a.tr.Stats()
	a.reportMu.Lock()
	starts, ends := s.StartsWritten-a.reported.StartsWritten, s.EndsWritten-a.reported.EndsWritten
	a.reported = s
	a.reportMu.Unlock()
	a.tel.sessionLines(starts, ends)
}

// trackerBatch is the per-export convert.Observer. While the batch is
// converted it asks the tracker, read-only, whether to keep each entry (a
// duplicate session_start/session_end is cut from the batch) and keeps the
// entries in its sessions.Batch; Commit records them once the batch was
// written, so a failed write that exporterhelper retries is recorded once,
// by the retry.
type trackerBatch struct {
	a     *sessionsAdapter
	batch sessions.Batch
}

// Entry implements convert.Observer.
func (b *trackerBatch) Entry(info *convert.EntryInfo) bool {
	return b.a.tr.Add(&b.batch, (*sessions.Entry)(info))
}

// Commit records the batch's entries, rejected ones too (they count as
// duplicates), in order, and appends the lines they cause to dst.
func (b *trackerBatch) Commit(dst []byte) []byte {
	return b.a.tr.Commit(dst, &b.batch)
}

// Release returns the batch to the pool, dropping its references into the
// export's pdata (Reset also frees a huge batch's memory).
func (b *trackerBatch) Release() {
	b.batch.Reset()
	b.a.pool.Put(b)
}
