package convert

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// toolRec is a Gemini-style tool_call record (typed values) plus extra
// attributes: a record that maps under the default configuration.
func toolRec(extra ...kv) logRec {
	return logRec{sev: 9, time: at(0), attrs: append([]kv{{"event.name", "gemini_cli.tool_call"}, {"function_name", "read_file"},
		{"session.id", "s-1"}}, extra...)}
}

// nested returns a value nested depth maps deep.
func nested(depth int) any {
	var v any = "leaf"
	for i := 0; i < depth; i++ {
		v = []kv{{"k", v}}
	}
	return v
}

// TestStrictJSON covers every case of the entry format through the
// converter: each line must parse with encoding/json, pass schema.CheckLine
// (strict: no NaN, no duplicate keys, valid UTF-8, the seven keys in order)
// and hold the value the case expects.
func TestStrictJSON(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	many := make([]kv, 0, 5000)
	for i := 0; i < 5000; i++ {
		many = append(many, kv{"k" + strconv.Itoa(i), i})
	}
	cases := []struct {
		name  string
		rec   logRec
		check func(t *testing.T, e entry, st Stats)
	}{
		{"NaN and infinities in attributes", toolRec(kv{"nan", math.NaN()}, kv{"inf", math.Inf(1)}, kv{"ninf", math.Inf(-1)}),
			func(t *testing.T, e entry, _ Stats) {
				for _, k := range []string{"nan", "inf", "ninf"} {
					if v, ok := e.Data[k]; !ok || v != nil {
						t.Errorf("%s = %v (present %v), want null", k, v, ok)
					}
				}
			}},
		{"NaN named field", toolRec(kv{"duration_ms", math.NaN()}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "duration_ms", nil) }},
		{"NaN text in a named number field stays text and is counted", toolRec(kv{"duration_ms", "NaN"}),
			func(t *testing.T, e entry, st Stats) {
				wantData(t, e, "duration_ms", "NaN")
				if st.CoercionFailed != 1 {
					t.Errorf("CoercionFailed %d, want 1", st.CoercionFailed)
				}
			}},
		{"invalid UTF-8 in keys and values", toolRec(kv{"bad\xffkey", "bad\xfevalue"}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "bad\ufffdkey", "bad\ufffdvalue") }},
		{"invalid UTF-8 keys that encode alike are written once, last wins", toolRec(kv{"a\xff", 1}, kv{"a\xfe", 2}, kv{"a\ufffd", 3}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "a\ufffd", 3) }},
		{"nested map keys that encode alike are written once", toolRec(kv{"obj", []kv{{"a\xff", 1}, {"a\xfe", 2}}}),
			func(t *testing.T, e entry, _ Stats) {
				if obj, _ := e.Data["obj"].(map[string]any); len(obj) != 1 {
					t.Errorf("obj = %v, want one key", e.Data["obj"])
				}
			}},
		{"invalid UTF-8 event name", logRec{sev: 9, time: at(0), attrs: []kv{{"event.name", "gemini_cli.tool_call\xff"}, {"analytics.type", "tool_use"}}},
			func(t *testing.T, e entry, _ Stats) {
				if e.Metadata["event_name"] != "gemini_cli.tool_call\ufffd" {
					t.Errorf("event_name %q", e.Metadata["event_name"])
				}
			}},
		{"control characters and line separators", toolRec(kv{"ctl\x00\x1f\x7f", "a\nb\tc\u2028d\u0085e\"\\"}),
			func(t *testing.T, e entry, _ Stats) {
				wantData(t, e, "ctl\x00\x1f\x7f", "a\nb\tc\u2028d\u0085e\"\\")
				if strings.ContainsAny(string(e.raw), "\n\t\x00\x7f") || strings.Contains(string(e.raw), "\u2028") {
					t.Errorf("raw control character in line: %q", e.raw)
				}
			}},
		{"repeated OTLP key: the last value wins", toolRec(kv{"dup", "first"}, kv{"x", 1}, kv{"dup", "last"}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "dup", "last") }},
		{"repeated source of a named field: the last value wins", toolRec(kv{"duration_ms", 1}, kv{"duration_ms", 2}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "duration_ms", 2) }},
		{"attribute named like a named field is written once (the named field)", toolRec(kv{"tool_name", "from-attr"}, kv{"function_name", "ignored"}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "tool_name", "from-attr") }},
		{"bytes as base64", toolRec(kv{"blob", []byte{0, 1, 2, 0xff}}),
			func(t *testing.T, e entry, _ Stats) {
				wantData(t, e, "blob", base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff}))
			}},
		{"nested maps and slices", toolRec(kv{"obj", []kv{{"a", []any{1, "two", 3.5, true, nil, []kv{{"b", "c"}}}}}}),
			func(t *testing.T, e entry, _ Stats) {
				obj, ok := e.Data["obj"].(map[string]any)
				arr, _ := obj["a"].([]any)
				if !ok || len(arr) != 6 || arr[1] != "two" || arr[3] != true || arr[4] != nil {
					t.Errorf("obj = %#v", e.Data["obj"])
				}
			}},
		{"nesting deeper than MaxDepth is cut", toolRec(kv{"deep", nested(100)}),
			func(t *testing.T, e entry, _ Stats) {
				if !strings.Contains(string(e.raw), `"<too deep>"`) {
					t.Error("deep value not cut")
				}
			}},
		{"empty key", toolRec(kv{"", "empty key"}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "", "empty key") }},
		{"huge value", toolRec(kv{"huge", huge}),
			func(t *testing.T, e entry, _ Stats) { wantData(t, e, "huge", huge) }},
		{"thousands of attributes", toolRec(many...),
			func(t *testing.T, e entry, _ Stats) {
				if len(e.Data) < 5000 {
					t.Errorf("%d data keys, want >= 5000", len(e.Data))
				}
			}},
		{"non-string id is stringified", logRec{sev: 9, time: at(0), attrs: []kv{{"event.name", "session.start"}, {"session.id", 42}, {"user.id", true}}},
			func(t *testing.T, e entry, _ Stats) {
				if deref(e.SessionID) != "42" || deref(e.UserID) != "true" {
					t.Errorf("ids %q %q", deref(e.SessionID), deref(e.UserID))
				}
			}},
		{"empty record with only an override", logRec{attrs: []kv{{"analytics.type", "checkpoint_created"}}},
			func(t *testing.T, e entry, _ Stats) {
				wantData(t, e, "checkpoint_id", nil)
				if e.Timestamp != "2026-01-02T03:04:05.678901+00:00" {
					t.Errorf("timestamp %s, want the clock's", e.Timestamp)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := testConverter(t, defaultOptions())
			var st Stats
			res := []kv{{"service.name", "svc\xff"}, {"r", math.Inf(1)}, {"r", "last"}}
			out := c.AppendLogs(nil, logBatch(res, "scope\x01\xff", tc.rec), &st)
			entries := checkLines(t, out)
			if len(entries) != 1 {
				t.Fatalf("%d entries, want 1 (stats %+v)", len(entries), st)
			}
			tc.check(t, entries[0], st)
			r, _ := entries[0].Metadata["resource"].(map[string]any)
			if r["r"] != "last" || r["service.name"] != "svc\ufffd" {
				t.Errorf("metadata.resource = %v", r)
			}
		})
	}
}

