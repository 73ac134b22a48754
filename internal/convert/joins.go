package convert

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// Defaults of JoinOptions.
const (
	DefaultSessionWait   = 30 * time.Second
	DefaultRemember      = 30 * time.Minute
	DefaultMaxRemembered = 100_000
	DefaultMaxHeld       = 10_000
	DefaultMaxHeldBytes  = 16 << 20
)

// JoinOptions configures a JoinStore. Zero values take the defaults.
type JoinOptions struct {
	// Wait is how long an entry is held at most: a span entry waiting for
	// its trace's session or for the log event of the same call, a
	// gen_ai.client metric point waiting for its service's spans.
	Wait time.Duration
	// Remember is how long a written join key, a trace's session and a
	// service's inference spans are remembered after they were last seen.
	Remember time.Duration
	// MaxRemembered bounds the join keys and the trace sessions remembered
	// (each); the oldest are forgotten first.
	MaxRemembered int
	// MaxHeld and MaxHeldBytes bound the held entries; beyond them the
	// oldest are written at once, as if their wait had run out.
	MaxHeld, MaxHeldBytes int
	// Now is the clock (nil = time.Now).
	Now func() time.Time
}

// JoinStore is what one exporter ID remembers across exports so that a
// call its senders report twice (a log event and a span, a span and a
// metric point) is written once, and so that a span without a session
// attribute gets its trace's session:
//
//   - join keys: a model request's or tool call's id, per session, written
//     from a log event or a span; the log event is preferred (it says
//     more: a cost, an exit code), so a span whose key no event has
//     written yet is held until the event comes or the wait runs out;
//   - prompt keys: one user prompt per trace, counted from the prompt
//     event or the turn span, whichever comes first;
//   - trace sessions: the session of every trace a span with a session
//     attribute was seen in;
//   - services whose inference spans with token counts were written:
//     their gen_ai.client metric points say the same and are ignored;
//   - held entries: span entries waiting for their trace's session or for
//     the log event of the same call, and metric points waiting for their
//     service's spans, each for at most Wait.
//
// A JoinBatch reads and reserves during one conversion; Commit (the batch
// was written) makes its keys written and its holds held; Abort (it was
// not) gives everything back, so a retried export counts once and two
// concurrent exports of one call never both write it.
//
// Held entries are acknowledged to the sender before they are written: an
// exporter killed while it holds them loses them (see docs/traces.md).
// Safe for concurrent use.
type JoinStore struct {
	wait, remember        int64
	maxRemembered         int
	maxHeld, maxHeldBytes int
	now                   func() time.Time
	pool                  sync.Pool // of *JoinBatch
	heldTraces            atomic.Int64
	wake                  chan struct{}

	mu       sync.Mutex
	keys     map[string]*keyState
	keyQ     fifo[string]
	traces   map[pcommon.TraceID]traceSession
	traceQ   fifo[pcommon.TraceID]
	services map[string]int64 // service -> when its inference spans were last written
	svcQ     fifo[string]
	held     heldList // every held entry, oldest first
	byTrace  map[pcommon.TraceID][]*heldEntry
	bySvc    map[string][]*heldEntry
	timing   map[pcommon.TraceID]*timingHold
	timingQ  fifo[pcommon.TraceID]
	resolved []*heldEntry  // held by trace, whose trace's session is now known
	resTime  []sessionTime // timing of traces whose session is now known
	nHeld    int
	heldSize int
	stats    JoinStats
}

// JoinStats counts what a JoinStore did.
type JoinStats struct {
	Held         int   // entries held now
	HeldBytes    int   // their size
	Keys, Traces int   // remembered now
	Evicted      int64 // held entries written early to respect the bounds
}

type keyState struct {
	at      int64
	owner   *JoinBatch // in flight: the batch that reserved the key
	held    *heldEntry // a span entry waiting for the event of its call
	written bool
	span    bool // written, reserved or held from a span (else from a log event)
}

type traceSession struct {
	sid string
	at  int64
}

