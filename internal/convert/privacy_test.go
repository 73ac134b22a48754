package convert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

var testHashKey = []byte("0123456789abcdef-test-key")

// privOpts is the default options with p as the privacy rules.
func privOpts(p Privacy) Options {
	o := defaultOptions()
	o.Privacy = p
	return o
}

// hashed is the expected hash of s under testHashKey.
func hashed(s string) string {
	m := hmac.New(sha256.New, testHashKey)
	m.Write([]byte(s))
	return HashPrefix + hex.EncodeToString(m.Sum(nil))
}

// privConvert converts ld and checks the lines against the contract.
func privConvert(t *testing.T, opts Options, ld plog.Logs) ([]entry, Stats) {
	t.Helper()
	c := testConverter(t, opts)
	var st Stats
	out := c.AppendLogs(nil, ld, &st)
	return checkLines(t, out), st
}

// toolResult is a Claude-Code-shaped tool_result with the given attributes.
func toolResult(extra ...kv) logRec {
	return logRec{eventName: "claude_code.tool_result", time: 1, attrs: append([]kv{
		{"session.id", "s1"}, {"tool_name", "Bash"}, {"success", "true"}, {"duration_ms", "12"},
	}, extra...)}
}

func resourceOf(e entry) map[string]any { return e.Metadata["resource"].(map[string]any) }

func TestPrivacyDropsContentKeepingSizes(t *testing.T) {
	longArgs := strings.Repeat("x", 10)
	ld := logBatch(nil, "s",
		// Claude Code: the prompt's size is in prompt_length already.
		logRec{eventName: "claude_code.user_prompt", time: 1, attrs: []kv{{"session.id", "s1"},
			{"prompt", "secret prompt"}, {"prompt_text", "secret prompt"}, {"prompt_length", "13"}}},
		// tool_input has tool_input_size_bytes; tool_parameters has no size.
		toolResult(kv{"tool_input", `{"command":"ls"}`}, kv{"tool_input_size_bytes", "16"},
			kv{"tool_parameters", `{"full_command":"ls -la"}`}),
		// Codex: arguments and output, without their sizes in logs.
		logRec{eventName: "codex.tool_result", time: 1, attrs: []kv{{"conversation.id", "c1"}, {"tool_name", "shell"},
			{"arguments", longArgs}, {"output", "total 0\n"}, {"success", "true"}}},
		// The sender's own <key>_bytes wins (no duplicate key).
		logRec{eventName: "codex.tool_result", time: 1, attrs: []kv{{"conversation.id", "c1"}, {"tool_name", "shell"},
			{"arguments", "a"}, {"arguments_bytes", 99}}},
		// A list value: its size is its JSON length.
		logRec{eventName: "gemini_cli.api_request", time: 1, attrs: []kv{{"session.id", "g1"}, {"model", "m"},
			{"request_text", []any{"ab", "c"}}}},
	)
	opts := privOpts(DefaultPrivacy())
	opts.Unmatched = "performance" // the prompt events too
	entries, st := privConvert(t, opts, ld)
	if len(entries) != 5 {
		t.Fatalf("%d entries", len(entries))
	}
	d := entries[0].Data
	for _, k := range []string{"prompt", "prompt_text", "prompt_bytes", "prompt_text_bytes"} {
		if _, ok := d[k]; ok {
			t.Errorf("user_prompt data has %s: %v", k, d)
		}
	}
	if d["prompt_length"] != "13" {
		t.Errorf("prompt_length = %v, want it kept", d["prompt_length"])
	}
	d = entries[1].Data
	if _, ok := d["tool_input"]; ok {
		t.Errorf("tool_input kept: %v", d)
	}
	if _, ok := d["tool_input_bytes"]; ok {
		t.Errorf("tool_input_bytes added next to tool_input_size_bytes: %v", d)
	}
	if got := d["tool_parameters_bytes"]; got != json.Number("25") {
		t.Errorf("tool_parameters_bytes = %v, want 25", got)
	}
	d = entries[2].Data
	if d["arguments_bytes"] != json.Number("10") || d["output_bytes"] != json.Number("8") {
		t.Errorf("codex sizes: %v", d)
	}
	if _, ok := d["arguments"]; ok {
		t.Errorf("arguments kept: %v", d)
	}
	if got := entries[3].Data["arguments_bytes"]; got != json.Number("99") {
		t.Errorf("arguments_bytes = %v, want the sender's 99", got)
	}
	if got := entries[4].Data["request_text_bytes"]; got != json.Number(`10`) { // ["ab","c"]
		t.Errorf("request_text_bytes = %v, want 10", got)
	}
	if want := int64(8); st.Redacted[RedactDropped] != want {
		t.Errorf("dropped = %d, want %d", st.Redacted[RedactDropped], want)
	}
	if st.Redacted[RedactHashed] != 0 || st.Redacted[RedactTruncated] != 0 {
		t.Errorf("counts %v", st.Redacted)
	}

	// content: keep writes them all as they came.
	keep := DefaultPrivacy()
	keep.DropContent = false
	opts.Privacy = keep
	entries, st = privConvert(t, opts, ld)
	if entries[0].Data["prompt"] != "secret prompt" || entries[2].Data["arguments"] != longArgs {
		t.Errorf("content: keep dropped something: %v %v", entries[0].Data, entries[2].Data)
	}
	if _, ok := entries[2].Data["arguments_bytes"]; ok {
		t.Error("content: keep added a size")
	}
	if st.Redacted != [NumRedactActions]int64{} {
		t.Errorf("content: keep counted %v", st.Redacted)
	}
}

