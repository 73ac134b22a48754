package convert

import (
	"unicode/utf8"

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
}

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

// attr is one attribute of the record being converted.
type attr struct {
	key  string
	val  pcommon.Value
	id   int16 // key id, -1 for keys the converter does not know
	dead bool  // a later attribute has the same key (the last one wins)
	used bool  // consumed by a named field or as an id
}

// attrSet holds one record's attributes in order with per-key-id positions.
// It is reused across records: pos is valid where gen equals cur.
type attrSet struct {
	list []attr
	pos  []int32 // key id -> index in list
	gen  []uint32
	cur  uint32
	tbl  *keyTable
	enc  []byte // scratch for comparing encoded keys
}

func newAttrSet(tbl *keyTable) *attrSet {
	return &attrSet{pos: make([]int32, tbl.len()), gen: make([]uint32, tbl.len()), tbl: tbl}
}

// load reads m. Repeated keys are found with a 128-bit filter of key
// hashes; only a filter hit compares strings. Keys with invalid UTF-8 take a
// slow path that compares their encoded form, since two different invalid
// keys can encode to the same JSON key.
func (s *attrSet) load(m pcommon.Map) {
	s.cur++
	if s.cur == 0 { // wrapped: stale stamps could look current
		clear(s.gen)
		s.cur = 1
	}
	s.list = s.list[:0]
	var filter [2]uint64
	invalid := false
	for k, v := range m.All() {
		h := mapping.Hash(k)
		bit := uint64(1) << (h >> 26 & 63)
		word := h >> 25 & 1
		if filter[word]&bit != 0 {
			s.markEarlier(k)
		}
		filter[word] |= bit
		id := int16(s.tbl.idx.LookupHash(k, h))
		if id >= 0 {
			s.pos[id], s.gen[id] = int32(len(s.list)), s.cur
		} else if !invalid && !utf8.ValidString(k) {
			invalid = true
		}
		s.list = append(s.list, attr{key: k, val: v, id: id})
	}
	if invalid {
		s.dedupEncoded()
	}
}

// markEarlier marks every earlier live attribute with key k dead.
func (s *attrSet) markEarlier(k string) {
	for i := range s.list {
		if !s.list[i].dead && s.list[i].key == k {
			s.list[i].dead = true
		}
	}
}

// dedupEncoded marks dead every attribute whose encoded key equals the
// encoded key of a later one.
func (s *attrSet) dedupEncoded() {
	for i := range s.list {
		if s.list[i].dead {
			continue
		}
		s.enc = encode.Key(s.enc[:0], s.list[i].key)
		n := len(s.enc)
		for j := i + 1; j < len(s.list); j++ {
			if s.list[j].dead {
				continue
			}
			s.enc = encode.Key(s.enc[:n], s.list[j].key)
			if string(s.enc[:n]) == string(s.enc[n:]) {
				s.list[i].dead = true
				break
			}
		}
	}
}

// find returns the index of the attribute with key id, or -1.
func (s *attrSet) find(id int16) int {
	if id < 0 || s.gen[id] != s.cur {
		return -1
	}
	return int(s.pos[id])
}

// Get implements mapping.Attrs (the last value of a repeated key wins).
func (s *attrSet) Get(key string) (pcommon.Value, bool) {
	if id := int16(s.tbl.idx.Lookup(key)); id >= 0 {
		if i := s.find(id); i >= 0 {
			return s.list[i].val, true
		}
		return pcommon.Value{}, false
	}
	for i := len(s.list) - 1; i >= 0; i-- {
		if s.list[i].key == key {
			return s.list[i].val, true
		}
	}
	return pcommon.Value{}, false
}