// holdReason is what a held entry waits for.
type holdReason uint8

const (
	waitTrace   holdReason = iota // a span of its trace with a session
	waitTwin                      // the log event of the same call (key)
	waitService                   // inference spans of its service
)

// heldEntry is one entry line waiting to be written.
type heldEntry struct {
	line       []byte
	sidAt      int // offset of the session_id value (null) in line; -1: the line has its session
	info       EntryInfo
	typ        mapping.Type
	reason     holdReason
	key        string
	trace      pcommon.TraceID
	service    string
	deadline   int64
	prev, next *heldEntry // heldList links; nil when not in the store
	inStore    bool
	redacted   counts // what the privacy rules did to it, counted when written
}

func (h *heldEntry) size() int { return len(h.line) + 256 }

// timingHold is the time span of a trace's spans that made no entry, while
// the trace's session is unknown.
type timingHold struct {
	start, end int64
	uid        string
	at         int64
}

type sessionTime struct {
	sid, uid   string
	start, end int64
}

// NewJoinStore returns an empty JoinStore.
func NewJoinStore(opts JoinOptions) *JoinStore {
	if opts.Wait <= 0 {
		opts.Wait = DefaultSessionWait
	}
	if opts.Remember <= 0 {
		opts.Remember = DefaultRemember
	}
	if opts.MaxRemembered <= 0 {
		opts.MaxRemembered = DefaultMaxRemembered
	}
	if opts.MaxHeld <= 0 {
		opts.MaxHeld = DefaultMaxHeld
	}
	if opts.MaxHeldBytes <= 0 {
		opts.MaxHeldBytes = DefaultMaxHeldBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &JoinStore{
		wait: int64(opts.Wait), remember: int64(opts.Remember), maxRemembered: opts.MaxRemembered,
		maxHeld: opts.MaxHeld, maxHeldBytes: opts.MaxHeldBytes, now: opts.Now,
		wake:     make(chan struct{}, 1),
		keys:     map[string]*keyState{},
		traces:   map[pcommon.TraceID]traceSession{},
		services: map[string]int64{},
		byTrace:  map[pcommon.TraceID][]*heldEntry{},
		bySvc:    map[string][]*heldEntry{},
		timing:   map[pcommon.TraceID]*timingHold{},
	}
	s.held.init()
	s.pool.New = func() any { return &JoinBatch{s: s} }
	return s
}

// Wake is signalled when held entries are due before their wait runs out
// (their trace's session became known, or the bounds were reached): the
// exporter's flusher then writes them without waiting for its next tick.
func (s *JoinStore) Wake() <-chan struct{} { return s.wake }

// Stats returns the counters.
func (s *JoinStore) Stats() JoinStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Held, st.HeldBytes, st.Keys, st.Traces = s.nHeld, s.heldSize, len(s.keys), len(s.traces)
	return st
}

// Begin returns the batch of one export; the caller ends it with Commit or
// Abort.
func (s *JoinStore) Begin() *JoinBatch {
	b := s.pool.Get().(*JoinBatch)
	b.done = false
	return b
}

// JoinBatch is what one export reads, reserves, takes and holds.
type JoinBatch struct {
	s       *JoinStore
	claims  []string
	taken   []*heldEntry
	holds   []*heldEntry
	learned map[pcommon.TraceID]string // trace sessions seen in this batch's spans
	cache   map[pcommon.TraceID]string // trace sessions looked up in the store ("" = unknown)
	timing  map[pcommon.TraceID]*timingHold
	tTaken  []timingTaken
	usage   []string
	done    bool
}

// timingTaken is the timing of a trace taken from the store: from its
// timing holds (the batch learned the trace's session) or from the
// resolved list (a flush).
type timingTaken struct {
	trace    pcommon.TraceID
	t        timingHold
	sid      string
	resolved bool
}

// side is how a record takes part in a join.
type side uint8