func TestPrivacyPrefixRules(t *testing.T) {
	p := DefaultPrivacy()
	p.ContentAttributes = []string{"my_app.secret.*", "my_app.note"}
	attrs := []kv{{"session.id", "s1"}, {"tool_name", "t"},
		{"gen_ai.prompt", "p"}, {"gen_ai.prompt.0.content", "p0"}, {"gen_ai.prompt.0.role", "user"},
		{"gen_ai.prompt.name", "kept: an id"}, {"gen_ai.completion.12.content", "c"},
		{"llm.input_messages.0.message.content", "m"}, {"llm.input_messages_count", "kept"},
		{"traceloop.entity.input", "in"}, {"input.value", "v"},
		{"my_app.secret", "s"}, {"my_app.secret.a.b", "s"}, {"my_app.secretive", "kept"},
		{"my_app.note", "n"}, {"my_app.note.x", "kept: note is exact"},
	}
	entries, st := privConvert(t, privOpts(p), logBatch(nil, "s", toolResult(attrs...)))
	d := entries[0].Data
	for _, a := range attrs[2:] {
		_, ok := d[a.k]
		want := strings.HasPrefix(a.v.(string), "kept")
		if ok != want {
			t.Errorf("%s written = %v, want %v", a.k, ok, want)
		}
	}
	if d["my_app.note_bytes"] != json.Number("1") {
		t.Errorf("an exact user key gets its size: %v", d)
	}
	if _, ok := d["gen_ai.prompt.0.content_bytes"]; ok {
		t.Error("keys matched by a prefix get no size")
	}
	if st.Redacted[RedactDropped] != 10 {
		t.Errorf("dropped = %d, want 10", st.Redacted[RedactDropped])
	}
}

