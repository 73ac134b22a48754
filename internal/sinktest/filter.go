package sinktest

import "testing"

// Types returns the "type" of each entry, in order ("" where it is missing
// or not a string), for comparing a whole output at a glance.
func Types(entries []map[string]any) []string {
	types := make([]string, len(entries))
	for i, e := range entries {
		types[i], _ = e["type"].(string)
	}
	return types
}

// OfType returns the entries whose type is typ and whose session_id is the
// string id, in order. An entry with a null session_id matches no id, not
// even "".
func OfType(entries []map[string]any, typ, id string) []map[string]any {
	var out []map[string]any
	for _, e := range entries {
		if e["type"] == typ && e["session_id"] == id {
			out = append(out, e)
		}
	}
	return out
}

// Only returns the data object of the one entry of type typ for session id.
// It fails tb, listing the types of entries, unless exactly one entry
// matches and its data is an object.
func Only(tb testing.TB, entries []map[string]any, typ, id string) map[string]any {
	tb.Helper()
	found := OfType(entries, typ, id)
	if len(found) != 1 {
		tb.Fatalf("want one %s of session %q, got %d in %v", typ, id, len(found), Types(entries))
	}
	data, ok := found[0]["data"].(map[string]any)
	if !ok {
		tb.Fatalf("%s of session %q: data is %T, not an object", typ, id, found[0]["data"])
	}
	return data
}