const (
	sidePreferred side = iota // a log event: written unless the call was written already
	sideSecondary             // a span: held until the event comes or the wait runs out
	sideEqual                 // a prompt: whichever comes first counts
)

// verdict is what to do with a record that takes part in a join.
type verdict uint8

const (
	verdictWrite verdict = iota
	verdictDuplicate
	verdictHold
)

// claim decides a record's fate by its join key (which may be the
// caller's scratch: what is kept is copied). Only records of different
// signals are joined: a log event of a call that a log event wrote already
// is written as it always was (an exporter without spans writes what it
// gets), a span of a call a span wrote is a duplicate.
func (b *JoinBatch) claim(key string, sd side, span bool) verdict {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.keys[key]
	switch {
	case st == nil:
		if sd == sideSecondary {
			return verdictHold
		}
		key = strings.Clone(key)
		s.keys[key] = &keyState{owner: b, span: span}
		b.claims = append(b.claims, key)
		return verdictWrite
	case !span && !st.span:
		return verdictWrite
	case st.owner != nil || st.written:
		return verdictDuplicate
	case st.held != nil && sd == sidePreferred:
		// The event of a held span: the event is written, the span is
		// dropped once it is (and held again if it is not).
		st.owner, st.span = b, false
		s.unlink(st.held)
		b.claims = append(b.claims, st.held.key)
		return verdictWrite
	}
	return verdictDuplicate
}

// sessionOf returns the session of a trace as this batch knows it: from
// its own spans, else from the store.
func (b *JoinBatch) sessionOf(tid pcommon.TraceID) string {
	if sid, ok := b.learned[tid]; ok {
		return sid
	}
	if sid, ok := b.cache[tid]; ok {
		return sid
	}
	s := b.s
	s.mu.Lock()
	ts, ok := s.traces[tid]
	s.mu.Unlock()
	if b.cache == nil {
		b.cache = map[pcommon.TraceID]string{}
	}
	if !ok {
		b.cache[tid] = ""
		return ""
	}
	b.cache[tid] = ts.sid
	return ts.sid
}

// learn records that spans of trace tid belong to session sid (the first
// session seen for a trace in the batch stands).
func (b *JoinBatch) learn(tid pcommon.TraceID, sid string) {
	if b.learned == nil {
		b.learned = map[pcommon.TraceID]string{}
	}
	if _, ok := b.learned[tid]; !ok {
		b.learned[tid] = sid
	}
}

// serviceHasSpans reports whether inference spans with token counts of
// the service were written (and are still remembered).
func (b *JoinBatch) serviceHasSpans(svc string) bool {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.services[svc]
	return ok
}

// noteUsage records that the batch writes inference spans with token
// counts of the service.
func (b *JoinBatch) noteUsage(svc string) {
	for _, have := range b.usage {
		if have == svc {
			return
		}
	}
	b.usage = append(b.usage, svc)
}

// hold keeps an entry line to be held once the batch is committed. The
// line is copied; sidAt is the offset of its null session value, or -1.
func (b *JoinBatch) hold(line []byte, sidAt int, info *EntryInfo, t mapping.Type, reason holdReason) *heldEntry {
	h := &heldEntry{line: bytes.Clone(line), sidAt: sidAt, info: cloneInfo(info), typ: t, reason: reason}
	b.holds = append(b.holds, h)
	return h
}

// holdTiming keeps the time span of a trace's spans that made no entry,
// until the trace's session is known.
func (b *JoinBatch) holdTiming(tid pcommon.TraceID, start, end int64, uid string) {
	if b.timing == nil {
		b.timing = map[pcommon.TraceID]*timingHold{}
	}
	if t := b.timing[tid]; t != nil {
		t.start, t.end = min(t.start, start), max(t.end, end)
		if t.uid == "" {
			t.uid = strings.Clone(uid)
		}
		return
	}
	b.timing[tid] = &timingHold{start: start, end: end, uid: strings.Clone(uid)}
}

