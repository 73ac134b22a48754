package encode

import (
	"hash/maphash"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Duplicate detection without a Go map: every key is hashed with maphash
// into a fixed-size array on the stack and compared with the earlier hashes.
// Equal hashes send the map to the exact (allocating) slow path, so a hash
// collision costs time, never correctness.

// smallKeys is the size up to which hashes are compared pairwise.
const smallKeys = 16

// maxHashedKeys is the size up to which the stack arrays serve; larger maps
// always take the exact slow path.
const maxHashedKeys = 512

var keySeed = maphash.MakeSeed()

// hasDuplicateKeys reports whether m may hold a key twice, as written: two
// different keys with invalid UTF-8 can become the same key once their bad
// bytes are replaced by U+FFFD, so such keys take the exact path too. False
// means certainly not.
func hasDuplicateKeys(m pcommon.Map) bool {
	n := m.Len()
	switch {
	case n < 2:
		return false
	case n <= smallKeys:
		return smallHasDuplicate(m)
	case n <= maxHashedKeys:
		return largeHasDuplicate(m)
	}
	return true
}

// smallHasDuplicate compares every hash with the earlier ones: at most 120
// integer compares, cheaper than clearing a filter.
func smallHasDuplicate(m pcommon.Map) bool {
	var hashes [smallKeys]uint64
	n := 0
	for k := range m.All() {
		if !utf8.ValidString(k) {
			return true
		}
		h := maphash.String(keySeed, k)
		for _, prev := range hashes[:n] {
			if prev == h {
				return true
			}
		}
		hashes[n] = h
		n++
	}
	return false
}

// largeHasDuplicate uses a 4096-bit filter so that only keys whose filter
// bit is already set are compared with the earlier hashes.
func largeHasDuplicate(m pcommon.Map) bool {
	var (
		filter [64]uint64
		hashes [maxHashedKeys]uint64
	)
	n := 0
	for k := range m.All() {
		if !utf8.ValidString(k) {
			return true
		}
		h := maphash.String(keySeed, k)
		word, bit := h>>58, uint64(1)<<(h>>52&63)
		if filter[word]&bit != 0 {
			for _, prev := range hashes[:n] {
				if prev == h {
					return true
				}
			}
		}
		filter[word] |= bit
		hashes[n] = h
		n++
	}
	return false
}
