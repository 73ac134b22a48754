package convert

import (
	"fmt"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// TestAttrSetGetEveryKind reads attributes through Get for a key with a
// role, a common key (known only for its encoding: load keeps no value for
// it) and an unknown key, with repeats: the last value of a key wins.
func TestAttrSetGetEveryKind(t *testing.T) {
	c := mustNew(t, defaultOptions())
	role, common := "decision", "terminal.type"
	if id := int16(c.keys.idx.Lookup(role)); id < 0 || id >= c.keys.roles {
		t.Fatalf("%s: id %d, want a role id below %d", role, id, c.keys.roles)
	}
	if id := int16(c.keys.idx.Lookup(common)); id < c.keys.roles {
		t.Fatalf("%s: id %d, want a common id from %d on", common, id, c.keys.roles)
	}
	m := pcommon.NewMap()
	putAll(m, []kv{{role, "reject"}, {common, "tmux"}, {"x.unknown", "a"}, {common, "vscode"}, {role, "accept"}, {"x.unknown", "b"}})
	a := newAttrSet(&c.keys)
	a.load(m)
	for key, want := range map[string]string{role: "accept", common: "vscode", "x.unknown": "b"} {
		v, ok := a.Get(key)
		if !ok || v.Str() != want {
			t.Errorf("Get(%q) = %q, %v; want %q", key, v.AsString(), ok, want)
		}
	}
	if v, ok := a.Get("absent"); ok {
		t.Errorf("Get(absent) = %q, want not found", v.AsString())
	}
}

// TestIDCacheInterleaved writes more distinct strings than the cache has
// slots, interleaved and repeated, some equal in every byte the slot hash
// reads (length, first, middle and last byte): every write must be the
// string's own encoding, never a remembered neighbour's.
func TestIDCacheInterleaved(t *testing.T) {
	var ids []string
	for i := range 40 {
		ids = append(ids, fmt.Sprintf("s%02d-x-%c", i, 'a'+i%3))
	}
	ids = append(ids, "aXXXXa", "aYYYYa", "a\"\\\x01a", "é", "")
	var ic idCache
	for round := range 3 {
		for i := range ids {
			id := ids[(i*7+round)%len(ids)]
			want := "xnull"
			if id != "" {
				want = "x" + string(encode.String(nil, id))
			}
			if got := string(ic.appendID([]byte("x"), id)); got != want {
				t.Fatalf("appendID(%q) = %s, want %s", id, got, want)
			}
		}
	}
	ic.reset()
	for _, sl := range ic.slots {
		if sl.raw != "" || len(sl.enc) != 0 {
			t.Fatalf("reset kept %q", sl.raw)
		}
	}
}

// TestRepeatedKeysEverySize: on both sides of smallAttrs (filter and scan,
// or a map of keys), for record and resource attributes, a repeated key is
// written once, with its last value, at the place of its last occurrence,
// and two different invalid UTF-8 keys that are written the same count as
// one key.
func TestRepeatedKeysEverySize(t *testing.T) {
	c := testConverter(t, defaultOptions())
	for _, n := range []int{4, smallAttrs, smallAttrs + 1, 1000} {
		for _, invalid := range []bool{false, true} {
			t.Run(fmt.Sprintf("n=%d/invalid=%v", n, invalid), func(t *testing.T) {
				// n attributes: k0..k(n-3), then k0 again, then one more
				// key (x\xff or x\xfe when invalid, which read the same).
				var kvs [][2]string
				for i := range n - 2 {
					kvs = append(kvs, [2]string{fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i)})
				}
				kvs = append(kvs, [2]string{"k0", "last"}, [2]string{"x", "x1"})
				want := []string{}
				for i := 1; i < n-2; i++ {
					want = append(want, fmt.Sprintf("k%d=v%d", i, i))
				}
				want = append(want, "k0=last")
				if invalid {
					kvs[1][0], kvs[len(kvs)-1][0] = "x\xff", "x\xfe"
					want = append(want[1:], "x\ufffd=x1")
				} else {
					want = append(want, "x=x1")
				}
				ld := logBatch(nil, "s", logRec{eventName: "claude_code.tool_result", time: at(0)})
				rl := ld.ResourceLogs().At(0)
				putWire(rl.ScopeLogs().At(0).LogRecords().At(0).Attributes(), kvs)
				putWire(rl.Resource().Attributes(), kvs)
				var st Stats
				entries := checkLines(t, c.AppendLogs(nil, ld, &st))
				if len(entries) != 1 {
					t.Fatalf("%d entries, want 1 (%+v)", len(entries), st)
				}
				e := entries[0]
				var got []string
				for _, k := range e.dataKeys {
					if v, ok := e.Data[k].(string); ok {
						got = append(got, k+"="+v)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("data:\n got %v\nwant %v", got, want)
				}
				res := e.Metadata["resource"].(map[string]any)
				if omitted, ok := res["analytics.resource_omitted"].(map[string]any); ok {
					// Too big to repeat in every entry: the first members,
					// whole, and the count of the rest.
					left := jsonInt(t, omitted["attributes"])
					if len(res)-1+left != len(want) || left == 0 {
						t.Errorf("resource keeps %d keys and omits %d; want %d in all", len(res)-1, left, len(want))
					}
					return
				}
				if len(res) != len(want) || res["k0"] != "last" {
					t.Errorf("resource has %d keys, k0 = %v; want %d keys, k0 = last", len(res), res["k0"], len(want))
				}
			})
		}
	}
}