// takeLearned moves the held entries and timing of the traces whose
// session this batch learned into the batch, to be written with it.
func (b *JoinBatch) takeLearned() {
	s := b.s
	if len(b.learned) == 0 || s.heldTraces.Load() == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for tid, sid := range b.learned {
		if hs, ok := s.byTrace[tid]; ok {
			delete(s.byTrace, tid)
			for _, h := range hs {
				s.unlink(h)
				h.info.SessionID = strings.Clone(sid)
				b.taken = append(b.taken, h)
			}
		}
		if t, ok := s.timing[tid]; ok {
			delete(s.timing, tid)
			b.tTaken = append(b.tTaken, timingTaken{trace: tid, t: *t, sid: sid})
		}
	}
	s.countTraces()
}

// Commit makes the batch's reservations written and its holds held, and
// records what it learned; st counts the held entries this drops (their
// twin was written: duplicate; their service's spans were: ignored).
func (b *JoinBatch) Commit(st *Stats) {
	if b == nil || b.done {
		return
	}
	b.done = true
	s := b.s
	if len(b.claims)+len(b.taken)+len(b.holds)+len(b.learned)+len(b.timing)+len(b.usage)+len(b.tTaken) > 0 {
		now := s.now().UnixNano()
		s.mu.Lock()
		s.commit(b, now, st)
		s.mu.Unlock()
	}
	b.release()
}

func (s *JoinStore) commit(b *JoinBatch, now int64, st *Stats) {
	s.expire(now)
	for _, key := range b.claims {
		ks := s.keys[key]
		if ks == nil || ks.owner != b {
			continue
		}
		ks.owner, ks.written, ks.at = nil, true, now
		if h := ks.held; h != nil {
			ks.held = nil
			if h.inStore {
				s.unlink(h)
			}
			st.DroppedDuplicate++
		}
		s.keyQ.push(key, now)
	}
	for tid, sid := range b.learned {
		sid = strings.Clone(sid)
		if _, ok := s.traces[tid]; !ok {
			s.traceQ.push(tid, now)
		}
		s.traces[tid] = traceSession{sid: sid, at: now}
		// Entries held after this batch looked: written by the flusher.
		if hs, ok := s.byTrace[tid]; ok {
			delete(s.byTrace, tid)
			for _, h := range hs {
				h.info.SessionID = sid
				s.resolved = append(s.resolved, h)
			}
		}
		if t, ok := s.timing[tid]; ok {
			delete(s.timing, tid)
			s.resTime = append(s.resTime, sessionTime{sid: sid, uid: t.uid, start: t.start, end: t.end})
		}
	}
	for _, svc := range b.usage {
		svc = strings.Clone(svc)
		if _, ok := s.services[svc]; !ok {
			s.svcQ.push(svc, now)
		}
		s.services[svc] = now
		if hs, ok := s.bySvc[svc]; ok {
			delete(s.bySvc, svc)
			for _, h := range hs {
				s.unlink(h)
				st.DroppedIgnored++
			}
		}
	}
	for _, h := range b.holds {
		s.add(h, now, st)
	}
	for tid, t := range b.timing {
		if ts, ok := s.traces[tid]; ok {
			s.resTime = append(s.resTime, sessionTime{sid: ts.sid, uid: t.uid, start: t.start, end: t.end})
			continue
		}
		if have := s.timing[tid]; have != nil {
			have.start, have.end = min(have.start, t.start), max(have.end, t.end)
			continue
		}
		t.at = now
		s.timing[tid] = t
		s.timingQ.push(tid, now)
	}
	s.countTraces()
	if len(s.resolved) > 0 || len(s.resTime) > 0 || s.nHeld > s.maxHeld || s.heldSize > s.maxHeldBytes {
		s.signal()
	}
}

