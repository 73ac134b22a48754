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

// Batch holds the entries of one export, Added while the batch is
// converted and recorded by Commit once it is written. It also holds their
// effect on the session states, so that Add answers for an entry as the
// tracker will once the batch's earlier entries are committed. It keeps the
// entries' strings, not copies, until Reset: they must not change until
// then. The zero value is ready; Reset empties it for reuse without freeing
// its memory. Not safe for concurrent use.
type Batch struct {
	tab   slotTable        // session id -> index in slots, for the first ones
	ids   map[string]int32 // session id -> index in slots, past smallBatch
	slots []slot
	last  int32 // the slot of the previous entry: a batch is mostly one session
	recs  []record
	locks uint32 // the shards of recs, as bits: what Commit locks
}

// Bounds of what Reset keeps for the next batch.
const (
	maxKeptRecords = 1 << 16
	maxKeptIDs     = 1 << 10
)

// Reset forgets every entry b has seen.
func (b *Batch) Reset() {
	if len(b.slots) > maxKeptIDs {
		b.ids, b.slots = nil, nil
	}
	clear(b.tab[:])
	clear(b.ids)
	clear(b.slots)
	b.slots = b.slots[:0]
	clear(b.recs)
	b.recs = b.recs[:0]
	if cap(b.recs) > maxKeptRecords {
		b.recs = nil
	}
	b.last, b.locks = 0, 0
}

// Add reports whether the entry e is to be kept (false: a duplicate
// session_start or session_end, see the package doc), assuming the entries
// Added to b since its Reset are committed before it, in order, and keeps e
// in b for Commit. It does not change the tracker. The answer holds unless
// the tracker changes before Commit (the ticker ends an idle span, another
// batch commits the same session id, the batch's own entries evict the span
// to make room under MaxTracked); Commit then applies the rules to what it
// finds, and a rejected entry still counts as a duplicate.
func (t *Tracker) Add(b *Batch, e *Entry) bool {
	if e.SessionID == "" || e.Synthesized {
		return true
	}
	b.recs = append(b.recs, record{})
	r := &b.recs[len(b.recs)-1]
	r.set(e)
	i, keep := t.keep(b, e.SessionID, r.kind)
	r.slot = i
	b.locks |= 1 << b.slots[i].shard
	return keep
}

// Commit records the entries Added to b since its Reset, in order, rejected
// ones included (they count as duplicates and refresh their span's
// activity), and appends the lines they cause to dst: a synthesized
// session_start for each span an entry opens without an explicit
// session_start, a session_end for each span closed to make room
// (MaxTracked). Call it once per batch, after the batch was written. It
// reads the clock once and locks each shard the batch touches once; an
// entry of a known session allocates nothing.
func (t *Tracker) Commit(dst []byte, b *Batch) []byte {
	if len(b.recs) == 0 {
		return dst
	}
	now := t.now().UnixNano()
	t.lockShards(b.locks)
	for i := range b.recs {
		r := &b.recs[i]
		sl := &b.slots[r.slot]
		sh := &t.shards[sl.shard]
		s := sl.sess
		if s == nil || s.prev == nil {
			s = sh.byID[sl.id]
		}
		dst, sl.sess = sh.observe(dst, sl.id, r, s, now, t.idle)
	}
	t.unlockShards(b.locks)
	return dst
}

// lockShards locks the shards of set in index order, so that two batches
// that lock several cannot deadlock.
func (t *Tracker) lockShards(set uint32) {
	for i := range t.shards {
		if set&(1<<i) != 0 {
			t.shards[i].mu.Lock()
		}
	}
}

func (t *Tracker) unlockShards(set uint32) {
	for i := range t.shards {
		if set&(1<<i) != 0 {
			t.shards[i].mu.Unlock()
		}
	}
}

// keep applies an entry of kind k for id to b, returning id's slot.
func (t *Tracker) keep(b *Batch, id string, k kind) (int32, bool) {
	i := t.slot(b, id)
	sl := &b.slots[i]
	var keep bool
	sl.state, keep = transition(sl.state, k)
	return i, keep
}

// transition applies the rules of shard.observe to a state.
func transition(st spanState, k kind) (spanState, bool) {
	switch st {
	case stateOpen:
		switch k {
		case kindStart:
			return stateOpen, false
		case kindEnd:
			return stateClosedExplicit, true
		}
		return stateOpen, true
	case stateClosedExplicit, stateClosedSynthesized:
		switch {
		case k == kindEnd:
			return st, false
		case k == kindStart:
			return stateOpen, true
		case st == stateClosedExplicit:
			return st, true // a straggler, absorbed
		}
		return stateOpen, true
	}
	if k == kindEnd {
		return stateClosedExplicit, true
	}
	return stateOpen, true
}

// peek returns the tracker's state of id (in shard sh) now, without
// changing it.
func (t *Tracker) peek(sh *shard, id string) spanState {
	now := t.now().UnixNano()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	s := sh.byID[id]
	switch {
	case s == nil:
		return stateNone
	case s.closed == reasonOpen:
		return stateOpen
	case now-s.seen >= t.idle:
		return stateNone // forgotten by the next Commit
	case s.closed == reasonExplicit:
		return stateClosedExplicit
	}
	return stateClosedSynthesized
}
