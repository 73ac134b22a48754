// Package deltas turns cumulative metric points into increments. A sender
// with cumulative temporality (Gemini CLI, most OTel SDKs' defaults) sends
// the running total of every stream at every export, so writing each point
// as it came would count the same calls, tokens and durations again and
// again. A Table remembers, per stream, the last point written and gives
// the increment since it: an unchanged point gives nothing, and a reset
// (a new start time, or a total that went down) starts the stream over.
//
// The first point of a stream the Table does not know is an increment from
// its start time, whole. After the exporter restarts, a stream that was
// already counted before is therefore counted again from its start: the
// Table keeps its state in memory only.
//
// A Table is updated in two steps, as the file is: a Batch computes the
// increments of one export against the committed state (and against the
// earlier points of the same batch), and Commit makes them the state once
// the batch is written. A batch that is not written is dropped with Abort,
// so the retry computes the same increments again. One batch at a time
// holds the Table: two exports of the same stream at once would otherwise
// compute their increments from the same point.
package deltas

import (
	"hash/maphash"
	"math"
	"sync"
)

// DefaultMaxStreams bounds the streams a Table remembers.
const DefaultMaxStreams = 100_000

// Key identifies one stream: resource, scope, metric and point attributes.
type Key struct{ Hi, Lo uint64 }

// Kind is the kind of a stream's points.
type Kind uint8

// The kinds of cumulative points.
const (
	Sum Kind = iota + 1
	Histogram
	ExpHistogram
	Summary
)

// Point is one cumulative point, as the converter reads it.
type Point struct {
	Kind        Kind
	Start, Time uint64 // unix ns; Start 0 = unknown
	// Sum: the value, an int when IsInt.
	IsInt bool
	Int   int64
	Float float64
	// Distributions.
	Count   uint64
	SumV    float64
	Buckets []uint64 // explicit histogram bucket counts; exp: positive buckets
	// Layout identifies the bucket layout (explicit bounds, or the
	// exponential scale and offsets); a change is a reset.
	Layout uint64
	Neg    []uint64 // exp: negative buckets
	Zero   uint64   // exp: zero count
}

// Delta is what to write for a point.
type Delta struct {
	// Skip: nothing to write (unchanged, or not newer than the last point).
	Skip bool
	// Reset: the stream started over; the increment is the point whole.
	Reset bool
	// First: the Table did not know the stream; the increment is the point
	// whole.
	First bool
	// The increments, of the point's kind.
	IsInt   bool
	Int     int64
	Float   float64
	Count   uint64
	SumV    float64
	Buckets []uint64
	Neg     []uint64
	Zero    uint64
	// Start is the start of the increment: the time of the point it is
	// counted from, else the stream's start.
	Start uint64
}

// Stats counts what a Table did.
type Stats struct {
	Streams   int   // remembered now
	Unchanged int64 // points that added nothing
	Resets    int64
	Evicted   int64 // streams forgotten to respect the bound
}

// state is one remembered stream.
type state struct {
	key        Key
	prev, next *state
	p          Point // the last committed point (Buckets and Neg owned)
}

// Table remembers the last point of every stream. Safe for concurrent use.
type Table struct {
	max int

	mu       sync.Mutex // held by the Batch that uses the Table
	streams  map[Key]*state
	lru      state // sentinel: lru.next is the most recently written
	stats    Stats
	statsMu  sync.Mutex // guards stats outside a batch
	batchBuf Batch
}

// New returns a Table that remembers at most maxStreams streams (<= 0:
// DefaultMaxStreams); the least recently written is forgotten first.
func New(maxStreams int) *Table {
	if maxStreams <= 0 {
		maxStreams = DefaultMaxStreams
	}
	t := &Table{max: maxStreams, streams: map[Key]*state{}}
	t.lru.next, t.lru.prev = &t.lru, &t.lru
	t.batchBuf.t = t
	return t
}

// Stats returns the counters.
func (t *Table) Stats() Stats {
	t.statsMu.Lock()
	defer t.statsMu.Unlock()
	return t.stats
}