func TestPrivacyIdentitiesHashed(t *testing.T) {
	p := DefaultPrivacy()
	p.HashKey = testHashKey
	p.IdentityAttributes = []string{"my.login"}
	rec := func(email string) logRec {
		return toolResult(kv{"user.id", "u-1"}, kv{"user.email", email}, kv{"my.login", "jdoe"}, kv{"user.name", ""})
	}
	ld := logBatch([]kv{{"user.email", "res@example.com"}, {"process.owner", "alice"}}, "s",
		rec("a@example.com"), rec("a@example.com"), rec("b@example.com"))
	entries, st := privConvert(t, privOpts(p), ld)
	for i, want := range []string{"a@example.com", "a@example.com", "b@example.com"} {
		e := entries[i]
		if got := e.Data["user.email"]; got != hashed(want) {
			t.Errorf("entry %d user.email = %v, want %s", i, got, hashed(want))
		}
		if got := e.Data["my.login"]; got != hashed("jdoe") {
			t.Errorf("entry %d my.login = %v", i, got)
		}
		if got := e.Data["user.name"]; got != "" {
			t.Errorf("an empty identity stays empty, got %v", got)
		}
		if *e.UserID != "u-1" {
			t.Errorf("user_id %v: user.id is no identity attribute", *e.UserID)
		}
		r := resourceOf(e)
		if r["user.email"] != hashed("res@example.com") || r["process.owner"] != hashed("alice") {
			t.Errorf("resource %v", r)
		}
		if strings.Contains(string(e.raw), "@example.com") {
			t.Errorf("an address in the line: %s", e.raw)
		}
	}
	// Two per record, two per resource, once for every entry.
	if want := int64(3 * 4); st.Redacted[RedactHashed] != want {
		t.Errorf("hashed = %d, want %d", st.Redacted[RedactHashed], want)
	}
	// Another converter with the same key gives the same hashes.
	again, _ := privConvert(t, privOpts(p), logBatch(nil, "s", rec("a@example.com")))
	if again[0].Data["user.email"] != entries[0].Data["user.email"] {
		t.Error("the same address hashed differently")
	}
	// Another key, other hashes.
	p.HashKey = []byte("another key, another user space")
	other, _ := privConvert(t, privOpts(p), logBatch(nil, "s", rec("a@example.com")))
	if other[0].Data["user.email"] == entries[0].Data["user.email"] {
		t.Error("two keys, one hash")
	}
}

func TestPrivacyIdentitiesDroppedWithoutKey(t *testing.T) {
	ld := logBatch([]kv{{"user.email", "res@example.com"}, {"service.name", "x"}}, "s",
		toolResult(kv{"user.id", "u-1"}, kv{"user.email", "a@example.com"}))
	for name, p := range map[string]Privacy{
		"hash without a key": DefaultPrivacy(),
		"drop":               {Identities: IdentitiesDrop},
	} {
		t.Run(name, func(t *testing.T) {
			entries, st := privConvert(t, privOpts(p), ld)
			e := entries[0]
			if _, ok := e.Data["user.email"]; ok {
				t.Errorf("data %v", e.Data)
			}
			if _, ok := resourceOf(e)["user.email"]; ok {
				t.Errorf("resource %v", resourceOf(e))
			}
			if st.Redacted[RedactDropped] != 2 || st.Redacted[RedactHashed] != 0 {
				t.Errorf("counts %v", st.Redacted)
			}
		})
	}
	entries, _ := privConvert(t, privOpts(Privacy{Identities: IdentitiesKeep}), ld)
	if entries[0].Data["user.email"] != "a@example.com" {
		t.Errorf("identities: keep: %v", entries[0].Data)
	}
}

func TestPrivacyUserID(t *testing.T) {
	hash := DefaultPrivacy()
	hash.HashKey = testHashKey
	drop := DefaultPrivacy()
	hashUserID, dropUserID := hash, drop
	hashUserID.IdentityAttributes = []string{"user.id"}
	dropUserID.IdentityAttributes = []string{"user.id"}
	tests := []struct {
		name     string
		p        Privacy
		resource []kv
		attrs    []kv
		want     string // "" = null
		absent   []string
	}{
		{"email attribute hashed", hash, nil, []kv{{"user.email", "a@example.com"}}, hashed("a@example.com"), nil},
		{"email attribute dropped: next one", drop, nil,
			[]kv{{"user.email", "a@example.com"}, {"installation.id", "inst-1"}}, "inst-1", nil},
		{"email attribute dropped: the resource's", drop, []kv{{"user.id", "ru"}},
			[]kv{{"user.email", "a@example.com"}}, "ru", nil},
		{"a listed key under user.id is hashed", hashUserID, nil, []kv{{"user.id", "a@example.com"}}, hashed("a@example.com"), nil},
		{"a listed key under user.id is dropped", dropUserID, nil,
			[]kv{{"user.id", "a@example.com"}, {"user.account_uuid", "acc"}}, "acc", []string{"user.id"}},
		{"resource email hashed", hash, []kv{{"user.email", "r@example.com"}}, nil, hashed("r@example.com"), nil},
		{"resource email dropped", drop, []kv{{"user.email", "r@example.com"}}, nil, "", nil},
		{"keep", Privacy{}, nil, []kv{{"user.email", "a@example.com"}}, "a@example.com", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, _ := privConvert(t, privOpts(tc.p), logBatch(tc.resource, "s", toolResult(tc.attrs...)))
			e := entries[0]
			got := ""
			if e.UserID != nil {
				got = *e.UserID
			}
			if got != tc.want {
				t.Errorf("user_id = %q, want %q", got, tc.want)
			}
			for _, k := range tc.absent {
				if _, ok := e.Data[k]; ok {
					t.Errorf("data has %s: %v", k, e.Data)
				}
			}
			if tc.p.Identities != IdentitiesKeep && strings.Contains(string(e.raw), "example.com") {
				t.Errorf("an address in the line: %s", e.raw)
			}
		})
	}
}

