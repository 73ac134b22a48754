package sessions

import (
	"bytes"
	"context"
	"errors"
	"time"
)

// Requeue keeps lines (whole synthesized lines, for example those of a batch
// the sink failed to write) for the next Drain, so a failed write does not
// lose a session_start or session_end. Safe for concurrent use.
func (t *Tracker) Requeue(lines []byte) {
	if len(lines) == 0 {
		return
	}
	t.outMu.Lock()
	defer t.outMu.Unlock()
	if len(t.outbox)+len(lines) > t.maxOut {
		t.outDrops += int64(bytes.Count(lines, []byte{'\n'}))
		return
	}
	t.outbox = append(t.outbox, lines...)
	t.outLen.Store(int64(len(t.outbox)))
}

// Drain appends the lines waiting in the outbox to dst and empties it. It
// costs one atomic load when the outbox is empty, so the exporter can call it
// for every batch.
func (t *Tracker) Drain(dst []byte) []byte {
	if t.outLen.Load() == 0 {
		return dst
	}
	t.outMu.Lock()
	defer t.outMu.Unlock()
	dst = append(dst, t.outbox...)
	t.outbox = t.outbox[:0]
	t.outLen.Store(0)
	return dst
}

// Tick is one run of the exporter's ticker: it closes the spans idle at now
// and writes their session_end lines, with whatever waits in the outbox, in
// one call of write (on error the lines go back to the outbox). With a Store
// it then persists the open spans when they changed and PersistInterval has
// passed since the last Tick that persisted. It returns the write and
// persist errors.
func (t *Tracker) Tick(ctx context.Context, now time.Time, write func([]byte) error) error {
	lines := t.Drain(t.Expire(nil, now))
	var errs error
	if len(lines) > 0 {
		if err := write(lines); err != nil {
			t.Requeue(lines)
			errs = err
		}
	}
	if t.store != nil && now.Sub(t.lastPersistTime()) >= t.every {
		if err := t.Persist(ctx); err != nil {
			errs = errors.Join(errs, err)
		} else {
			t.persistMu.Lock()
			t.lastPersist = now
			t.persistMu.Unlock()
		}
	}
	return errs
}

func (t *Tracker) lastPersistTime() time.Time {
	t.persistMu.Lock()
	defer t.persistMu.Unlock()
	return t.lastPersist
}
