package sessions

// spanState is what the lifecycle rules need to know about a session id to
// decide keep: no span, an open span, or a span closed (explicitly or not)
// within the remembered window.
type spanState uint8

const (
	stateNone spanState = iota
	stateOpen
	stateClosedExplicit
	stateClosedSynthesized
)

// Batch is the effect of entries that Keep has seen but nobody has Recorded
// yet (one export's batch, before it is written). It lets Keep answer for an
// entry as Record would after the batch's earlier entries were recorded.
// The zero value is ready; Reset empties it for reuse without freeing its
// memory. Not safe for concurrent use.
type Batch struct {
	ids map[string]spanState
	// last is a one-entry cache: a batch is mostly one session.
	last      string
	lastState spanState
	hasLast   bool
}

// Reset forgets every entry b has seen.
func (b *Batch) Reset() {
	clear(b.ids)
	b.last, b.hasLast = "", false
}

// Keep reports whether Record(e) would keep e (false: a duplicate
// session_start or session_end, see the package doc), assuming the entries b
// saw since its Reset are Recorded before e, in order.
// It does not change the tracker; it notes e's effect in b.
//
// Use: during conversion, Keep every entry of a batch (dropping the lines
// it rejects); once the batch is written, Record (or Observe) all of them,
// rejected ones included, in the same order: a rejected entry is then
// counted as a duplicate and refreshes its span's activity, as if the
// tracker had seen it directly. The answers hold unless the tracker changes
// between Keep and Record (the ticker ends an idle span, another batch
// records the same session id); Record's keep=false then still counts.
func (t *Tracker) Keep(b *Batch, e *Entry) bool {
	if e.SessionID == "" || e.Synthesized {
		return true
	}
	st, ok := b.state(e.SessionID)
	if !ok {
		st = t.peek(e.SessionID)
	}
	next, keep := transition(st, e.Type)
	b.set(e.SessionID, next)
	return keep
}

// transition applies the rules of shard.observe to a state.
func transition(st spanState, typ string) (spanState, bool) {
	switch st {
	case stateOpen:
		switch typ {
		case typeSessionStart:
			return stateOpen, false
		case typeSessionEnd:
			return stateClosedExplicit, true
		}
		return stateOpen, true
	case stateClosedExplicit, stateClosedSynthesized:
		switch {
		case typ == typeSessionEnd:
			return st, false
		case typ == typeSessionStart:
			return stateOpen, true
		case st == stateClosedExplicit:
			return st, true // a straggler, absorbed
		}
		return stateOpen, true
	}
	if typ == typeSessionEnd {
		return stateClosedExplicit, true
	}
	return stateOpen, true
}

func (b *Batch) state(id string) (spanState, bool) {
	if b.hasLast && b.last == id {
		return b.lastState, true
	}
	st, ok := b.ids[id]
	return st, ok
}

func (b *Batch) set(id string, st spanState) {
	if b.hasLast && b.last == id {
		b.lastState = st
	} else {
		if b.hasLast {
			if b.ids == nil {
				b.ids = make(map[string]spanState)
			}
			b.ids[b.last] = b.lastState
		}
		b.last, b.lastState, b.hasLast = id, st, true
	}
}

// peek returns the tracker's state of id now, without changing it.
func (t *Tracker) peek(id string) spanState {
	now := t.now().UnixNano()
	sh := t.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	s := sh.byID[id]
	switch {
	case s == nil:
		return stateNone
	case s.closed == reasonOpen:
		return stateOpen
	case now-s.seen >= t.idle:
		return stateNone // forgotten by the next Observe
	case s.closed == reasonExplicit:
		return stateClosedExplicit
	}
	return stateClosedSynthesized
}