func TestPrivacyUserIDReachesObserver(t *testing.T) {
	p := DefaultPrivacy()
	p.HashKey = testHashKey
	c := testConverter(t, privOpts(p))
	obs := &seenUsers{}
	var st Stats
	ld := logBatch(nil, "s",
		toolResult(kv{"user.email", "a@example.com"}),
		// No entry, but a session: the tracker sees it too.
		logRec{eventName: "nobody.knows", time: 1, attrs: []kv{{"session.id", "s1"}, {"user.email", "b@example.com"}}})
	checkLines(t, c.AppendLogsObserved(nil, ld, &st, obs))
	want := []string{hashed("a@example.com"), hashed("b@example.com")}
	if len(obs.ids) != 2 || obs.ids[0] != want[0] || obs.ids[1] != want[1] {
		t.Errorf("the session tracker saw %q, want %q", obs.ids, want)
	}
}

// seenUsers records the user id of every entry and record it sees.
type seenUsers struct{ ids []string }

func (s *seenUsers) Entry(info *EntryInfo) bool {
	s.ids = append(s.ids, info.UserID)
	return true
}

func TestPrivacyCutsLongValues(t *testing.T) {
	p := Privacy{MaxValueBytes: 8}
	long := "abcdefghijklmnop"
	// "abcdefg" then é (2 bytes) straddles the limit: cut before it.
	straddle := "abcdefgé-rest"
	ld := logBatch([]kv{{"service.name", long}, {"host.arch", "amd64"}}, "s",
		toolResult(kv{"a", long}, kv{"b", straddle}, kv{"exact", "12345678"}, kv{"n", 1234567890123},
			kv{"list", []any{"x", "y", "z"}}, kv{"short_list", []any{1}}, kv{"bin", []byte("0123456789")}),
		logRec{eventName: "claude_code.api_error", time: 1, attrs: []kv{{"session.id", "s1"}, {"error", long}}},
		logRec{body: long, sev: plog.SeverityNumberError, time: 1, attrs: []kv{{"session.id", "s1"}}},
	)
	opts := privOpts(p)
	opts.Unmatched = "error_occurred"
	entries, st := privConvert(t, opts, ld)
	d := entries[0].Data
	checks := map[string]any{
		"a":          "abcdefgh…[truncated: 16 bytes]",
		"b":          "abcdefg…[truncated: 14 bytes]",
		"exact":      "12345678",
		"n":          json.Number("1234567890123"),
		"list":       `["x","y"…[truncated: 13 bytes]`,
		"short_list": []any{json.Number("1")},
		"bin":        "MDEyMzQ1…[truncated: 16 bytes]",
	}
	for k, want := range checks {
		got, _ := json.Marshal(d[k])
		w, _ := json.Marshal(want)
		if string(got) != string(w) {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	if got := resourceOf(entries[0])["service.name"]; got != "abcdefgh…[truncated: 16 bytes]" {
		t.Errorf("resource service.name = %v", got)
	}
	if got := entries[1].Data["error_message"]; got != "abcdefgh…[truncated: 16 bytes]" {
		t.Errorf("named field error_message = %v", got)
	}
	if got := entries[2].Data["error_message"]; got != "abcdefgh…[truncated: 16 bytes]" {
		t.Errorf("error_message from the body = %v", got)
	}
	// 4 in data, 1 named field, 1 body, and the resource's once per entry.
	if want := int64(4 + 1 + 1 + 3); st.Redacted[RedactTruncated] != want {
		t.Errorf("truncated = %d, want %d", st.Redacted[RedactTruncated], want)
	}
}

// TestPrivacyCutKeepsUTF8 cuts every prefix length of strings with one- to
// four-byte characters: the kept part is valid UTF-8, at most the limit
// long, and as long as a boundary allows.
func TestPrivacyCutKeepsUTF8(t *testing.T) {
	s := "aé€😀b€é😀"
	for limit := 1; limit < len(s); limit++ {
		c := testConverter(t, privOpts(Privacy{MaxValueBytes: limit}))
		var cnt counts
		out := c.appendCut(nil, s, len(s), &cnt)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("limit %d: %s: %v", limit, out, err)
		}
		kept, _, ok := strings.Cut(got, truncatedMarker)
		if !ok || !utf8.ValidString(kept) || len(kept) > limit || len(kept) < limit-3 || !strings.HasPrefix(s, kept) {
			t.Errorf("limit %d: %q", limit, got)
		}
	}
}

func TestPrivacyNamedFieldSources(t *testing.T) {
	p := DefaultPrivacy()
	p.HashKey = testHashKey
	opts := privOpts(p)
	// A user rule that reads named fields from a content and an identity
	// attribute: the fields do not read them (they take their next source,
	// here none), the attributes stay in data, redacted there.
	opts.Rules = []Rule{{Event: "my_app.*", Type: "hook_triggered",
		Fields: map[string]string{"hook_name": "my.login", "hook_event": "prompt"}}}
	p.IdentityAttributes = []string{"my.login"}
	opts.Privacy = p
	entries, st := privConvert(t, opts, logBatch(nil, "s",
		logRec{eventName: "my_app.hook", time: 1, attrs: []kv{{"session.id", "s"}, {"my.login", "jdoe"}, {"prompt", "hi"}}}))
	d := entries[0].Data
	if d["hook_name"] != nil || d["hook_event"] != nil {
		t.Errorf("hook_name = %v, hook_event = %v, want null", d["hook_name"], d["hook_event"])
	}
	if d["my.login"] != hashed("jdoe") || d["prompt_bytes"] != json.Number("2") {
		t.Errorf("data %v", d)
	}
	if _, ok := d["prompt"]; ok {
		t.Errorf("data has prompt: %v", d)
	}
	if st.Redacted[RedactDropped] != 1 || st.Redacted[RedactHashed] != 1 {
		t.Errorf("counts %v", st.Redacted)
	}
}

func TestPrivacyCountsOnlyWrittenEntries(t *testing.T) {
	ld := logBatch([]kv{{"process.command_args", []any{"gemini", "-p", "secret"}}}, "s",
		logRec{eventName: "nobody.knows", time: 1, attrs: []kv{{"prompt", "x"}}}, // unmatched
		toolResult(kv{"prompt", "x"}),
		toolResult(kv{"prompt", "x"}),
	)
	c := testConverter(t, privOpts(DefaultPrivacy()))
	var st Stats
	var n int
	out := c.AppendLogsObserved(nil, ld, &st, rejectSecond{&n})
	entries := checkLines(t, out)
	if len(entries) != 1 {
		t.Fatalf("%d entries", len(entries))
	}
	if got := resourceOf(entries[0]); got["process.command_args_bytes"] != json.Number("24") || got["process.command_args"] != nil {
		t.Errorf("resource %v", got)
	}
	// One entry written: its prompt and the resource's arguments.
	if st.Redacted[RedactDropped] != 2 {
		t.Errorf("dropped = %d, want 2", st.Redacted[RedactDropped])
	}
}

// rejectSecond rejects the second entry it sees.
type rejectSecond struct{ n *int }

func (r rejectSecond) Entry(*EntryInfo) bool {
	*r.n++
	return *r.n != 2
}

func TestPrivacyOptionErrors(t *testing.T) {
	tests := []struct {
		p    Privacy
		want string
	}{
		{Privacy{DropContent: true, ContentAttributes: []string{"ok", ""}}, "privacy.content_attributes[1]: empty attribute name"},
		{Privacy{DropContent: true, ContentAttributes: []string{".*"}}, `privacy.content_attributes[0]: ".*": a pattern is a key prefix followed by .*`},
		{Privacy{DropContent: true, ContentAttributes: []string{"a*b"}}, `privacy.content_attributes[0]: "a*b": * is allowed only as a trailing .*`},
		{Privacy{DropContent: true, Identities: IdentitiesDrop, ContentAttributes: []string{"user.email"}}, `privacy.content_attributes[0]: "user.email" is an identity attribute`},
		{Privacy{Identities: IdentitiesDrop, IdentityAttributes: []string{""}}, "privacy.identity_attributes[0]: empty attribute name"},
		{Privacy{MaxValueBytes: -1}, "privacy.max_value_bytes: must be >= 0, got -1"},
		{Privacy{Identities: 9}, "privacy.identities: unknown action 9"},
	}
	for _, tc := range tests {
		_, err := New(privOpts(tc.p))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.p, err, tc.want)
		}
	}
}

