package sessions

import (
	"math"
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

	first, last   int64 // record times, unix ns
	seen          int64 // tracker clock: last record (open) or close time (closed)
	inTok, outTok int64
	cost          float64

	records, tools, errors uint32
	explicitStart          bool
	closed                 reason
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

// observe applies the rules of the package doc to one entry.
func (sh *shard) observe(dst []byte, e *Entry, now, idle int64) ([]byte, bool) {
	s := sh.byID[e.SessionID]
	if s != nil && s.closed != reasonOpen {
		if now-s.seen < idle && e.Type != typeSessionStart {
			if e.Type == typeSessionEnd {
				sh.stats.DuplicateEnds++
				return dst, false
			}
			if s.closed == reasonExplicit {
				sh.stats.Late++
				return dst, true
			}
		}
		sh.forget(s)
		s = nil
	}
	keep := true
	if s == nil {
		if e.Type == typeSessionEnd {
			// The end of a span never seen: it passes through, and is
			// remembered so that repeats and stragglers are absorbed.
			sh.stats.EndedExplicit++
			sh.remember(&session{id: strings.Clone(e.SessionID)}, now, reasonExplicit)
			return dst, true
		}
		dst, s = sh.openSpan(dst, e, now)
	} else {
		if e.Type == typeSessionStart {
			sh.stats.DuplicateStarts++
			keep = false
		}
		unlink(s)
		pushFront(&sh.open, s)
		s.update(e, now, &sh.intern)
	}
	sh.dirty = true
	if e.Type == typeSessionEnd {
		sh.stats.EndedExplicit++
		dst = sh.closeSpan(dst, s, now, reasonExplicit)
	}
	return dst, keep
}

// openSpan starts a span for e, first closing the least recently seen span
// when the shard is full.
func (sh *shard) openSpan(dst []byte, e *Entry, now int64) ([]byte, *session) {
	if sh.nOpen >= sh.limit {
		sh.stats.EndedMaxTracked++
		dst = sh.closeSpan(dst, sh.open.prev, now, reasonMaxTracked)
	}
	s := &session{id: strings.Clone(e.SessionID)}
	t := recordTime(e, now)
	s.first, s.last = t, t
	s.update(e, now, &sh.intern)
	sh.byID[s.id] = s
	pushFront(&sh.open, s)
	sh.nOpen++
	sh.stats.Started++
	if e.Type == typeSessionStart {
		s.explicitStart = true
	} else {
		sh.stats.StartsWritten++
		dst = appendStart(dst, s)
	}
	return dst, s
}

func recordTime(e *Entry, now int64) int64 {
	if e.Time.IsZero() {
		return now
	}
	return e.Time.UnixNano()
}

// update adds e to the span's totals. It allocates only when a string the
// span keeps changes to a value the shard's interner does not hold.
func (s *session) update(e *Entry, now int64, in *interner) {
	t := recordTime(e, now)
	s.first = min(s.first, t)
	s.last = max(s.last, t)
	s.seen = now
	s.records++
	s.userID = in.keep(s.userID, e.UserID)
	s.model = in.keep(s.model, e.Model)
	s.project = in.keep(s.project, e.ProjectPath)
	switch e.Type {
	case typeTokenUsage:
		s.inTok += max(e.InputTokens, 0)
		s.outTok += max(e.OutputTokens, 0)
	case typeToolUse:
		s.tools++
	case typeError:
		s.errors++
	}
	if !math.IsNaN(e.CostUSD) && !math.IsInf(e.CostUSD, 0) {
		s.cost += e.CostUSD
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