func wantData(t *testing.T, e entry, key string, want any) {
	t.Helper()
	got, ok := e.Data[key]
	if !ok {
		t.Errorf("data has no %q:\n%s", key, e.raw)
		return
	}
	if !sameValue(want, got) {
		t.Errorf("data[%q] = %#v, want %#v", key, got, want)
	}
}

// TestStrictJSONMetrics: NaN and infinite point values, a histogram with a
// NaN sum, and an attribute called value (the point's number wins).
func TestStrictJSONMetrics(t *testing.T) {
	md := pmetric.NewMetrics()
	b := newMetrics(md, nil, "s", "")
	b.gauge("latency.gauge", "ms", math.NaN(), []kv{{"value", "attr"}}, math.Inf(-1), []kv(nil))
	h := b.metric("op.duration", "s").SetEmptyHistogram()
	dp := h.DataPoints().AppendEmpty()
	dp.SetCount(2)
	dp.SetSum(math.NaN())
	dp.SetMax(math.Inf(1))
	c := testConverter(t, Options{BuiltinRules: true, IncludeBuckets: true})
	var st Stats
	entries := checkLines(t, c.AppendMetrics(nil, md, &st))
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3", len(entries))
	}
	for i, e := range entries[:2] {
		if e.Data["value"] != nil || e.Data["duration_ms"] != nil {
			t.Errorf("gauge %d: value %v duration_ms %v, want null", i, e.Data["value"], e.Data["duration_ms"])
		}
	}
	if entries[2].Data["sum"] != nil || entries[2].Data["max"] != nil || entries[2].Data["duration_ms"] != nil {
		t.Errorf("histogram data %v", entries[2].Data)
	}
}