// TestPrivacyCarefulPassInStep converts every payload with a value limit
// just above its longest value: nothing is cut, but data objects longer
// than the limit are written a second time by the cutting pass. The lines
// must be the ones written without a limit.
func TestPrivacyCarefulPassInStep(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "payloads", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no payloads: %v", err)
	}
	withKey := DefaultPrivacy()
	withKey.HashKey = testHashKey
	careful := 0
	for _, path := range paths {
		ld, md, isMetrics := loadPayload(t, path)
		limit := longestValue(ld, md, isMetrics) + 1
		for name, base := range map[string]Privacy{"rules off": {}, "defaults": DefaultPrivacy(), "hash key": withKey} {
			convert := func(maxBytes int) []byte {
				p := base
				p.MaxValueBytes = maxBytes
				opts := privOpts(p)
				opts.Unmatched = "performance"
				opts.IncludeBuckets = true
				c := testConverter(t, opts)
				var st Stats
				if isMetrics {
					return c.AppendMetrics(nil, md, &st)
				}
				return c.AppendLogs(nil, ld, &st)
			}
			want, got := convert(0), convert(limit)
			if string(got) != string(want) {
				t.Errorf("%s, %s: with limit %d:\n%s\nwithout:\n%s", filepath.Base(path), name, limit, got, want)
			}
			for _, e := range checkLines(t, got) {
				if d, _ := json.Marshal(e.Data); len(d) > limit {
					careful++
				}
			}
		}
	}
	if careful < 30 {
		t.Errorf("%d data objects longer than the limit: the careful pass hardly ran", careful)
	}
	t.Logf("%d data objects written by the careful pass", careful)
}