// Begin takes the Table for one batch; the caller must end it with Commit
// or Abort.
func (t *Table) Begin() *Batch {
	t.mu.Lock()
	b := &t.batchBuf
	b.pending = b.pending[:0]
	clear(b.index)
	if b.index == nil {
		b.index = map[Key]int{}
	}
	b.unchanged, b.resets = 0, 0
	return b
}

// Batch is the increments of one export, not yet committed.
type Batch struct {
	t         *Table
	pending   []state // in order; a later point of a stream replaces an earlier
	index     map[Key]int
	unchanged int64
	resets    int64
	scratch   []uint64
}

// last returns the latest point of key: pending in this batch, else
// committed.
func (b *Batch) last(key Key) (*Point, bool) {
	if i, ok := b.index[key]; ok {
		return &b.pending[i].p, true
	}
	if s, ok := b.t.streams[key]; ok {
		return &s.p, true
	}
	return nil, false
}

// Delta returns the increment of p over the last point of its stream, and
// records p as that stream's latest point for the rest of the batch. The
// slices of the returned Delta are valid until the next call.
func (b *Batch) Delta(key Key, p *Point) Delta {
	prev, known := b.last(key)
	var d Delta
	switch {
	case !known:
		d = whole(p)
		d.First = true
	case p.Time != 0 && p.Time <= prev.Time && p.Start == prev.Start:
		// Not newer: a repeated export, or one out of order.
		b.unchanged++
		return Delta{Skip: true}
	case reset(prev, p):
		d = whole(p)
		d.Reset = true
		b.resets++
	default:
		d = b.sub(prev, p)
		if d.Skip {
			b.unchanged++
		}
	}
	b.keep(key, p)
	return d
}

// whole is a point counted from its start.
func whole(p *Point) Delta {
	return Delta{IsInt: p.IsInt, Int: p.Int, Float: p.Float, Count: p.Count, SumV: p.SumV,
		Buckets: p.Buckets, Neg: p.Neg, Zero: p.Zero, Start: p.Start}
}

// reset reports whether p starts its stream over.
func reset(prev, p *Point) bool {
	if p.Kind != prev.Kind || p.Start != prev.Start || p.Layout != prev.Layout || len(p.Buckets) != len(prev.Buckets) || len(p.Neg) != len(prev.Neg) {
		return true
	}
	switch p.Kind {
	case Sum:
		if p.IsInt != prev.IsInt {
			return true
		}
		if p.IsInt {
			return p.Int < prev.Int
		}
		return p.Float < prev.Float
	default:
		if p.Count < prev.Count || p.Zero < prev.Zero {
			return true
		}
		for i, c := range p.Buckets {
			if c < prev.Buckets[i] {
				return true
			}
		}
		for i, c := range p.Neg {
			if c < prev.Neg[i] {
				return true
			}
		}
	}
	return false
}

// sub is p - prev for a point that did not reset; Skip when nothing changed.
func (b *Batch) sub(prev, p *Point) Delta {
	d := Delta{Start: prev.Time}
	if p.Kind == Sum {
		d.IsInt = p.IsInt
		if p.IsInt {
			d.Int = p.Int - prev.Int
			d.Skip = d.Int == 0
		} else {
			d.Float = p.Float - prev.Float
			d.Skip = d.Float == 0 || math.IsNaN(d.Float)
		}
		return d
	}
	d.Count = p.Count - prev.Count
	d.SumV = p.SumV - prev.SumV
	d.Zero = p.Zero - prev.Zero
	b.scratch = b.scratch[:0]
	for i, c := range p.Buckets {
		b.scratch = append(b.scratch, c-prev.Buckets[i])
	}
	for i, c := range p.Neg {
		b.scratch = append(b.scratch, c-prev.Neg[i])
	}
	d.Buckets = b.scratch[:len(p.Buckets)]
	d.Neg = b.scratch[len(p.Buckets):]
	d.Skip = d.Count == 0
	return d
}

