package mapping

// Index maps a fixed set of strings (attribute keys, event names) to dense
// ids with one cheap hash and, usually, one string compare: the hot path
// looks up every attribute key of every record, where a Go map's hashing
// costs more than the rest of the lookup. Add keys, then Build; after Build
// it is read-only and safe for concurrent use.
type Index struct {
	slots []int16 // id+1, 0 = empty; open addressing, linear probing
	keys  []string
	mask  uint32
}

// Hash mixes the length and three bytes of k: enough to spread a few hundred
// known keys, a handful of instructions per lookup.
func Hash(k string) uint32 {
	n := len(k)
	if n == 0 {
		return 0
	}
	h := uint32(n)*0x9e3779b1 ^ uint32(k[0])<<16 ^ uint32(k[n-1])<<8 ^ uint32(k[n/2])
	h *= 0x85ebca6b
	return h ^ h>>15
}

// Add registers k (before Build) and returns its id; a known key keeps its id.
func (x *Index) Add(k string) int {
	for i, have := range x.keys {
		if have == k {
			return i
		}
	}
	x.keys = append(x.keys, k)
	return len(x.keys) - 1
}

// Build lays out the slots with a load factor of at most 1/4.
func (x *Index) Build() {
	size := 16
	for size < 4*len(x.keys) {
		size <<= 1
	}
	x.slots = make([]int16, size)
	x.mask = uint32(size - 1)
	for id, k := range x.keys {
		i := Hash(k) & x.mask
		for x.slots[i] != 0 {
			i = (i + 1) & x.mask
		}
		x.slots[i] = int16(id + 1)
	}
}

// Len is the number of keys.
func (x *Index) Len() int { return len(x.keys) }

// Key returns the key with id.
func (x *Index) Key(id int) string { return x.keys[id] }

// Lookup returns the id of k, or -1.
func (x *Index) Lookup(k string) int { return x.LookupHash(k, Hash(k)) }

// LookupHash is Lookup with h = Hash(k) already computed.
func (x *Index) LookupHash(k string, h uint32) int {
	if len(x.slots) == 0 {
		return -1
	}
	i := h & x.mask
	for {
		s := x.slots[i]
		if s == 0 {
			return -1
		}
		if x.keys[s-1] == k {
			return int(s - 1)
		}
		i = (i + 1) & x.mask
	}
}
