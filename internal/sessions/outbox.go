package sessions

import "bytes"

// maxOutbox bounds the bytes waiting in the outbox; lines beyond it are
// dropped and counted (Stats.OutboxDropped).
const maxOutbox = 4 << 20

// Requeue keeps lines (whole synthesized lines, for example those of a batch
// the sink failed to write) for the next Drain, so a failed write does not
// lose a session_start or session_end. Safe for concurrent use.
func (t *Tracker) Requeue(lines []byte) {
	if len(lines) == 0 {
		return
	}
	t.outMu.Lock()
	defer t.outMu.Unlock()
	if len(t.outbox)+len(lines) > maxOutbox {
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
