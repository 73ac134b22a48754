package sessions

import (
	"strings"
	"sync"
)

// reason is why a span closed; reasonOpen means it is still open.
type reason uint8

const (
	reasonOpen reason = iota
	reasonExplicit
	reasonIdle
	reasonMaxTracked
	reasonShutdown
)

var reasonNames = [...]string{"", "explicit", "idle_timeout", "max_tracked", "shutdown"}

// session is the fixed-size state of one span (open) or of a remembered
// closed span. It is linked into its shard's open LRU list or closed FIFO.
type session struct {
	prev, next *session

	id, userID, model, project string

	first, last int64 // earliest and latest record time, unix ns
	seen        int64 // tracker clock: last record (open) or close time (closed)
	tok         [numTok]int64
	costNano    int64

	records, tools, toolFailures, errors, prompts uint32
	hasCost, explicitStart                        bool
	closed                                        reason
}

// counters are a shard's share of Stats (guarded by the shard lock, so the
// hot path touches no shared cache line).
type counters struct {
	Started, StartsWritten, EndsWritten                      int64
	EndedExplicit, EndedIdle, EndedMaxTracked, EndedShutdown int64
	DuplicateStarts, DuplicateEnds, Late                     int64
}

// shard holds part of the sessions under one lock. open is the sentinel of
// the LRU list (open.next = most recently seen); closed the sentinel of the
// closed FIFO (closed.next = most recently closed).
type shard struct {
	mu     sync.Mutex
	byID   map[string]*session
	open   session
	closed session
	nOpen  int
	nClose int
	limit  int
	dirty  bool // changed since the last snapshot
	stats  counters
	intern interner
	_      [64]byte // keep neighbouring shards' locks off one cache line
}

func (sh *shard) init(limit int) {
	sh.byID = make(map[string]*session)
	sh.open.next, sh.open.prev = &sh.open, &sh.open
	sh.closed.next, sh.closed.prev = &sh.closed, &sh.closed
	sh.limit = max(limit, 1)
}

func unlink(s *session) {
	s.prev.next, s.next.prev = s.next, s.prev
	s.prev, s.next = nil, nil
}

func pushFront(root, s *session) {
	s.prev, s.next = root, root.next
	root.next.prev = s
	root.next = s
}

// observe applies the rules of the package doc to the record r of session
// id, whose indexed span is s (nil: none). It returns the span indexed for
// id afterwards, never nil. Whether the entry itself is kept was decided
// when it was added to the batch (transition).
func (sh *shard) observe(dst []byte, id string, r *record, s *session, now, idle int64) ([]byte, *session) {
	if s != nil && s.closed != reasonOpen {
		if now-s.seen < idle && r.kind != kindStart {
			if r.kind == kindEnd {
				sh.stats.DuplicateEnds++
				return dst, s
			}
			if s.closed == reasonExplicit {
				sh.stats.Late++
				return dst, s
			}
		}
		sh.forget(s)
		s = nil
	}
	if s == nil {
		if r.kind == kindEnd {
			// The end of a span never seen: it passes through, and is
			// remembered so that repeats and stragglers are absorbed.
			sh.stats.EndedExplicit++
			s = &session{id: strings.Clone(id)}
			sh.remember(s, now, reasonExplicit)
			return dst, s
		}
		dst, s = sh.openSpan(dst, id, r, now)
	} else {
		if r.kind == kindStart {
			sh.stats.DuplicateStarts++
		}
		if sh.open.next != s {
			unlink(s)
			pushFront(&sh.open, s)
		}
		s.update(r, now, &sh.intern)
	}
	sh.dirty = true
	if r.kind == kindEnd {
		sh.stats.EndedExplicit++
		dst = sh.closeSpan(dst, s, now, reasonExplicit)
	}
	return dst, s
}

// openSpan starts a span for r, first closing the least recently seen span
// when the shard is full.
func (sh *shard) openSpan(dst []byte, id string, r *record, now int64) ([]byte, *session) {
	if sh.nOpen >= sh.limit {
		sh.stats.EndedMaxTracked++
		dst = sh.closeSpan(dst, sh.open.prev, now, reasonMaxTracked)
	}
	s := &session{id: strings.Clone(id)}
	s.first, s.last = r.begin(now), r.time(now)
	s.update(r, now, &sh.intern)
	sh.byID[s.id] = s
	pushFront(&sh.open, s)
	sh.nOpen++
	sh.stats.Started++
	if r.kind == kindStart {
		s.explicitStart = true
	} else {
		sh.stats.StartsWritten++
		dst = appendStart(dst, s)
	}
	return dst, s
}

// update adds r to the span's totals. It allocates only when a string the
// span keeps changes to a value the shard's interner does not hold. The
// span's model is the model of its model calls (token_usage entries) or of
// an explicit start, not of any record that names one (Gemini CLI's
// config event names "auto", its router call a small model).
func (s *session) update(r *record, now int64, in *interner) {
	s.first = min(s.first, r.begin(now))
	s.last = max(s.last, r.time(now))
	s.seen = now
	s.userID = in.keep(s.userID, r.userID)
	s.project = in.keep(s.project, r.project)
	if r.prompt {
		s.prompts++
	}
	if r.kind == kindNone {
		return
	}
	s.records++
	switch r.kind {
	case kindTokenUsage:
		for i, n := range r.tok {
			s.tok[i] += n
		}
		s.model = in.keep(s.model, r.model)
	case kindStart:
		s.model = in.keep(s.model, r.model)
	case kindToolUse:
		s.tools++
		if r.failed {
			s.toolFailures++
		}
	case kindError:
		s.errors++
	}
	if r.hasCost {
		s.hasCost = true
		s.costNano += r.costNano
	}
}

// closeSpan closes the open span s, appending its synthesized session_end
// unless the span ended explicitly, and remembers it as closed.
func (sh *shard) closeSpan(dst []byte, s *session, now int64, why reason) []byte {
	if why != reasonExplicit {
		sh.stats.EndsWritten++
		dst = appendEnd(dst, s, why)
	}
	unlink(s)
	sh.nOpen--
	sh.dirty = true
	*s = session{id: s.id}
	sh.remember(s, now, why)
	return dst
}

// remember links s into the closed FIFO (and the index), dropping the oldest
// remembered span past the shard limit.
func (sh *shard) remember(s *session, now int64, why reason) {
	s.closed, s.seen = why, now
	sh.byID[s.id] = s
	pushFront(&sh.closed, s)
	sh.nClose++
	if sh.nClose > sh.limit {
		sh.forget(sh.closed.prev)
	}
}

// forget drops a remembered closed span.
func (sh *shard) forget(s *session) {
	unlink(s)
	delete(sh.byID, s.id)
	sh.nClose--
}

// expire closes the spans idle for idle ns and forgets closed spans
// remembered longer than that.
func (sh *shard) expire(dst []byte, now, idle int64) []byte {
	for s := sh.open.prev; s != &sh.open && now-s.seen >= idle; s = sh.open.prev {
		sh.stats.EndedIdle++
		dst = sh.closeSpan(dst, s, now, reasonIdle)
	}
	for s := sh.closed.prev; s != &sh.closed && now-s.seen >= idle; s = sh.closed.prev {
		sh.forget(s)
	}
	return dst
}
