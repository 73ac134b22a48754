package analyticsexporter

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
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

	// sessions is the seam for issue 7 (internal/sessions): nil means no
	// session lifecycle is synthesized. It is per ID, not per pipeline, so
	// a session seen in logs and metrics is one session.
	sessions sessionTracker
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
		return nil, err
	}
	s.id, s.dir, s.refs = id, dir, 1
	r.byID[id] = s
	return s, nil
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
	var errs error
	if s.sessions != nil {
		errs = s.sessions.Shutdown(ctx)
	}
	if err := s.sink.Close(); err != nil {
		errs = errors.Join(errs, fmt.Errorf("closing analytics sink in %q: %w", s.sink.Dir(), err))
	}
	return errs
}

// sessionTracker is the seam where internal/sessions (issue 7) plugs in.
// The exporter calls it like this:
//   - Start: after the sink is open, with the host (for sessions.storage).
//   - Observe: for every entry the converter builds (convert.Options.Observe);
//     lines it synthesizes wait in the tracker for AppendPending.
//   - AppendPending: in every export, after conversion and before the one
//     Append, so synthesized session_start/session_end lines land in the
//     same batch as the records that caused them.
//   - Requeue: with the lines AppendPending added when that Append failed,
//     so a failed write loses no synthesized line (the retry rewrites them).
//   - Shutdown: when the last pipeline of the ID shuts down, before the sink
//     closes; it writes its final lines through write.
//
// Idle sessions that end while no export arrives are written through the
// write function given to newSessionTracker (one Append per call). A
// *sessions.Tracker fits behind a small adapter: AppendPending is Drain,
// Requeue is Requeue, Observe calls Observe and Requeues what it appends.
type sessionTracker interface {
	Start(ctx context.Context, host component.Host) error
	Observe(info *convert.EntryInfo)
	AppendPending(dst []byte) []byte
	Requeue(lines []byte)
	Shutdown(ctx context.Context) error
}

// newSessionTracker builds the tracker of one exporter ID. nil (today) means
// sessions are not tracked even when sessions.enabled is true; the lead sets
// it when internal/sessions lands.
var newSessionTracker func(cfg SessionsConfig, set component.TelemetrySettings, write func([]byte) error) (sessionTracker, error)
