package sessions

import "encoding/binary"

// slot is what a Batch knows about one session id.
type slot struct {
	id    string
	fp    uint64 // fingerprint(id)
	shard int32
	state spanState
	// sess caches the span indexed for id during Commit. It is valid while
	// it is linked: a span once unlinked (forgotten) is never linked again.
	sess *session
}

// A batch's first smallBatch session ids are found through a small open
// addressing table on their fingerprints, which costs less than hashing the
// id for a map; past that, through a map. (A map from the first id costs
// BenchmarkBatch, 10 sessions interleaved, 16% more instructions per
// entry: 788 -> 913 by scripts/bench-instr.sh.)
const (
	smallBatch = 32
	tabBits    = 6 // 1<<tabBits entries, at most half of them used
)

// slotTable holds slot index + 1 per entry; 0 is empty.
type slotTable [1 << tabBits]int32

// fingerprint mixes id's length and its first and last 8 bytes (the
// distinct part of UUIDs and of numbered ids). Ids that share one are told
// apart by comparing them.
func fingerprint(id string) uint64 {
	n := len(id)
	var h uint64
	if n >= 8 {
		h = le64(id[:8])*0xff51afd7ed558ccd ^ le64(id[n-8:])
	} else {
		for i := range n {
			h = h<<8 | uint64(id[i])
		}
	}
	return (h ^ uint64(n)) * 0x9e3779b97f4a7c15
}

// le64 reads the first 8 bytes of s as a little-endian word: one load
// (the conversion to []byte neither copies nor allocates).
func le64(s string) uint64 { return binary.LittleEndian.Uint64([]byte(s[:8])) }

// sameID is a == b, looking at the last 8 bytes first: ids that differ
// (numbered ones, or ids with a common prefix) mostly differ there.
func sameID(a, b string) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	if n >= 8 && le64(a[n-8:]) != le64(b[n-8:]) {
		return false
	}
	return a == b
}

// slot returns the index of id's slot in b, making it (with the tracker's
// state of id now) on id's first entry.
func (t *Tracker) slot(b *Batch, id string) int32 {
	if len(b.slots) > 0 && sameID(b.slots[b.last].id, id) {
		return b.last
	}
	fp := fingerprint(id)
	i, ok := b.find(id, fp)
	if !ok {
		i = int32(len(b.slots))
		n := t.shardIndex(id)
		b.slots = append(b.slots, slot{id: id, fp: fp, shard: int32(n), state: t.peek(&t.shards[n], id)})
		b.index(i)
	}
	b.last = i
	return i
}

func (b *Batch) find(id string, fp uint64) (int32, bool) {
	if len(b.slots) > smallBatch {
		i, ok := b.ids[id]
		return i, ok
	}
	for h := fp >> (64 - tabBits); ; h = (h + 1) & (1<<tabBits - 1) {
		j := b.tab[h]
		if j == 0 {
			return 0, false
		}
		if sl := &b.slots[j-1]; sl.fp == fp && sl.id == id {
			return j - 1, true
		}
	}
}

// index makes the new slot i findable.
func (b *Batch) index(i int32) {
	switch n := len(b.slots); {
	case n <= smallBatch:
		h := b.slots[i].fp >> (64 - tabBits)
		for b.tab[h] != 0 {
			h = (h + 1) & (1<<tabBits - 1)
		}
		b.tab[h] = i + 1
	case n == smallBatch+1:
		if b.ids == nil {
			b.ids = make(map[string]int32)
		}
		for j := range b.slots {
			b.ids[b.slots[j].id] = int32(j)
		}
	default:
		b.ids[b.slots[i].id] = i
	}
}
