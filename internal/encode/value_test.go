package encode

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestValueExact(t *testing.T) {
	tests := []struct {
		name string
		set  func(v pcommon.Value)
		want string
	}{
		{"empty is null", func(pcommon.Value) {}, `null`},
		{"string", func(v pcommon.Value) { v.SetStr("a\"\n") }, `"a\"\n"`},
		{"int", func(v pcommon.Value) { v.SetInt(-7) }, `-7`},
		{"double", func(v pcommon.Value) { v.SetDouble(2.5) }, `2.5`},
		{"NaN", func(v pcommon.Value) { v.SetDouble(math.NaN()) }, `null`},
		{"+Inf", func(v pcommon.Value) { v.SetDouble(math.Inf(1)) }, `null`},
		{"bool", func(v pcommon.Value) { v.SetBool(true) }, `true`},
		{"bytes base64 std", func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0xfb, 0xff, 0x00}) }, `"+/8A"`},
		{"empty bytes", func(v pcommon.Value) { v.SetEmptyBytes() }, `""`},
		{"empty map", func(v pcommon.Value) { v.SetEmptyMap() }, `{}`},
		{"empty slice", func(v pcommon.Value) { v.SetEmptySlice() }, `[]`},
		{"empty key", func(v pcommon.Value) { v.SetEmptyMap().PutStr("", "x") }, `{"":"x"}`},
		{"slice of mixed", func(v pcommon.Value) {
			s := v.SetEmptySlice()
			s.AppendEmpty().SetInt(1)
			s.AppendEmpty().SetDouble(math.Inf(-1))
			s.AppendEmpty()
			s.AppendEmpty().SetEmptyMap().PutBool("b", false)
		}, `[1,null,null,{"b":false}]`},
		{"nested map keeps order", func(v pcommon.Value) {
			m := v.SetEmptyMap()
			m.PutStr("z", "1")
			m.PutEmptyMap("a").PutEmptySlice("s").AppendEmpty().SetStr("x")
		}, `{"z":"1","a":{"s":["x"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := pcommon.NewValueEmpty()
			tt.set(v)
			got := Value(nil, v)
			if string(got) != tt.want {
				t.Fatalf("Value = %s, want %s", got, tt.want)
			}
			if err := sameJSON(model(v, 0), mustStrict(t, got)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMapDuplicateKeysLastWins(t *testing.T) {
	tests := []struct {
		name string
		kvs  [][]byte
		want string
	}{
		{"repeat", [][]byte{pbKV("a", pbStr("1")), pbKV("b", pbInt(2)), pbKV("a", pbStr("3"))}, `{"b":2,"a":"3"}`},
		{"three times", [][]byte{pbKV("a", pbInt(1)), pbKV("a", pbInt(2)), pbKV("a", pbInt(3))}, `{"a":3}`},
		{"empty key twice", [][]byte{pbKV("", pbInt(1)), pbKV("", pbBool(true))}, `{"":true}`},
		{"invalid UTF-8 keys that read the same", [][]byte{pbKV("\xff", pbInt(1)), pbKV("\xfe", pbInt(2))}, "{\"\ufffd\":2}"},
		{"repeat after a nested value was written", [][]byte{pbKV("a", pbKVList(pbKV("x", pbArray(pbInt(1))))), pbKV("b", pbInt(2)), pbKV("a", pbBool(false))}, `{"b":2,"a":false}`},
		{"one invalid key alone", [][]byte{pbKV("k\xff", pbInt(1)), pbKV("k", pbInt(2))}, "{\"k\ufffd\":1,\"k\":2}"},
		{"nested", [][]byte{pbKV("m", pbKVList(pbKV("x", pbInt(1)), pbKV("x", pbInt(2))))}, `{"m":{"x":2}}`},
		{"in array", [][]byte{pbKV("s", pbArray(pbKVList(pbKV("x", pbInt(1)), pbKV("x", pbInt(2)))))}, `{"s":[{"x":2}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mapFromProto(t, tt.kvs...)
			got := Map(nil, m)
			if string(got) != tt.want {
				t.Fatalf("Map = %s, want %s", got, tt.want)
			}
			if err := sameJSON(modelMap(m, 0), mustStrict(t, got)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMapDuplicateKeysEverySize covers the pairwise, filtered and slow
// paths of the duplicate check, with the repeat anywhere in the map.
func TestMapDuplicateKeysEverySize(t *testing.T) {
	for _, n := range []int{2, 3, 15, 16, 17, 100, 511, 512, 513, 2000} {
		for _, at := range []int{0, (n - 2) / 2, n - 2} {
			t.Run(fmt.Sprintf("n=%d/repeat=%d", n, at), func(t *testing.T) {
				var kvs [][]byte
				for i := 0; i < n-1; i++ {
					kvs = append(kvs, pbKV(fmt.Sprintf("attr.%d", i), pbInt(int64(i))))
				}
				kvs = append(kvs, pbKV(fmt.Sprintf("attr.%d", at), pbStr("last")))
				m := mapFromProto(t, kvs...)
				obj := mustStrict(t, Map(nil, m)).(map[string]any)
				if len(obj) != n-1 || obj[fmt.Sprintf("attr.%d", at)] != "last" {
					t.Fatalf("got %d keys, attr.%d = %v", len(obj), at, obj[fmt.Sprintf("attr.%d", at)])
				}
			})
		}
		t.Run(fmt.Sprintf("n=%d/invalid-UTF-8-keys", n), func(t *testing.T) {
			var kvs [][]byte
			for i := 0; i < n-2; i++ {
				kvs = append(kvs, pbKV(fmt.Sprintf("attr.%d", i), pbInt(int64(i))))
			}
			m := mapFromProto(t, append(kvs, pbKV("\xff", pbInt(1)), pbKV("\xc3", pbStr("last")))...)
			obj := mustStrict(t, Map(nil, m)).(map[string]any)
			if len(obj) != n-1 || obj["\ufffd"] != "last" {
				t.Fatalf("got %d keys, U+FFFD = %v", len(obj), obj["\ufffd"])
			}
		})
		t.Run(fmt.Sprintf("n=%d/distinct", n), func(t *testing.T) {
			m := pcommon.NewMap()
			for i := 0; i < n; i++ {
				m.PutInt(fmt.Sprintf("k%d", i), int64(i))
			}
			if err := sameJSON(modelMap(m, 0), mustStrict(t, Map(nil, m))); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMaxDepth(t *testing.T) {
	for _, kind := range []string{"map", "slice"} {
		t.Run(kind, func(t *testing.T) {
			root := pcommon.NewValueEmpty()
			v := root
			for i := 0; i < MaxDepth+10; i++ {
				if kind == "map" {
					v = v.SetEmptyMap().PutEmpty("k")
				} else {
					v = v.SetEmptySlice().AppendEmpty()
				}
			}
			v.SetStr("leaf")
			out := Value(nil, root)
			got := mustStrict(t, out)
			depth := 0
			for {
				if m, ok := got.(map[string]any); ok {
					got = m["k"]
				} else if s, ok := got.([]any); ok {
					got = s[0]
				} else {
					break
				}
				depth++
			}
			if depth != MaxDepth || got != "<too deep>" {
				t.Fatalf("followed %d levels, then %v; want %d then <too deep>", depth, got, MaxDepth)
			}
		})
	}
}

func TestValueHuge(t *testing.T) {
	m := pcommon.NewMap()
	m.PutStr("big", strings.Repeat("x\x01", 1<<18))
	m.PutEmptyBytes("blob").FromRaw(make([]byte, 1<<20))
	s := m.PutEmptySlice("many")
	for i := 0; i < 20000; i++ {
		s.AppendEmpty().SetDouble(float64(i) / 3)
	}
	if err := sameJSON(modelMap(m, 0), mustStrict(t, Map(nil, m))); err != nil {
		t.Fatal(err)
	}
}

// TestMapRepeatsCutInPlace: a map with repeated keys is written whole,
// then the members a later one repeats are cut out; what is left must be
// exactly the last occurrence of each key, in order, with one comma between
// members, on every path (pairwise, hashed on the stack, hashed on the heap).
func TestMapRepeatsCutInPlace(t *testing.T) {
	patterns := map[string]func(i, n int) int{
		"first key again at the end": func(i, n int) int {
			if i == n-1 {
				return 0
			}
			return i
		},
		"every key twice in a row": func(i, _ int) int { return i / 2 },
		"two keys alternating":     func(i, _ int) int { return i % 2 },
		"one key":                  func(int, int) int { return 0 },
		"second half repeats the first": func(i, n int) int {
			return i % ((n + 1) / 2)
		},
	}
	for _, n := range []int{2, 3, 16, 17, 512, 513, 1500} {
		for name, key := range patterns {
			t.Run(fmt.Sprintf("n=%d/%s", n, name), func(t *testing.T) {
				var kvs [][]byte
				last := map[int]int{}
				for i := range n {
					kvs = append(kvs, pbKV(fmt.Sprintf("k%d", key(i, n)), pbInt(int64(i))))
					last[key(i, n)] = i
				}
				var want strings.Builder
				want.WriteByte('{')
				for i := range n {
					if last[key(i, n)] != i {
						continue
					}
					if want.Len() > 1 {
						want.WriteByte(',')
					}
					fmt.Fprintf(&want, `"k%d":%d`, key(i, n), i)
				}
				want.WriteByte('}')
				if got := Map(nil, mapFromProto(t, kvs...)); string(got) != want.String() {
					t.Fatalf("Map =\n%s\nwant\n%s", got, want.String())
				}
			})
		}
	}
}

// TestNestedRepeatsEncodedOnce: maps nested in one another as deep as
// Value follows, each level repeating a key after the nested map. Writing
// a map again on finding the repeat would encode the deepest level 2^31
// times (hours); cutting the repeat out of what was written encodes every
// level once (microseconds). The 10 s limit is for a busy machine.
func TestNestedRepeatsEncodedOnce(t *testing.T) {
	level := pbInt(0)
	for range MaxDepth - 1 {
		level = pbKVList(pbKV("a", pbInt(1)), pbKV("next", level), pbKV("a", pbInt(2)))
	}
	m := mapFromProto(t, pbKV("root", level))
	done := make(chan []byte, 1)
	go func() { done <- Map(nil, m) }()
	select {
	case out := <-done:
		if err := sameJSON(modelMap(m, 0), mustStrict(t, out)); err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a map of 31 levels with repeated keys still being written after 10s")
	}
}

func TestBytes(t *testing.T) {
	if got := string(Bytes(nil, []byte("hi?"))); got != `"aGk/"` {
		t.Fatalf("Bytes = %s", got)
	}
}