// longestValue is the longest attribute value of a payload: a string's
// length, any other value's JSON length.
func longestValue(ld plog.Logs, md pmetric.Metrics, isMetrics bool) int {
	n := 0
	each := func(m pcommon.Map) {
		for _, v := range m.All() {
			l := len(encode.Value(nil, v))
			if v.Type() == pcommon.ValueTypeStr {
				l = len(v.Str())
			}
			n = max(n, l)
		}
	}
	if isMetrics {
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			rm := md.ResourceMetrics().At(i)
			each(rm.Resource().Attributes())
			for j := 0; j < rm.ScopeMetrics().Len(); j++ {
				ms := rm.ScopeMetrics().At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					m := ms.At(k)
					switch m.Type() {
					case pmetric.MetricTypeSum:
						for p := 0; p < m.Sum().DataPoints().Len(); p++ {
							each(m.Sum().DataPoints().At(p).Attributes())
						}
					case pmetric.MetricTypeGauge:
						for p := 0; p < m.Gauge().DataPoints().Len(); p++ {
							each(m.Gauge().DataPoints().At(p).Attributes())
						}
					case pmetric.MetricTypeHistogram:
						for p := 0; p < m.Histogram().DataPoints().Len(); p++ {
							each(m.Histogram().DataPoints().At(p).Attributes())
						}
					}
				}
			}
		}
		return n
	}
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		each(rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			lrs := rl.ScopeLogs().At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				each(lrs.At(k).Attributes())
				if b := lrs.At(k).Body(); b.Type() == pcommon.ValueTypeStr {
					n = max(n, len(b.Str()))
				}
			}
		}
	}
	return n
}