// add puts a new held entry in the store, unless what it waits for
// already happened.
func (s *JoinStore) add(h *heldEntry, now int64, st *Stats) {
	h.deadline = now + s.wait
	switch h.reason {
	case waitTwin:
		ks := s.keys[h.key]
		switch {
		case ks == nil:
			s.keys[h.key] = &keyState{held: h, at: now, span: true}
			s.keyQ.push(h.key, now)
		case ks.written || ks.owner != nil || ks.held != nil:
			// The call was written (or is being written) from its event,
			// or the same span is already held.
			st.DroppedDuplicate++
			return
		default:
			ks.held, ks.at, ks.span = h, now, true
		}
	case waitTrace:
		if ts, ok := s.traces[h.trace]; ok {
			h.info.SessionID = ts.sid
			s.link(h)
			s.resolved = append(s.resolved, h)
			return
		}
		s.byTrace[h.trace] = append(s.byTrace[h.trace], h)
	case waitService:
		if _, ok := s.services[h.service]; ok {
			st.DroppedIgnored++
			return
		}
		s.bySvc[h.service] = append(s.bySvc[h.service], h)
	}
	s.link(h)
}

// Abort gives back what the batch reserved and took; its holds are
// dropped (the retry makes them again).
func (b *JoinBatch) Abort() {
	if b == nil || b.done {
		return
	}
	b.done = true
	s := b.s
	if len(b.claims)+len(b.taken)+len(b.tTaken) > 0 {
		now := s.now().UnixNano()
		s.mu.Lock()
		for _, key := range b.claims {
			ks := s.keys[key]
			if ks == nil || ks.owner != b {
				continue
			}
			ks.owner = nil
			switch {
			case ks.held != nil:
				ks.span = true
				s.link(ks.held) // the span of an event that was not written waits again
			case !ks.written:
				delete(s.keys, key)
			}
		}
		for _, h := range b.taken {
			s.giveBack(h, now)
		}
		for _, t := range b.tTaken {
			if t.resolved {
				s.resTime = append(s.resTime, sessionTime{sid: t.sid, uid: t.t.uid, start: t.t.start, end: t.t.end})
			} else if _, ok := s.timing[t.trace]; !ok {
				tt := t.t
				s.timing[t.trace] = &tt
			}
		}
		s.countTraces()
		s.mu.Unlock()
	}
	b.release()
}

// giveBack returns a taken entry to the store.
func (s *JoinStore) giveBack(h *heldEntry, now int64) {
	switch h.reason {
	case waitTrace:
		if h.info.SessionID != "" {
			s.resolved = append(s.resolved, h)
		} else {
			s.byTrace[h.trace] = append(s.byTrace[h.trace], h)
		}
	case waitService:
		s.bySvc[h.service] = append(s.bySvc[h.service], h)
	case waitTwin:
		ks := s.keys[h.key]
		if ks == nil {
			ks = &keyState{at: now}
			s.keys[h.key] = ks
		}
		if ks.written || ks.owner != nil || ks.held != nil {
			return
		}
		ks.held, ks.span = h, true
	}
	s.link(h)
}

func (b *JoinBatch) release() {
	b.claims = b.claims[:0]
	clear(b.taken)
	b.taken = b.taken[:0]
	clear(b.holds)
	b.holds = b.holds[:0]
	clear(b.learned)
	clear(b.cache)
	clear(b.timing)
	b.tTaken = b.tTaken[:0]
	b.usage = b.usage[:0]
	b.s.pool.Put(b)
}

