package mapping

import (
	"strconv"
	"testing"
)

func TestIndex(t *testing.T) {
	var x Index
	if x.Lookup("a") != -1 {
		t.Fatal("empty index found a key")
	}
	keys := []string{"", "a", "session.id", "user.id", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"}
	for i := 0; i < 300; i++ {
		keys = append(keys, "k"+strconv.Itoa(i)) // many keys with equal first/last bytes: collisions
	}
	for i, k := range keys {
		if id := x.Add(k); id != i {
			t.Fatalf("Add(%q) = %d, want %d", k, id, i)
		}
	}
	if x.Add("a") != 1 {
		t.Error("re-adding a key gave a new id")
	}
	x.Build()
	for i, k := range keys {
		if id := x.Lookup(k); id != i || x.Key(id) != k {
			t.Errorf("Lookup(%q) = %d, want %d", k, id, i)
		}
	}
	for _, k := range []string{"b", "session.i", "k300", "k-1", "user.id "} {
		if id := x.Lookup(k); id != -1 {
			t.Errorf("Lookup(%q) = %d, want -1", k, id)
		}
	}
}
