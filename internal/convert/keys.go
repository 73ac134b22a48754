package convert

import (
	"unicode/utf8"
	"unsafe"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// keyTable maps the attribute keys the converter looks at (sources of
// named fields, ids, rule conditions, common keys) to dense ids, so that one
// pass over a record's attributes finds everything with one cheap probe per
// attribute instead of a Get per source key. Built once in New; read-only.
type keyTable struct {
	idx mapping.Index
	enc [][]byte // key id -> `"key":`, so known keys are copied, not escaped
	// roles: ids below it have a role (a source, an id, a rule condition);
	// the ids from it on are common keys known only for their encoding,
	// whose values nobody looks up, so load stores nothing for them.
	roles int16
	// cond: the ids of mapping.SpanConditionKeys, in order.
	cond []int16
}

// endRoles marks every key added so far as having a role.
func (t *keyTable) endRoles() { t.roles = int16(t.idx.Len()) }

// add registers k and returns its id (the existing one if already known).
func (t *keyTable) add(k string) int16 { return int16(t.idx.Add(k)) }

func (t *keyTable) build() {
	t.idx.Build()
	t.enc = make([][]byte, t.idx.Len())
	for id := range t.enc {
		t.enc[id] = encode.Key(nil, t.idx.Key(id))
	}
}

func (t *keyTable) len() int { return t.idx.Len() }

// Flags of one attribute position.
const (
	attrDead uint8 = 1 << iota // a later attribute has the same key (the last one wins)
	attrUsed                   // consumed by a named field or as an id
)

// attrSet holds one record's attributes: the map itself, and per position
// the key id and flags; values are copied only for known keys. The passes
// that write attributes iterate the map again instead of a copied list: a
// copied list of keys and values is three pointer words per attribute, and
// in a Collector the GC marks most of the time (the receiver allocates every
// batch anew), so every one of those stores went through the write barrier
// (13-17% of the exporter's CPU in the Collector's profile). It is reused
// across records: pos is valid where gen equals cur.
type attrSet struct {
	m     pcommon.Map
	ids   []int16         // position -> key id, -1 for keys the converter does not know
	flags []uint8         // position -> attrDead|attrUsed
	vals  []pcommon.Value // position -> value, set only where ids[position] >= 0
	pos   []int32         // key id -> position
	gen   []uint32
	cur   uint32
	tbl   *keyTable
	// The last key Get looked up (lookup).
	lastKey *byte
	lastLen int
	lastID  int16
}

func newAttrSet(tbl *keyTable) *attrSet {
	return &attrSet{pos: make([]int32, tbl.len()), gen: make([]uint32, tbl.len()), tbl: tbl}
}

// smallAttrs is the most attributes a record may have for load to find
// repeated keys with a 128-bit filter of key hashes and, on a filter hit, a
// scan of the earlier keys: at most smallAttrs²/2 string compares, a bound
// per attribute. Agents send 5 to 20 attributes per record. A record with
// more goes through markRepeats, whose cost grows with the number of
// attributes and not with its square.
const smallAttrs = 32

// load reads m. Repeated keys are found with a filter and a scan for up to
// smallAttrs attributes, by markRepeats for more. Keys with invalid UTF-8
// go through markRepeats too, which compares their written form, since two
// different invalid keys can be written as the same JSON key.
func (s *attrSet) load(m pcommon.Map) {
	s.cur++
	if s.cur == 0 { // wrapped: stale stamps could look current
		clear(s.gen)
		s.cur = 1
	}
	s.m = m
	if n := m.Len(); cap(s.ids) < n {
		s.ids, s.flags, s.vals = make([]int16, n), make([]uint8, n), make([]pcommon.Value, n)
	}
	s.ids, s.flags, s.vals = s.ids[:cap(s.ids)], s.flags[:cap(s.flags)], s.vals[:cap(s.vals)]
	var filter [2]uint64
	invalid := false
	i := 0
	for k, v := range m.All() {
		h := mapping.Hash(k)
		bit := uint64(1) << (h >> 26 & 63)
		word := h >> 25 & 1
		if filter[word]&bit != 0 {
			s.markEarlier(k, i)
		}
		filter[word] |= bit
		id := int16(s.tbl.idx.LookupHash(k, h))
		s.ids[i], s.flags[i] = id, 0
		if uint16(id) < uint16(s.tbl.roles) {
			s.pos[id], s.gen[id] = int32(i), s.cur
			s.vals[i] = v
		} else if id < 0 && !invalid && !utf8.ValidString(k) {
			invalid = true
		}
		i++
	}
	if invalid || m.Len() > smallAttrs {
		s.markRepeats()
	}
}

// markEarlier marks every live attribute before position upto with key k
// dead. Records of more than smallAttrs attributes are left to markRepeats.
func (s *attrSet) markEarlier(k string, upto int) {
	if s.m.Len() > smallAttrs {
		return
	}
	i := 0
	for key := range s.m.All() {
		if i >= upto {
			return
		}
		if s.flags[i]&attrDead == 0 && key == k {
			s.flags[i] |= attrDead
		}
		i++
	}
}

// markRepeats marks dead every attribute whose key comes again later, as a
// JSON reader sees the keys (encode.WrittenKey: this allocates for each key
// that is not valid UTF-8), with a map from each key to the position of its
// latest occurrence.
func (s *attrSet) markRepeats() {
	last := make(map[string]int32, s.m.Len())
	i := int32(0)
	for k := range s.m.All() {
		key := encode.WrittenKey(k)
		if j, ok := last[key]; ok {
			s.flags[j] |= attrDead
		}
		last[key] = i
		i++
	}
}

// find returns the position of the attribute with key id, or -1.
func (s *attrSet) find(id int16) int {
	if id < 0 || s.gen[id] != s.cur {
		return -1
	}
	return int(s.pos[id])
}

// val is the value at position i, a position find returned.
func (s *attrSet) val(i int) pcommon.Value { return s.vals[i] }

// use marks the attribute at position i consumed.
func (s *attrSet) use(i int) { s.flags[i] |= attrUsed }

// Get implements mapping.Attrs (the last value of a repeated key wins).
func (s *attrSet) Get(key string) (pcommon.Value, bool) {
	if id := s.lookup(key); id >= 0 && id < s.tbl.roles {
		if i := s.find(id); i >= 0 {
			return s.vals[i], true
		}
		return pcommon.Value{}, false
	}
	var (
		found pcommon.Value
		ok    bool
	)
	for k, v := range s.m.All() {
		if k == key {
			found, ok = v, true
		}
	}
	return found, ok
}

// lookup is the key table's id of key, remembering the last key asked
// by its bytes' address: the resolver asks for the same strings (the
// override attribute) for every record.
func (s *attrSet) lookup(key string) int16 {
	p := unsafe.StringData(key)
	if p == s.lastKey && len(key) == s.lastLen {
		return s.lastID
	}
	id := int16(s.tbl.idx.Lookup(key))
	s.lastKey, s.lastLen, s.lastID = p, len(key), id
	return id
}