// keep records p as the batch's latest point of key, copying its slices.
func (b *Batch) keep(key Key, p *Point) {
	i, ok := b.index[key]
	if !ok {
		i = len(b.pending)
		b.pending = append(b.pending, state{})
		b.index[key] = i
	}
	s := &b.pending[i]
	s.key = key
	s.p.set(p)
}

// set makes q a copy of p, reusing q's slices.
func (q *Point) set(p *Point) {
	bk, ng := q.Buckets, q.Neg
	*q = *p
	q.Buckets = copyInto(bk, p.Buckets)
	q.Neg = copyInto(ng, p.Neg)
}

func copyInto(dst, src []uint64) []uint64 { return append(dst[:0], src...) }

// Commit makes the batch's points the streams' state and releases the
// Table.
func (b *Batch) Commit() {
	t := b.t
	for i := range b.pending {
		ps := &b.pending[i]
		s, ok := t.streams[ps.key]
		if !ok {
			if len(t.streams) >= t.max {
				t.evict()
			}
			s = &state{key: ps.key}
			t.streams[ps.key] = s
		} else {
			s.prev.next, s.next.prev = s.next, s.prev
		}
		s.p.set(&ps.p)
		s.prev, s.next = &t.lru, t.lru.next
		t.lru.next.prev = s
		t.lru.next = s
	}
	t.statsMu.Lock()
	t.stats.Streams = len(t.streams)
	t.stats.Unchanged += b.unchanged
	t.stats.Resets += b.resets
	t.statsMu.Unlock()
	t.mu.Unlock()
}

// Abort forgets the batch and releases the Table.
func (b *Batch) Abort() { b.t.mu.Unlock() }

// evict forgets the least recently written stream (Table lock held).
func (t *Table) evict() {
	s := t.lru.prev
	if s == &t.lru {
		return
	}
	s.prev.next, s.next.prev = s.next, s.prev
	delete(t.streams, s.key)
	t.statsMu.Lock()
	t.stats.Evicted++
	t.statsMu.Unlock()
}

// The seeds of stream keys: one per process, so a Hash serves any Table.
var seed1, seed2 = maphash.MakeSeed(), maphash.MakeSeed()

// Hash builds stream keys: two independent 64-bit hashes of the same
// input, so two streams share a key with a chance of about 2^-128.
type Hash struct {
	h1, h2 maphash.Hash
}

// NewHash returns a Hash.
func NewHash() *Hash {
	h := &Hash{}
	h.h1.SetSeed(seed1)
	h.h2.SetSeed(seed2)
	return h
}

// Bytes adds b, delimited, to the key.
func (h *Hash) Bytes(b []byte) {
	_, _ = h.h1.Write(b)
	_, _ = h.h2.Write(b)
	h.Uint64(uint64(len(b)))
}

// Reset starts a new key.
func (h *Hash) Reset() { h.h1.Reset(); h.h2.Reset() }

// String adds s, delimited, to the key.
func (h *Hash) String(s string) {
	_, _ = h.h1.WriteString(s)
	_, _ = h.h2.WriteString(s)
	h.Uint64(uint64(len(s)))
}

// Uint64 adds v to the key.
func (h *Hash) Uint64(v uint64) {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	_, _ = h.h1.Write(b[:])
	_, _ = h.h2.Write(b[:])
}

// Key is the key built so far.
func (h *Hash) Key() Key { return Key{Hi: h.h1.Sum64(), Lo: h.h2.Sum64()} }

// Lazy takes a Table for one export only when the export has a cumulative
// point: exports of logs, and of delta metrics, never wait for the Table.
// The zero value with T set is ready; End must be called once the export
// is written or has failed.
type Lazy struct {
	T *Table
	b *Batch
}

// Delta is Batch.Delta, taking the Table on first use.
func (l *Lazy) Delta(key Key, p *Point) Delta {
	if l.b == nil {
		l.b = l.T.Begin()
	}
	return l.b.Delta(key, p)
}

// End commits the increments (written true) or drops them, and releases
// the Table if it was taken.
func (l *Lazy) End(written bool) {
	if l.b == nil {
		return
	}
	if written {
		l.b.Commit()
	} else {
		l.b.Abort()
	}
	l.b = nil
}
