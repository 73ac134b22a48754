package sessions

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// snapshotMagic starts a snapshot; the last byte is the format version.
// Version 1 (no token kinds beyond input and output, cost as a float, no
// prompts or tool failures) is still read.
const (
	snapshotMagic   = "AXS\x02"
	snapshotMagicV1 = "AXS\x01"
)

// errCorrupt reports a snapshot that cannot be decoded.
var errCorrupt = errors.New("corrupt session snapshot")

// appendSnapshot appends the open spans of every shard, least recently seen
// first, and marks the shards clean. Format: snapshotMagic, then per span the
// strings id, user, model, project (uvarint length + bytes), the varints
// first, last, seen, the five token counts (input, output, cache read,
// cache creation, reasoning) and the cost in nano-dollars, the uvarints
// records, tools, tool failures, errors, prompts, and a flags byte (1 =
// explicit start, 2 = has a cost).
func appendSnapshot(dst []byte, t *Tracker) []byte {
	dst = append(dst, snapshotMagic...)
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for s := sh.open.prev; s != &sh.open; s = s.prev {
			dst = appendSpan(dst, s)
		}
		sh.dirty = false
		sh.mu.Unlock()
	}
	return dst
}

func appendSpan(dst []byte, s *session) []byte {
	for _, str := range [...]string{s.id, s.userID, s.model, s.project} {
		dst = binary.AppendUvarint(dst, uint64(len(str)))
		dst = append(dst, str...)
	}
	for _, v := range [...]int64{s.first, s.last, s.seen} {
		dst = binary.AppendVarint(dst, v)
	}
	for _, v := range s.tok {
		dst = binary.AppendVarint(dst, v)
	}
	dst = binary.AppendVarint(dst, s.costNano)
	for _, v := range [...]uint32{s.records, s.tools, s.toolFailures, s.errors, s.prompts} {
		dst = binary.AppendUvarint(dst, uint64(v))
	}
	var flags byte
	if s.explicitStart {
		flags |= 1
	}
	if s.hasCost {
		flags |= 2
	}
	return append(dst, flags)
}

// decodeSnapshot returns the spans of a snapshot ordered by last seen,
// oldest first, or errCorrupt.
func decodeSnapshot(data []byte) ([]*session, error) {
	if len(data) < len(snapshotMagic) {
		return nil, errCorrupt
	}
	var span func(*decoder) *session
	switch string(data[:len(snapshotMagic)]) {
	case snapshotMagic:
		span = decodeSpan
	case snapshotMagicV1:
		span = decodeSpanV1
	default:
		return nil, errCorrupt
	}
	d := decoder{b: data[len(snapshotMagic):]}
	var spans []*session
	for len(d.b) > 0 && d.err == nil {
		spans = append(spans, span(&d))
	}
	if d.err != nil {
		return nil, d.err
	}
	slices.SortStableFunc(spans, func(a, b *session) int { return cmp.Compare(a.seen, b.seen) })
	return spans, nil
}

func decodeSpan(d *decoder) *session {
	s := &session{}
	s.id, s.userID, s.model, s.project = d.str(), d.str(), d.str(), d.str()
	s.first, s.last, s.seen = d.varint(), d.varint(), d.varint()
	for i := range s.tok {
		s.tok[i] = d.varint()
	}
	s.costNano = d.varint()
	s.records, s.tools, s.toolFailures, s.errors, s.prompts = d.u32(), d.u32(), d.u32(), d.u32(), d.u32()
	flags := d.byte()
	s.explicitStart, s.hasCost = flags&1 != 0, flags&2 != 0
	if s.id == "" || flags > 3 || s.first > s.last {
		d.err = errCorrupt
	}
	return s
}

// decodeSpanV1 reads a span of a version 1 snapshot.
func decodeSpanV1(d *decoder) *session {
	s := &session{}
	s.id, s.userID, s.model, s.project = d.str(), d.str(), d.str(), d.str()
	s.first, s.last, s.seen = d.varint(), d.varint(), d.varint()
	s.tok[tokInput], s.tok[tokOutput] = d.varint(), d.varint()
	cost := math.Float64frombits(d.u64())
	if !math.IsNaN(cost) && math.Abs(cost) < 1e9 {
		s.costNano = int64(math.Round(cost * nanosPerDollar))
	}
	s.hasCost = s.costNano != 0
	s.records, s.tools, s.errors = d.u32(), d.u32(), d.u32()
	flags := d.byte()
	s.explicitStart = flags&1 != 0
	if s.id == "" || flags > 1 || s.first > s.last {
		d.err = errCorrupt
	}
	return s
}

// decoder reads snapshot fields; the first failure sticks in err and every
// later read returns zero.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) u32() uint32 {
	v := d.uvarint()
	if v > math.MaxUint32 {
		d.err = errCorrupt
		return 0
	}
	return uint32(v)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errCorrupt
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.err = errCorrupt
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}