// TakeDue takes the held entries that are due into a batch: those whose
// wait ran out, whose trace's session became known, or beyond the bounds;
// all of them when all is set (shutdown). The caller writes them with
// AppendTaken and ends the batch with Commit or Abort. nil: nothing due.
func (s *JoinStore) TakeDue(all bool) *JoinBatch {
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	if s.nHeld == 0 && len(s.resTime) == 0 {
		return nil
	}
	b := s.pool.Get().(*JoinBatch)
	b.done = false
	for _, h := range s.resolved {
		if h.inStore {
			s.unlink(h)
			b.taken = append(b.taken, h)
		}
	}
	clear(s.resolved)
	s.resolved = s.resolved[:0]
	for _, t := range s.resTime {
		b.tTaken = append(b.tTaken, timingTaken{t: timingHold{start: t.start, end: t.end, uid: t.uid}, sid: t.sid, resolved: true})
	}
	clear(s.resTime)
	s.resTime = s.resTime[:0]
	var traces map[pcommon.TraceID]struct{}
	var svcs map[string]struct{}
	for h := s.held.front(); h != nil; h = s.held.front() {
		over := s.nHeld > s.maxHeld || s.heldSize > s.maxHeldBytes
		if !all && !over && h.deadline > now {
			break
		}
		if over && h.deadline > now {
			s.stats.Evicted++
		}
		switch h.reason {
		case waitTrace:
			if traces == nil {
				traces = map[pcommon.TraceID]struct{}{}
			}
			traces[h.trace] = struct{}{}
		case waitService:
			if svcs == nil {
				svcs = map[string]struct{}{}
			}
			svcs[h.service] = struct{}{}
		}
		s.takeOne(h, b)
	}
	// The groups lose the entries taken, each group filtered once.
	for tid := range traces {
		if hs := keepInStore(s.byTrace[tid]); len(hs) > 0 {
			s.byTrace[tid] = hs
		} else {
			delete(s.byTrace, tid)
		}
	}
	for svc := range svcs {
		if hs := keepInStore(s.bySvc[svc]); len(hs) > 0 {
			s.bySvc[svc] = hs
		} else {
			delete(s.bySvc, svc)
		}
	}
	s.countTraces()
	return b
}

// keepInStore filters a group of held entries to those still in the store.
func keepInStore(hs []*heldEntry) []*heldEntry {
	out := hs[:0]
	for _, h := range hs {
		if h.inStore {
			out = append(out, h)
		}
	}
	clear(hs[len(out):])
	return out
}

// takeOne moves a held entry from the store into b (the caller drops it
// from its trace's or service's group).
func (s *JoinStore) takeOne(h *heldEntry, b *JoinBatch) {
	s.unlink(h)
	if h.reason == waitTwin {
		if ks := s.keys[h.key]; ks != nil && ks.held == h {
			// Reserved by the flush: an event that comes meanwhile is a
			// duplicate; Commit marks the key written, Abort holds the
			// entry again.
			ks.held, ks.owner = nil, b
			b.claims = append(b.claims, h.key)
		}
	}
	b.taken = append(b.taken, h)
}

// AppendTaken appends the lines of the entries the batch took (with their
// trace's session where it is known now), tells obs of them and of the
// taken timing, and counts them in st.
func (b *JoinBatch) AppendTaken(dst []byte, obs Observer, st *Stats) []byte {
	for _, h := range b.taken {
		start := len(dst)
		if h.sidAt >= 0 && h.info.SessionID != "" {
			dst = append(dst, h.line[:h.sidAt]...)
			dst = encode.String(dst, h.info.SessionID)
			dst = append(dst, h.line[h.sidAt+len("null"):]...)
		} else {
			dst = append(dst, h.line...)
		}
		if obs != nil && !obs.Entry(&h.info) {
			dst = dst[:start]
			st.DroppedDuplicate++
			continue
		}
		for i, n := range h.redacted {
			st.Redacted[i] += int64(n)
		}
		st.Written[h.typ]++
	}
	if obs != nil {
		var info EntryInfo
		for _, t := range b.tTaken {
			if t.sid == "" {
				continue
			}
			info = EntryInfo{Time: time.Unix(0, t.t.end).UTC(), Start: time.Unix(0, t.t.start).UTC(), SessionID: t.sid, UserID: t.t.uid}
			obs.Entry(&info)
		}
	}
	return dst
}

// signal wakes the flusher without blocking.
func (s *JoinStore) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// countTraces publishes whether entries or timing wait for a trace.
func (s *JoinStore) countTraces() {
	s.heldTraces.Store(int64(len(s.byTrace) + len(s.timing)))
}

