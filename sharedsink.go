package analyticsexporter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"go.opentelemetry.io/collector/component"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// sinks holds the open sink of every started exporter ID. The usual config
// puts one exporter in a logs and a metrics pipeline; both must write
// through one sink, because the sink holds the directory lock.
var sinks = &sinkRegistry{byID: map[component.ID]*sharedSink{}}

// sinkRegistry is a reference-counted map from exporter ID to its sink: the
// first Start opens it, the last Shutdown closes it.
type sinkRegistry struct {
	mu   sync.Mutex
	byID map[component.ID]*sharedSink
}

// sharedSink is what the pipelines of one exporter ID share.
type sharedSink struct {
	id   component.ID
	dir  string // the configured directory, as given
	sink *jsonl.Sink
	refs int // guarded by sinkRegistry.mu

	// sessions is the session tracker (sessionsAdapter): nil means no
	// session lifecycle is synthesized. It is per ID, not per pipeline, so
	// a session seen in logs and metrics is one session.
	sessions sessionTracker
	// deltas remembers the last point of every cumulative stream, per ID:
	// a stream's points may come through any pipeline of the ID.
	deltas *deltas.Table
	// joins remembers, per ID, the calls written from one signal that
	// another repeats, the sessions of traces, and the held entries; spans
	// writes them (started by the ID's traces pipeline).
	joins *convert.JoinStore
	spans spanFlusher
}

// batch returns the session observer of one export; nil without sessions.
func (s *sharedSink) batch() sessionBatch {
	if s.sessions == nil {
		return nil
	}
	return s.sessions.Batch()
}

// acquire returns the sink of id, opening it with open when no exporter of
// id holds it yet. The pipelines of one ID share one config, so a second
// directory for a held ID means two configs live at once; that is refused
// rather than silently writing to the first directory.
func (r *sinkRegistry) acquire(id component.ID, dir string, open func() (*sharedSink, error)) (*sharedSink, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.byID[id]; ok {
		if s.dir != dir {
			return nil, fmt.Errorf("directory: exporter %s already writes to %q, cannot also use %q", id, s.dir, dir)
		}
		s.refs++
		return s, nil
	}
	s, err := open()
	if err != nil {
		// The directory lock refuses a second sink on one directory
		// however it is spelt; when the holder is in this Collector,
		// say which exporter it is.
		if other, ok := r.holder(dir); ok && errors.Is(err, jsonl.ErrLocked) {
			return nil, fmt.Errorf("directory: %q is already used by exporter %s in this Collector; every analytics exporter needs a directory of its own", dir, other)
		}
		return nil, err
	}
	s.id, s.dir, s.refs = id, dir, 1
	r.byID[id] = s
	return s, nil
}

// holder returns the exporter ID whose directory is dir (the same
// directory on disk: a path spelt otherwise or reached through a symlink
// counts). The caller holds r.mu.
func (r *sinkRegistry) holder(dir string) (component.ID, bool) {
	want, err := os.Stat(dir)
	if err != nil {
		return component.ID{}, false
	}
	for id, s := range r.byID {
		if have, err := os.Stat(s.dir); err == nil && os.SameFile(have, want) {
			return id, true
		}
	}
	return component.ID{}, false
}

// release drops one reference; the last one ends the sessions and closes
// the sink. The caller has already drained its own in-flight exports. The
// close happens under the registry lock so that a new Start of the same ID
// (a config reload) finds the directory lock released.
func (r *sinkRegistry) release(ctx context.Context, s *sharedSink) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.refs--
	if s.refs > 0 {
		return nil
	}
	delete(r.byID, s.id)
	errs := s.spans.shutdown(ctx, s)
	if s.sessions != nil {
		errs = errors.Join(errs, s.sessions.Shutdown(ctx))
	}
	if err := s.sink.Close(); err != nil {
		errs = errors.Join(errs, fmt.Errorf("closing analytics sink in %q: %w", s.sink.Dir(), err))
	}
	return errs
}

// sessionTracker is what the exporter needs of the session tracker
// (sessionsAdapter in sessions.go). The exporter calls it like this:
//   - Start: after the sink is open, with the host (for sessions.storage).
//   - Batch: once per export, for the convert.Observer of that export. The
//     observer decides during conversion which entries to keep (a duplicate
//     session_start/session_end is cut out) without changing the tracker.
//   - AppendPending: after conversion and before the one Append, so lines
//     an earlier write could not deliver go out with this batch.
//   - Requeue: with the lines AppendPending added when that Append failed.
//   - sessionBatch.Commit: only after the Append succeeded; the tracker
//     records the batch's entries then (so a retried export counts once)
//     and the lines they cause (synthesized session_start, max_tracked
//     ends) are written right away with a second Append, requeued if that
//     fails.
//   - Shutdown: when the last pipeline of the ID shuts down, before the sink
//     closes; it writes its final lines through write.
//
// Idle sessions that end while no export arrives are written through the
// write function given to newSessionsAdapter (one Append per call).
type sessionTracker interface {
	Start(ctx context.Context, host component.Host) error
	Batch() sessionBatch
	AppendPending(dst []byte) []byte
	Requeue(lines []byte)
	Shutdown(ctx context.Context) error
}

// sessionBatch is what one export tells the tracker: the converter's
// per-call Observer, then Commit after a successful write, then Release.
type sessionBatch interface {
	convert.Observer
	// Commit records the batch's entries and appends the lines they cause.
	Commit(dst []byte) []byte
	// Release ends the batch (committed or not); it must not be used after.
	Release()
}
