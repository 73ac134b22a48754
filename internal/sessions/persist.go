package sessions

import (
	"context"
	"fmt"
	"strings"
)

// Store is the part of a Collector storage client
// (go.opentelemetry.io/collector/extension/xextension/storage.Client) the
// tracker uses; a storage.Client satisfies it.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte) error
}

// Persist writes the open spans to the Store as one snapshot under StoreKey.
// It does nothing without a Store or when no span changed since the last
// successful Persist, so the exporter can call it from its ticker. A snapshot
// costs about 60 bytes plus the strings per open span.
func (t *Tracker) Persist(ctx context.Context) error {
	if t.store == nil {
		return nil
	}
	t.persistMu.Lock()
	defer t.persistMu.Unlock()
	if !t.force && !t.anyDirty() {
		return nil
	}
	buf := appendSnapshot(t.snapshotBuf[:0], t)
	t.snapshotBuf = buf
	if err := t.store.Set(ctx, t.key, buf); err != nil {
		t.force = true
		return fmt.Errorf("sessions: persist to storage key %q: %w", t.key, err)
	}
	t.force = false
	return nil
}

func (t *Tracker) anyDirty() bool {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		d := sh.dirty
		sh.mu.Unlock()
		if d {
			return true
		}
	}
	return false
}

// Load resumes the open spans of the snapshot in the Store (call it once, at
// Start, before the first Commit). No Store or no snapshot is not an error.
// A snapshot that cannot be decoded is ignored whole and reported. Spans
// beyond MaxTracked are closed; their session_end lines wait in the outbox
// (Drain).
func (t *Tracker) Load(ctx context.Context) error {
	if t.store == nil {
		return nil
	}
	t.persistMu.Lock()
	defer t.persistMu.Unlock()
	data, err := t.store.Get(ctx, t.key)
	if err != nil {
		return fmt.Errorf("sessions: load storage key %q: %w", t.key, err)
	}
	if data == nil {
		return nil
	}
	spans, err := decodeSnapshot(data)
	if err != nil {
		return fmt.Errorf("sessions: load storage key %q: %w", t.key, err)
	}
	var lines []byte
	now := t.now().UnixNano()
	for _, s := range spans {
		sh := t.shard(s.id)
		sh.mu.Lock()
		lines = sh.restore(lines, s, now)
		sh.mu.Unlock()
	}
	if len(lines) > 0 {
		t.Requeue(lines)
	}
	return nil
}

// restore links a loaded span as the most recently seen open span, unless
// the id is already open.
func (sh *shard) restore(dst []byte, s *session, now int64) []byte {
	if old := sh.byID[s.id]; old != nil {
		if old.closed == reasonOpen {
			return dst
		}
		sh.forget(old)
	}
	if sh.nOpen >= sh.limit {
		sh.stats.EndedMaxTracked++
		dst = sh.closeSpan(dst, sh.open.prev, now, reasonMaxTracked)
	}
	s.id = strings.Clone(s.id)
	sh.byID[s.id] = s
	pushFront(&sh.open, s)
	sh.nOpen++
	return dst
}

// Shutdown ends the tracker's run. With a Store it persists the open spans
// (they go on after the restart) and appends nothing; without one, or when
// persisting fails, it closes every open span like CloseAll. The error is
// the persist error.
func (t *Tracker) Shutdown(ctx context.Context, dst []byte) ([]byte, error) {
	if t.store == nil {
		return t.CloseAll(dst), nil
	}
	t.persistMu.Lock()
	t.force = true
	t.persistMu.Unlock()
	if err := t.Persist(ctx); err != nil {
		return t.CloseAll(dst), err
	}
	return dst, nil
}
