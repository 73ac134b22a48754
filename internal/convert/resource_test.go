package convert

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestOversizedResourceIsCapped: a resource too big to repeat in every
// entry keeps its first attributes whole, within maxResourceBytes, and
// says how many it left out; the output grows with the records, not with
// records times the resource.
func TestOversizedResourceIsCapped(t *testing.T) {
	var res []kv
	for i := range 4096 {
		res = append(res, kv{fmt.Sprintf("attr.%04d", i), strings.Repeat("v", 40)})
	}
	var recs []logRec
	for range 200 {
		recs = append(recs, logRec{eventName: "claude_code.tool_result", time: at(0)})
	}
	c := testConverter(t, defaultOptions())
	var st Stats
	out := c.AppendLogs(nil, logBatch(res, "s", recs...), &st)
	entries := checkLines(t, out)
	if len(entries) != 200 {
		t.Fatalf("%d entries", len(entries))
	}
	for _, e := range entries[:1] {
		raw, err := json.Marshal(e.Metadata["resource"])
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) > maxResourceBytes {
			t.Errorf("resource object of %d bytes, over %d", len(raw), maxResourceBytes)
		}
		m := e.Metadata["resource"].(map[string]any)
		om, ok := m["analytics.resource_omitted"].(map[string]any)
		if !ok {
			t.Fatalf("no omitted marker: %s", raw)
		}
		if kept, left := len(m)-1, jsonInt(t, om["attributes"]); kept+left != 4096 || kept == 0 || m["attr.0000"] == nil {
			t.Errorf("kept %d, omitted %d of 4096", kept, left)
		}
	}
	if perEntry := len(out) / len(entries); perEntry > maxResourceBytes+1024 {
		t.Errorf("%d bytes per entry", perEntry)
	}
}

func TestCapObject(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		want  string
	}{
		{`{"a":1}`, 100, `{"a":1}`},
		{`{"a":"x,}\"","b":{"c":[1,2]},"d":3}`, 100, `{"a":"x,}\"","b":{"c":[1,2]},"d":3}`},
		{`{"a":1,"b":"` + strings.Repeat("x", 200) + `"}`, 120,
			`{"a":1,"analytics.resource_omitted":{"attributes":1,"bytes":214}}`},
		{`{"a":"` + strings.Repeat("x", 200) + `"}`, 120, `{"analytics.resource_omitted":{"attributes":1,"bytes":208}}`},
	} {
		got, cut := capObject([]byte(c.in), c.limit)
		if string(got) != c.want || cut != (c.in != c.want) {
			t.Errorf("capObject(%s, %d) = %s, %v; want %s", c.in, c.limit, got, cut, c.want)
		}
		if !json.Valid(got) {
			t.Errorf("not JSON: %s", got)
		}
	}
}

// jsonInt reads a decoded JSON number.
func jsonInt(t *testing.T, v any) int {
	t.Helper()
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			t.Fatal(err)
		}
		return int(i)
	case float64:
		return int(n)
	}
	t.Fatalf("%#v is not a number", v)
	return 0
}