// expire forgets the keys, trace sessions, services and timing not seen
// for Remember (Wait for timing), and the oldest beyond MaxRemembered.
func (s *JoinStore) expire(now int64) {
	limit := s.maxRemembered
	s.keyQ.popExpired(now-s.remember, func() bool { return len(s.keys) > limit }, func(key string, at int64) {
		if ks := s.keys[key]; ks != nil && ks.at == at && ks.owner == nil && ks.held == nil {
			delete(s.keys, key)
		}
	})
	s.traceQ.popExpired(now-s.remember, func() bool { return len(s.traces) > limit }, func(tid pcommon.TraceID, at int64) {
		if ts, ok := s.traces[tid]; ok && ts.at == at {
			delete(s.traces, tid)
		}
	})
	s.timingQ.popExpired(now-s.wait, func() bool { return len(s.timing) > limit }, func(tid pcommon.TraceID, at int64) {
		if t, ok := s.timing[tid]; ok && t.at == at {
			delete(s.timing, tid)
		}
	})
	s.svcQ.popExpired(now-s.remember, func() bool { return len(s.services) > limit }, func(svc string, at int64) {
		if last, ok := s.services[svc]; ok {
			if last > at && len(s.services) <= limit {
				s.svcQ.push(svc, last) // seen again since: remembered from then
			} else {
				delete(s.services, svc)
			}
		}
	})
	s.countTraces()
}

func (s *JoinStore) link(h *heldEntry) {
	if h.inStore {
		return
	}
	s.held.pushBack(h)
	h.inStore = true
	s.nHeld++
	s.heldSize += h.size()
}

func (s *JoinStore) unlink(h *heldEntry) {
	if !h.inStore {
		return
	}
	s.held.remove(h)
	h.inStore = false
	s.nHeld--
	s.heldSize -= h.size()
}

// heldList is a doubly linked list of held entries, oldest first.
type heldList struct{ root heldEntry }

func (l *heldList) init() { l.root.next, l.root.prev = &l.root, &l.root }

func (l *heldList) front() *heldEntry {
	if l.root.next == &l.root {
		return nil
	}
	return l.root.next
}

func (l *heldList) pushBack(h *heldEntry) {
	h.prev, h.next = l.root.prev, &l.root
	l.root.prev.next = h
	l.root.prev = h
}

func (l *heldList) remove(h *heldEntry) {
	h.prev.next, h.next.prev = h.next, h.prev
	h.prev, h.next = nil, nil
}

// fifo is a queue of remembered keys with the time they were added.
type fifo[K comparable] struct {
	items []fifoItem[K]
	head  int
}

type fifoItem[K comparable] struct {
	k  K
	at int64
}

func (q *fifo[K]) push(k K, at int64) { q.items = append(q.items, fifoItem[K]{k, at}) }

func (q *fifo[K]) peek() (K, int64, bool) {
	if q.head >= len(q.items) {
		var zero K
		return zero, 0, false
	}
	it := q.items[q.head]
	return it.k, it.at, true
}

// popExpired pops every item no later than cutoff, and the oldest beyond
// that while full reports true, handing each to drop.
func (q *fifo[K]) popExpired(cutoff int64, full func() bool, drop func(k K, at int64)) {
	for {
		k, at, ok := q.peek()
		if !ok || (at > cutoff && !full()) {
			return
		}
		q.pop()
		drop(k, at)
	}
}

func (q *fifo[K]) pop() {
	var zero fifoItem[K]
	q.items[q.head] = zero
	q.head++
	if q.head > 1024 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

// cloneInfo copies an EntryInfo's strings (they belong to the export's
// pdata, which a held entry outlives).
func cloneInfo(in *EntryInfo) EntryInfo {
	out := *in
	out.SessionID, out.UserID = strings.Clone(in.SessionID), strings.Clone(in.UserID)
	out.Model, out.ProjectPath = strings.Clone(in.Model), strings.Clone(in.ProjectPath)
	return out
}
