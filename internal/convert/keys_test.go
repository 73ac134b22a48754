package convert

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
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
