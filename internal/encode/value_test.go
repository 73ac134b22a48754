package encode

import (
	"fmt"
	"math"
	"strings"
	"testing"

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

func TestMembers(t *testing.T) {
	m := mapFromProto(t, pbKV("keep", pbInt(1)), pbKV("drop", pbInt(2)), pbKV("keep", pbInt(3)))
	skip := func(k string) bool { return k == "drop" }
	tests := []struct {
		name      string
		comma     bool
		skip      func(string) bool
		want      string
		wantComma bool
	}{
		{"first member", false, skip, `"keep":3`, true},
		{"after a member", true, skip, `,"keep":3`, true},
		{"nil skip", false, nil, `"drop":2,"keep":3`, true},
		{"all skipped", true, func(string) bool { return true }, ``, true},
		{"all skipped, none before", false, func(string) bool { return true }, ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, comma := Members(nil, m, tt.comma, tt.skip)
			if string(got) != tt.want || comma != tt.wantComma {
				t.Fatalf("Members = %s, %v; want %s, %v", got, comma, tt.want, tt.wantComma)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	if got := string(Bytes(nil, []byte("hi?"))); got != `"aGk/"` {
		t.Fatalf("Bytes = %s", got)
	}
}
