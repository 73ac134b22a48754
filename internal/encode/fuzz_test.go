package encode

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"unicode/utf8"
)

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x00\x1f\x7f\"\\", "\u2028\u0085é😀", "\xff\xc3\xed\xa0\x80", "\xc3:\xa9\u2028:\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkStringRoundTrip(t, s, String(nil, s))
		key := Key(nil, s)
		checkStringRoundTrip(t, s, key[:len(key)-1])
		// Joined at every split of s around an ASCII byte.
		for i := 0; i < len(s); i++ {
			if s[i] < utf8.RuneSelf {
				if got, want := Joined(nil, s[:i], s[i], s[i+1:]), String(nil, s); !bytes.Equal(got, want) {
					t.Fatalf("Joined(%q, %q, %q) = %s, String = %s", s[:i], s[i], s[i+1:], got, want)
				}
			}
		}
	})
}

// FuzzValue builds random pdata maps (every value type, repeated keys,
// invalid UTF-8, NaN and infinities, nesting past MaxDepth) from the fuzz
// input via OTLP protobuf, and checks the JSON against the model.
func FuzzValue(f *testing.F) {
	f.Add([]byte{6, 3, 0, 1, 'x', 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf8, 0x7f})
	f.Add([]byte{6, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	deep := make([]byte, 0, 200)
	for i := 0; i < 45; i++ {
		deep = append(deep, 5, 1)
	}
	f.Add(deep)
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{data: data}
		var kvs [][]byte
		for n := int(g.next() % 8); n > 0; n-- {
			kvs = append(kvs, pbKV(g.key(), g.value(0, protoRoom)))
		}
		m := mapFromProto(t, kvs...)
		got := mustStrict(t, Map(nil, m))
		if err := sameJSON(modelMap(m, 0), got); err != nil {
			t.Fatal(err)
		}
	})
}

// gen turns fuzz bytes into protobuf AnyValues; it reads zeros once the
// input runs out, so every input makes a finite value.
type gen struct {
	data []byte
	pos  int
}

func (g *gen) next() byte {
	if g.pos >= len(g.data) {
		return 0
	}
	g.pos++
	return g.data[g.pos-1]
}

func (g *gen) str() string {
	n := int(g.next() % 16)
	b := make([]byte, 0, n)
	for ; n > 0; n-- {
		b = append(b, g.next())
	}
	return string(b)
}

// key draws from a few keys so that repeats are common.
func (g *gen) key() string {
	keys := [...]string{"a", "b", "", "\xff", "\xfe", "é", "a\x00"}
	if c := g.next(); int(c) < len(keys)*32 {
		return keys[int(c)%len(keys)]
	}
	return g.str()
}

func (g *gen) u64() uint64 {
	var b [8]byte
	for i := range b {
		b[i] = g.next()
	}
	return binary.LittleEndian.Uint64(b[:])
}

// protoRoom is how many protobuf messages deep a value may nest: the
// OTLP unmarshaler refuses more than 100, and the LogsData, ResourceLogs,
// Resource and KeyValue around an attribute take a few. An array takes two
// levels (ArrayValue, AnyValue), a map three (KeyValueList, KeyValue,
// AnyValue), so arrays still nest past MaxDepth.
const protoRoom = 94

// value makes an AnyValue depth containers deep, with room protobuf levels
// left for its nesting.
func (g *gen) value(depth, room int) []byte {
	sel := g.next() % 9
	if sel == 5 && room < 2 || sel == 6 && room < 3 {
		sel = 0
	}
	switch sel {
	case 0:
		return pbStr(g.str())
	case 1:
		return pbInt(int64(g.u64()))
	case 2:
		return pbDouble(math.Float64frombits(g.u64()))
	case 3:
		specials := [...]float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e21, 1e-7}
		return pbDouble(specials[int(g.next())%len(specials)])
	case 4:
		return pbBool(g.next()%2 == 1)
	case 5:
		var vals [][]byte
		for n := int(g.next() % 4); n > 0 || depth < 2 && len(vals) == 0; n-- {
			vals = append(vals, g.value(depth+1, room-2))
		}
		return pbArray(vals...)
	case 6:
		var kvs [][]byte
		for n := int(g.next() % 5); n > 0; n-- {
			kvs = append(kvs, pbKV(g.key(), g.value(depth+1, room-3)))
		}
		return pbKVList(kvs...)
	case 7:
		return pbBytes([]byte(g.str()))
	}
	return nil // an AnyValue with no field: empty
}
