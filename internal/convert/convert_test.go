package convert

import (
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

func TestNewRejectsBadOptionsNamingTheKey(t *testing.T) {
	cases := []struct {
		name, key string
		opts      Options
	}{
		{"unknown unmatched type", "unmatched", Options{Unmatched: "keep"}},
		{"rule with an unknown type", "rules[1].type", Options{Rules: []Rule{{Event: "a", Type: "tool_use"}, {Event: "b", Type: "tool"}}}},
		{"rule without conditions", "rules[0].match", Options{Rules: []Rule{{Type: "tool_use"}}}},
		{"rule on event and metric", "rules[0].match", Options{Rules: []Rule{{Event: "a", Metric: "b", Type: "tool_use"}}}},
		{"severity out of range", "rules[0].match.severity_min", Options{Rules: []Rule{{SeverityMin: 30, Type: "tool_use"}}}},
		{"field not of the type", "rules[0].fields.hook_name", Options{Rules: []Rule{{Event: "a", Type: "tool_use", Fields: map[string]string{"hook_name": "h"}}}}},
		{"field from an empty key", "rules[0].fields.tool_name", Options{Rules: []Rule{{Event: "a", Type: "tool_use", Fields: map[string]string{"tool_name": ""}}}}},
		{"empty session id attribute", "session_id_attributes[1]", Options{SessionIDAttributes: []string{"a", ""}}},
		{"empty user id attribute", "user_id_attributes[0]", Options{UserIDAttributes: []string{""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.opts)
			if err == nil || !strings.HasPrefix(err.Error(), c.key+":") {
				t.Fatalf("error %v, want one starting with %q", err, c.key+":")
			}
		})
	}
	if _, err := New(Options{Unmatched: "drop"}); err != nil {
		t.Errorf("drop: %v", err)
	}
	if _, err := New(Options{Unmatched: "performance", Rules: []Rule{claudeUsageRule}}); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

// convertOne converts a batch of records and returns the decoded entries.
func convertLogs(t *testing.T, opts Options, res []kv, recs ...logRec) ([]entry, Stats) {
	t.Helper()
	c := testConverter(t, opts)
	var st Stats
	out := c.AppendLogs(nil, logBatch(res, "s", recs...), &st)
	return checkLines(t, out), st
}

func TestUserRuleFieldsMapping(t *testing.T) {
	opts := defaultOptions()
	opts.Rules = []Rule{{Event: "my_app.tool_*", Type: "tool_use", Fields: map[string]string{"tool_name": "tool", "duration_ms": "elapsed"}}}
	entries, _ := convertLogs(t, opts, nil,
		logRec{eventName: "my_app.tool_run", attrs: []kv{{"tool", "grep"}, {"elapsed", "41.5"}, {"tool_name", "shadowed"}, {"ok", true}}},
		logRec{eventName: "my_app.tool_run", attrs: []kv{{"duration_ms", 9}}}, // mapped key absent: the defaults still apply
	)
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	e := entries[0]
	wantData(t, e, "tool_name", "grep")
	wantData(t, e, "duration_ms", 41.5)
	wantData(t, e, "ok", true)
	for _, k := range []string{"tool", "elapsed"} {
		if _, ok := e.Data[k]; ok {
			t.Errorf("%s kept in data after being mapped", k)
		}
	}
	wantData(t, entries[1], "duration_ms", 9)
	wantData(t, entries[1], "tool_name", nil)
}

func TestUnmatchedKeptAsType(t *testing.T) {
	opts := defaultOptions()
	opts.Unmatched = "performance"
	entries, st := convertLogs(t, opts, nil, logRec{eventName: "compaction", attrs: []kv{{"duration_ms", "5400"}}})
	if len(entries) != 1 || entries[0].Type != "performance" || st.DroppedUnmatched != 0 {
		t.Fatalf("entries %v stats %+v", entries, st)
	}
	wantData(t, entries[0], "operation", "compaction")
	wantData(t, entries[0], "duration_ms", 5400)
}

func TestBuiltinRulesOff(t *testing.T) {
	opts := Options{TypeAttribute: "analytics.type"}
	entries, st := convertLogs(t, opts, nil,
		logRec{eventName: "claude_code.api_request"},
		logRec{eventName: "claude_code.api_error", sev: plog.SeverityNumberError},
	)
	if st.DroppedUnmatched != 1 || len(entries) != 1 || entries[0].Type != "error_occurred" {
		t.Fatalf("want only the generic error rule: %+v %v", st, entries)
	}
}

func TestIdentity(t *testing.T) {
	res := []kv{{"session.id", "res-s"}, {"user.email", "res@x"}}
	cases := []struct {
		name     string
		opts     Options
		attrs    []kv
		sid, uid string
		kept     []string // id attributes that stay in data
	}{
		{"record before resource", defaultOptions(), []kv{{"session.id", "rec-s"}}, "rec-s", "res@x", nil},
		{"list order within the record", defaultOptions(),
			[]kv{{"user.email", "e"}, {"user.id", "u"}, {"conversation.id", "c"}}, "c", "u", []string{"user.email"}},
		{"empty value counts as absent", defaultOptions(), []kv{{"session.id", ""}, {"gen_ai.conversation.id", "g"}}, "g", "res@x", nil},
		{"configured lists", Options{BuiltinRules: true, SessionIDAttributes: []string{"thread"}, UserIDAttributes: []string{"who"}},
			[]kv{{"thread", "t-1"}, {"who", 7}, {"session.id", "ignored"}}, "t-1", "7", []string{"session.id"}},
		{"empty lists: no ids", Options{BuiltinRules: true, SessionIDAttributes: []string{}, UserIDAttributes: []string{}},
			[]kv{{"session.id", "s"}}, "", "", []string{"session.id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := logRec{eventName: "claude_code.tool_result", attrs: c.attrs}
			entries, _ := convertLogs(t, c.opts, res, rec)
			e := entries[0]
			if deref(e.SessionID) != c.sid || deref(e.UserID) != c.uid {
				t.Errorf("ids %q %q, want %q %q", deref(e.SessionID), deref(e.UserID), c.sid, c.uid)
			}
			for _, k := range c.kept {
				if _, ok := e.Data[k]; !ok {
					t.Errorf("%s should stay in data", k)
				}
			}
		})
	}
}

func TestTimestampSources(t *testing.T) {
	entries, _ := convertLogs(t, defaultOptions(), nil,
		logRec{eventName: "session.start", time: at(0), observed: at(1)},
		logRec{eventName: "session.start", observed: at(1)},
		logRec{eventName: "session.start"},
	)
	want := []string{"2026-11-20T14:03:07.123456+00:00", "2026-11-20T14:03:08.623456+00:00", "2026-01-02T03:04:05.678901+00:00"}
	for i, e := range entries {
		if e.Timestamp != want[i] {
			t.Errorf("entry %d: %s, want %s", i, e.Timestamp, want[i])
		}
	}
}

func TestCoercion(t *testing.T) {
	cases := []struct {
		kind   kind
		in     any
		want   string
		failed bool
	}{
		{kindInt, "1211", "1211", false},
		{kindInt, " 42 ", "42", false},
		{kindInt, "1e3", "1000", false},
		{kindInt, 12.0, "12", false},
		{kindInt, "12abc", `"12abc"`, true},
		{kindInt, true, "true", true},
		{kindInt, "99999999999999999999", "100000000000000000000.0", false}, // past int64: a float
		{kindFloat, "0.02", "0.02", false},
		{kindFloat, "-0.5", "-0.5", false},
		{kindFloat, "007", "7", false},
		{kindFloat, "1.", "1", false},
		{kindFloat, ".5", "0.5", false},
		{kindFloat, "1e2", "100", false},
		{kindInt, "12.5", "12.5", false},
		{kindInt, "12.0", "12", false},
		{kindFloat, 18.5, "18.5", false},
		{kindFloat, "Inf", `"Inf"`, true},
		{kindBool, "true", "true", false},
		{kindBool, "FALSE", "false", false},
		{kindBool, "yes", `"yes"`, true},
		{kindBool, 1, "1", true},
		{kindStr, 529, `"529"`, false},
		{kindStr, 2.5, `"2.5"`, false},
		{kindStr, false, `"false"`, false},
		{kindStr, []any{"a"}, `["a"]`, true},
		{kindStr, nil, "null", false},
		{kindPath, []any{"/w1", "/w2"}, `"/w1"`, false},
		{kindPath, "/p", `"/p"`, false},
		{kindPath, []any{1}, `[1]`, true},
	}
	for _, c := range cases {
		v := pcommon.NewValueEmpty()
		putValue(v, c.in)
		got, ok := appendCoerced(nil, c.kind, v)
		if string(got) != c.want || ok == c.failed {
			t.Errorf("coerce %v to kind %d: %s (ok %v), want %s (failed %v)", c.in, c.kind, got, ok, c.want, c.failed)
		}
	}
}

// TestObserverEntryInfo: the Observer sees what the session tracker needs
// of each written entry, from named fields or attributes of any type, and
// of each record of a session that became no entry.
func TestObserverEntryInfo(t *testing.T) {
	var got []EntryInfo
	obs := observeFunc(func(e *EntryInfo) { got = append(got, *e) })
	c := testConverter(t, defaultOptions())
	var st Stats
	ld := logBatch([]kv{{"session.id", "s-1"}}, "s",
		logRec{eventName: "claude_code.api_request", time: at(0), attrs: []kv{{"model", "m-1"}, {"input_tokens", "10"},
			{"output_tokens", 20}, {"cost_usd", "0.5"}, {"user.id", "u"}, {"cwd", "/p"}}},
		logRec{eventName: "session.start", attrs: []kv{{"workspace.host_paths", []any{"/w1", "/w2"}}, {"model", "m-2"}}},
		logRec{eventName: "compaction", time: at(5)}, // no entry: observed for the session's time
		logRec{eventName: "claude_code.user_prompt"}, // no entry, a prompt
	)
	c.AppendLogsObserved(nil, ld, &st, obs)
	if len(got) != 4 {
		t.Fatalf("%d observed, want 4", len(got))
	}
	if d := got[2]; d.Type != "" || d.SessionID != "s-1" || !d.Time.Equal(time.Unix(0, at(5))) || d.Prompt {
		t.Errorf("no-entry record info %+v", d)
	}
	if d := got[3]; d.Type != "" || !d.Prompt {
		t.Errorf("prompt info %+v", d)
	}
	a := got[0]
	if a.Type != "token_usage" || a.SessionID != "s-1" || a.UserID != "u" || a.Model != "m-1" || a.ProjectPath != "/p" ||
		a.InputTokens != 10 || a.OutputTokens != 20 || a.CostUSD != 0.5 || !a.HasCost || !a.Time.Equal(time.Unix(0, at(0))) {
		t.Errorf("token entry info %+v", a)
	}
	if b := got[1]; b.Type != "session_start" || b.ProjectPath != "/w1" || b.Model != "m-2" || !b.Time.Equal(fixedNow) {
		t.Errorf("session entry info %+v", b)
	}
}

func TestClaudeUsageRule(t *testing.T) {
	c := testConverter(t, Options{BuiltinRules: true, Rules: []Rule{claudeUsageRule}})
	var st Stats
	entries := checkLines(t, c.AppendMetrics(nil, claudeMetrics(), &st))
	byField := map[string]any{}
	for _, e := range entries {
		if e.Type != "token_usage" {
			continue
		}
		for _, f := range []string{"input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "cost_usd"} {
			if v := e.Data[f]; v != nil {
				byField[f] = v
			}
		}
		wantData(t, e, "model", "claude-sonnet-4-5")
	}
	want := map[string]any{"input_tokens": 1200, "output_tokens": 350, "cache_read_tokens": 8000, "cache_creation_tokens": 0, "cost_usd": 0.02446}
	for f, w := range want {
		if !sameValue(w, byField[f]) {
			t.Errorf("%s = %v, want %v", f, byField[f], w)
		}
	}
	if st.Written[mapping.TokenUsage] != 5 {
		t.Errorf("%d token_usage entries, want 5 (4 token points + cost)", st.Written[mapping.TokenUsage])
	}
}

func TestIncludeBuckets(t *testing.T) {
	for _, include := range []bool{false, true} {
		c := testConverter(t, Options{BuiltinRules: true, IncludeBuckets: include})
		var st Stats
		md := pmetric.NewMetrics()
		genaiMetrics().ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		otherMetrics().ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
		for _, e := range checkLines(t, c.AppendMetrics(nil, md, &st)) {
			kind := e.Metadata["kind"]
			var keys []string
			switch kind {
			case "histogram":
				keys = []string{"bucket_counts", "explicit_bounds"}
			case "exponential_histogram":
				keys = []string{"scale", "zero_count", "positive", "negative"}
			case "summary":
				keys = []string{"quantiles"}
			}
			for _, k := range keys {
				if _, ok := e.Data[k]; ok != include {
					t.Errorf("include_buckets %v: %s %s present = %v", include, kind, k, ok)
				}
			}
		}
	}
}

// TestConcurrentUse: one Converter serves parallel exports (run with -race).
func TestConcurrentUse(t *testing.T) {
	c := newConverter(t, defaultOptions())
	ld := claudeBatch(200, false)
	var ref Stats
	want := len(c.AppendLogs(nil, ld, &ref))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				var st Stats
				if out := c.AppendLogs(nil, ld, &st); len(out) != want || st != ref {
					t.Errorf("parallel conversion differs: %d bytes vs %d, %+v vs %+v", len(out), want, st, ref)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestPanicDropsOnlyThatRecord: the last line of defence. A panic while a
// record is converted (here from the Observer, after the line is written)
// drops that record, counted, leaves no partial line, and the rest of the
// batch is written.
func TestPanicDropsOnlyThatRecord(t *testing.T) {
	obs := observeFunc(func(e *EntryInfo) {
		if e.Type == "tool_use" {
			panic("observer bug")
		}
	})
	var st Stats
	entries := checkLines(t, testConverter(t, defaultOptions()).AppendLogsObserved(nil, logBatch([]kv{{"session.id", "s-1"}}, "s",
		logRec{eventName: "session.start"},
		logRec{eventName: "claude_code.tool_result", attrs: []kv{{"tool_name", "Bash"}}},
		logRec{eventName: "session.end"},
	), &st, obs))
	if len(entries) != 2 || entries[0].Type != "session_start" || entries[1].Type != "session_end" {
		t.Fatalf("entries %v", entries)
	}
	if st.DroppedInvalid != 1 || st.Written[mapping.ToolUse] != 0 || st.Written[mapping.SessionStart] != 1 || st.Written[mapping.SessionEnd] != 1 {
		t.Errorf("stats %+v", st)
	}
}
