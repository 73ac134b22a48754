package encode

import (
	"hash/maphash"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Duplicate keys are found while the members are written, without a Go map:
// small maps compare each key with the earlier ones (kept in a stack
// array), larger ones hash each key with maphash into a 4096-bit filter and
// compare hashes only on a filter hit. Any sign of a repeat — an equal key,
// an equal hash, or a key with invalid UTF-8 (two different bad keys can
// read the same once their bytes become U+FFFD) — truncates what was
// written and starts over on the exact, allocating slow path. So a hash
// collision costs time, never correctness, and maps without repeats (the
// normal case) are walked once and never allocate.

// smallKeys is the size up to which keys are compared pairwise: at most 120
// string compares, most of them decided by the length.
const smallKeys = 16

// maxHashedKeys is the size up to which the stack arrays serve; larger maps
// always take the exact slow path.
const maxHashedKeys = 512

var keySeed = maphash.MakeSeed()

// members writes the members of m whose values sit at the given depth.
func members(dst []byte, m pcommon.Map, comma bool, skip func(string) bool, depth int) ([]byte, bool) {
	switch n := m.Len(); {
	case n <= smallKeys:
		return membersSmall(dst, m, comma, skip, depth)
	case n <= maxHashedKeys:
		return membersHashed(dst, m, comma, skip, depth)
	}
	return membersDedup(dst, m, comma, skip, depth)
}

func membersSmall(dst []byte, m pcommon.Map, comma bool, skip func(string) bool, depth int) ([]byte, bool) {
	start, startComma := len(dst), comma
	var keys [smallKeys]string
	n := 0
	for k, v := range m.All() {
		if skip != nil && skip(k) {
			continue
		}
		for _, prev := range keys[:n] {
			if prev == k {
				return membersDedup(dst[:start], m, startComma, skip, depth)
			}
		}
		keys[n] = k
		n++
		var clean bool
		if dst, clean = member(dst, comma, k, v, depth); !clean {
			return membersDedup(dst[:start], m, startComma, skip, depth)
		}
		comma = true
	}
	return dst, comma
}

func membersHashed(dst []byte, m pcommon.Map, comma bool, skip func(string) bool, depth int) ([]byte, bool) {
	start, startComma := len(dst), comma
	var (
		filter [64]uint64
		hashes [maxHashedKeys]uint64
	)
	n := 0
	for k, v := range m.All() {
		if skip != nil && skip(k) {
			continue
		}
		h := maphash.String(keySeed, k)
		word, bit := h>>58, uint64(1)<<(h>>52&63)
		if filter[word]&bit != 0 {
			for _, prev := range hashes[:n] {
				if prev == h {
					return membersDedup(dst[:start], m, startComma, skip, depth)
				}
			}
		}
		filter[word] |= bit
		hashes[n] = h
		n++
		var clean bool
		if dst, clean = member(dst, comma, k, v, depth); !clean {
			return membersDedup(dst[:start], m, startComma, skip, depth)
		}
		comma = true
	}
	return dst, comma
}

// member appends one "k":v member, after a comma when comma is set. clean
// is false when k holds invalid UTF-8.
func member(dst []byte, comma bool, k string, v pcommon.Value, depth int) (_ []byte, clean bool) {
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst, clean = appendEscaped(dst, k)
	dst = append(dst, '"', ':')
	return value(dst, v, depth), clean
}

// membersDedup is the exact path for a map that may hold a key more than
// once (pdata keeps repeated keys as they came off the wire): the last
// value of a key is written, once, at the place of its last occurrence. It
// allocates; such maps are rare.
func membersDedup(dst []byte, m pcommon.Map, comma bool, skip func(string) bool, depth int) ([]byte, bool) {
	last := make(map[string]int, m.Len())
	i := 0
	for k := range m.All() {
		last[writtenKey(k)] = i
		i++
	}
	i = 0
	for k, v := range m.All() {
		idx := i
		i++
		if last[writtenKey(k)] != idx || (skip != nil && skip(k)) {
			continue
		}
		dst, _ = member(dst, comma, k, v, depth)
		comma = true
	}
	return dst, comma
}

// writtenKey is k as a JSON reader sees it after String: each invalid UTF-8
// byte replaced by U+FFFD (which is what converting to []rune does).
func writtenKey(k string) string {
	if utf8ValidString(k) {
		return k
	}
	return string([]rune(k))
}
