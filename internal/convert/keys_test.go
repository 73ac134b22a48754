package convert

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// TestAttrSetGetEveryKind reads attributes through Get for a key with a
// role, a common key (known only for its encoding: load keeps no value for
// it) and an unknown key, with repeats: the last value of a key wins.
func TestAttrSetGetEveryKind(t *testing.T) {
	c, err := New(defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
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
