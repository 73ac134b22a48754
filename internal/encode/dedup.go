package encode

import (
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// A map is written in one pass over its members, remembering where each
// member starts. On the way, a repeated key is suspected: small maps
// compare each key with the earlier ones, larger ones put a seeded hash of
// each key into an open-addressing table, and a key with invalid UTF-8 is
// suspect too (two different bad keys can read the same once their bytes
// become U+FFFD). Only when something is suspect are the keys compared
// exactly, with a Go map of their written forms (which allocates), and the
// members that a later member repeats are cut out of what was written (the
// last value of a key wins, at the place of its last occurrence). So every
// value is encoded exactly once, whatever the map holds: writing a map over
// again would double the work at each level of nesting. A hash collision
// costs time, never correctness, and a map without repeats (the normal
// case) is written in one pass with no allocation.

// smallKeys is the size up to which keys are compared pairwise: at most 120
// string compares, most of them decided by the length.
const smallKeys = 16

// maxStackKeys is the size up to which the hash table and the member
// offsets live on the stack; larger maps allocate them.
const maxStackKeys = 512

var keySeed = maphash.MakeSeed()

// members writes the members of m, comma separated, without braces; depth
// counts the containers around their values.
func members(dst []byte, m pcommon.Map, depth int) []byte {
	switch n := m.Len(); {
	case n <= smallKeys:
		return membersSmall(dst, m, depth)
	case n <= maxStackKeys:
		var (
			table  [2 * maxStackKeys]uint32
			starts [maxStackKeys]int
		)
		return membersHashed(dst, m, depth, table[:], starts[:n])
	default:
		size := 1
		for size < 2*n {
			size <<= 1
		}
		return membersHashed(dst, m, depth, make([]uint32, size), make([]int, n))
	}
}

func membersSmall(dst []byte, m pcommon.Map, depth int) []byte {
	var (
		keys   [smallKeys]string
		starts [smallKeys]int
	)
	suspect := false
	i := 0
	for k, v := range m.All() {
		for _, prev := range keys[:i] {
			if prev == k {
				suspect = true
			}
		}
		keys[i], starts[i] = k, len(dst)
		var clean bool
		dst, clean = member(dst, i > 0, k, v, depth)
		suspect = suspect || !clean
		i++
	}
	if suspect {
		return dropRepeated(dst, m, starts[:i])
	}
	return dst
}

// membersHashed writes with a hash table of len(table) slots, a power of
// two at least twice len(starts), which holds one offset per member. The
// table holds 32 bits of each key's hash, 0 marking an empty slot (a hash
// of 0 is stored as 1).
func membersHashed(dst []byte, m pcommon.Map, depth int, table []uint32, starts []int) []byte {
	mask := uint32(len(table) - 1)
	suspect := false
	i := 0
	for k, v := range m.All() {
		h := uint32(maphash.String(keySeed, k)) | 1
		for j := h & mask; ; j = (j + 1) & mask {
			if table[j] == 0 {
				table[j] = h
				break
			}
			if table[j] == h {
				suspect = true
				break
			}
		}
		starts[i] = len(dst)
		var clean bool
		dst, clean = member(dst, i > 0, k, v, depth)
		suspect = suspect || !clean
		i++
	}
	if suspect {
		return dropRepeated(dst, m, starts)
	}
	return dst
}

// member appends one "k":v member, after a comma when comma is set. clean
// is false when k holds invalid UTF-8. A key written in as many bytes as it
// has holds no escape and no invalid byte (each becomes the three bytes of
// U+FFFD), so only keys that needed escaping are checked.
func member(dst []byte, comma bool, k string, v pcommon.Value, depth int) (_ []byte, clean bool) {
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	start := len(dst)
	dst = appendEscaped(dst, k)
	clean = len(dst)-start == len(k) || utf8.ValidString(k)
	dst = append(dst, '"', ':')
	return value(dst, v, depth), clean
}

// dropRepeated cuts out of the members just written (member i starts at
// starts[i], the last one ends at len(dst)) every member whose key a later
// member repeats, as a JSON reader sees the keys (WrittenKey). The members
// kept move down in place, each after a comma but the first.
func dropRepeated(dst []byte, m pcommon.Map, starts []int) []byte {
	var small [smallKeys]string
	keys := small[:0]
	if len(starts) > smallKeys {
		keys = make([]string, 0, len(starts))
	}
	for k := range m.All() {
		keys = append(keys, WrittenKey(k))
	}
	// repeated(i): a later member has the key of member i. Small maps
	// compare pairwise; larger ones look up the last place of each key.
	repeated := func(i int) bool { return slices.Contains(keys[i+1:], keys[i]) }
	if len(keys) > smallKeys {
		last := make(map[string]int, len(keys))
		for i, k := range keys {
			last[k] = i
		}
		repeated = func(i int) bool { return last[keys[i]] != i }
	}
	w, end := starts[0], len(dst)
	for i := range keys {
		if repeated(i) {
			continue
		}
		from, to := starts[i], end
		if i+1 < len(starts) {
			to = starts[i+1]
		}
		if dst[from] == ',' {
			from++
		}
		if w > starts[0] {
			dst[w] = ','
			w++
		}
		w += copy(dst[w:], dst[from:to])
	}
	return dst[:w]
}

// WrittenKey returns k as a JSON reader sees it once Key or String wrote
// it: k itself when it is valid UTF-8, else a copy with each byte that is
// not part of valid UTF-8 replaced by U+FFFD. Two keys read the same
// exactly when their WrittenKey forms are equal.
func WrittenKey(k string) string {
	if utf8.ValidString(k) {
		return k
	}
	var b strings.Builder
	b.Grow(len(k) + 8)
	for i := 0; i < len(k); {
		r, size := utf8.DecodeRuneInString(k[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(k[i : i+size])
		}
		i += size
	}
	return b.String()
}
