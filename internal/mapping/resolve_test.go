package mapping

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// attrs is a test Attrs over a pcommon.Map.
type attrs struct{ m pcommon.Map }

func (a attrs) Get(k string) (pcommon.Value, bool) { return a.m.Get(k) }

func mk(kvs ...any) Attrs {
	m := pcommon.NewMap()
	for i := 0; i < len(kvs); i += 2 {
		switch v := kvs[i+1].(type) {
		case string:
			m.PutStr(kvs[i].(string), v)
		case int:
			m.PutInt(kvs[i].(string), int64(v))
		case bool:
			m.PutBool(kvs[i].(string), v)
		}
	}
	return attrs{m}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"my_app.tool_*", "my_app.tool_run", true},
		{"my_app.tool_*", "my_app.tool_", true},
		{"my_app.tool_*", "my_app.tools", false},
		{"*.exception", "a.b.exception", true},
		{"*.exception", "exception", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"**", "x", true},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestMatchNameWithPrefixes(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"tool_*", "claude_code.tool_result", true},           // pattern bare, name prefixed
		{"claude_code.tool_*", "tool_result", true},           // Claude Code's bare event.name
		{"claude_code.tool_*", "gemini_cli.tool_call", false}, // another tool's event
		{"gemini_cli.tool_call", "gemini_cli.tool_call", true},
		{"codex.*", "codex.tool_result", true},
		{"api_request", "claude_code.api_request", true},
	}
	for _, c := range cases {
		if got := MatchName(c.pattern, c.name); got != c.want {
			t.Errorf("MatchName(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

func TestEventName(t *testing.T) {
	str := pcommon.NewValueStr
	cases := []struct {
		name     string
		field    string
		attr     pcommon.Value
		found    bool
		body     pcommon.Value
		want     string
		wantAttr bool
	}{
		{"field first", "f.x", str("attr"), true, str("body.x"), "f.x", false},
		{"a field that is no name gives way (Codex)", "event otel/src/events/session_telemetry.rs:703",
			str("codex.tool_result"), true, pcommon.NewValueEmpty(), "codex.tool_result", true},
		{"a field that is no name and nothing else", "a:b", pcommon.Value{}, false, pcommon.NewValueEmpty(), "", false},
		{"then event.name", "", str("api_request"), true, str("claude_code.api_request"), "api_request", true},
		{"then a dotted body", "", pcommon.Value{}, false, str("claude_code.api_request"), "claude_code.api_request", false},
		{"prose body is no name", "", pcommon.Value{}, false, str("Tool call: read_file."), "", false},
		{"empty event.name falls through", "", str(""), true, str("a.b"), "a.b", false},
		{"non-string event.name falls through", "", pcommon.NewValueInt(3), true, pcommon.NewValueEmpty(), "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, fromAttr := EventName(c.field, c.attr, c.found, c.body)
			if got != c.want || fromAttr != c.wantAttr {
				t.Errorf("EventName = %q, %v; want %q, %v", got, fromAttr, c.want, c.wantAttr)
			}
		})
	}
}

func TestIsDottedName(t *testing.T) {
	for s, want := range map[string]bool{
		"claude_code.api_request": true, "a.b": true, "gemini_cli.agent.finish": true, "x-y.z_1": true,
		"nodot": false, "": false, ".a": false, "a.": false, "a..b": false, "cart viewed": false, "a.b\n": false,
		"claude_code.\xff": false,
	} {
		if got := IsDottedName(s); got != want {
			t.Errorf("IsDottedName(%q) = %v, want %v", s, got, want)
		}
	}
}

func defaults() Config {
	return Config{TypeAttribute: "analytics.type", Builtin: true, Unmatched: NoType}
}

func TestResolveLog(t *testing.T) {
	cases := []struct {
		name        string
		cfg         Config
		log         Log
		want        Type
		wantSource  Source
		wantInvalid int
	}{
		{"builtin by bare name", defaults(), Log{Name: "api_request", Attrs: mk()}, TokenUsage, FromBuiltin, 0},
		{"builtin by prefixed name", defaults(), Log{Name: "claude_code.tool_result", Attrs: mk()}, ToolUse, FromBuiltin, 0},
		{"another tool's prefix does not match", defaults(), Log{Name: "codex.api_request", Attrs: mk()}, NoType, FromUnmatched, 0},
		{"bare rule name with a prefixed event", defaults(), Log{Name: "claude_code.session.start", Attrs: mk()}, SessionStart, FromBuiltin, 0},
		{"tool decision reject", defaults(), Log{Name: "tool_decision", Attrs: mk("decision", "reject")}, ToolUse, FromBuiltin, 0},
		{"tool decision denied (codex)", defaults(), Log{Name: "codex.tool_decision", Attrs: mk("decision", "denied")}, ToolUse, FromBuiltin, 0},
		{"tool decision accept is unmatched", defaults(), Log{Name: "tool_decision", Attrs: mk("decision", "accept")}, NoType, FromUnmatched, 0},
		{"user prompt without command_name", defaults(), Log{Name: "user_prompt", Attrs: mk("prompt", "x")}, NoType, FromUnmatched, 0},
		{"user prompt with command_name", defaults(), Log{Name: "user_prompt", Attrs: mk("command_name", "compact")}, CommandExecuted, FromBuiltin, 0},
		{"any .exception event", defaults(), Log{Name: "my.lib.exception", Attrs: mk()}, ErrorOccurred, FromBuiltin, 0},
		{"exception event", defaults(), Log{Name: "exception", Attrs: mk()}, ErrorOccurred, FromBuiltin, 0},
		{"generic: severity ERROR", defaults(), Log{Severity: plog.SeverityNumberError, Attrs: mk()}, ErrorOccurred, FromGeneric, 0},
		{"generic: severity below ERROR", defaults(), Log{Severity: plog.SeverityNumberWarn4, Attrs: mk()}, NoType, FromUnmatched, 0},
		{"generic: exception.message", defaults(), Log{Attrs: mk("exception.message", "boom")}, ErrorOccurred, FromGeneric, 0},
		{"override on the record", defaults(), Log{Name: "api_request", Attrs: mk("analytics.type", "performance")}, Performance, FromOverride, 0},
		{"record override before resource override", defaults(),
			Log{Attrs: mk("analytics.type", "tool_use"), Resource: mk("analytics.type", "hook_triggered")}, ToolUse, FromOverride, 0},
		{"override on the resource", defaults(), Log{Attrs: mk(), Resource: mk("analytics.type", "hook_triggered")}, HookTriggered, FromOverride, 0},
		{"invalid record override, valid resource one", defaults(),
			Log{Attrs: mk("analytics.type", "nope"), Resource: mk("analytics.type", "session_end")}, SessionEnd, FromOverride, 1},
		{"invalid override then builtin", defaults(), Log{Name: "api_request", Attrs: mk("analytics.type", "nope")}, TokenUsage, FromBuiltin, 1},
		{"non-string override is invalid", defaults(), Log{Attrs: mk("analytics.type", 3)}, NoType, FromUnmatched, 1},
		{"no override key configured", Config{Builtin: true, Unmatched: NoType}, Log{Attrs: mk("analytics.type", "tool_use")}, NoType, FromUnmatched, 0},
		{"builtin rules off", Config{Unmatched: NoType}, Log{Name: "api_request", Attrs: mk()}, NoType, FromUnmatched, 0},
		{"builtin rules off, generic error still applies", Config{Unmatched: NoType},
			Log{Name: "api_error", Severity: plog.SeverityNumberError, Attrs: mk()}, ErrorOccurred, FromGeneric, 0},
		{"unmatched kept as a type", Config{Builtin: true, Unmatched: Performance}, Log{Name: "compaction", Attrs: mk()}, Performance, FromUnmatched, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := NewResolver(c.cfg).ResolveLog(&c.log)
			if got.Type != c.want || got.Source != c.wantSource || got.InvalidOverride != c.wantInvalid {
				t.Errorf("got type %v source %v invalid %d; want %v %v %d", got.Type, got.Source, got.InvalidOverride,
					c.want, c.wantSource, c.wantInvalid)
			}
		})
	}
}

func TestUserRules(t *testing.T) {
	rules := []Rule{
		{Event: "my_app.tool_*", Type: ToolUse},
		{Event: "api_request", Attributes: []AttrCond{{Key: "model", Value: "local-llm"}}, Type: Performance},
		{SeverityMin: plog.SeverityNumberWarn, Attributes: []AttrCond{{Key: "alert", Value: "*"}}, Type: ErrorOccurred},
		{Attributes: []AttrCond{{Key: "status_code", Value: "529"}}, Type: ErrorOccurred},
		{Attributes: []AttrCond{{Key: "tenant", Value: "acme"}}, Type: CheckpointCreated},
		{Metric: "app.*.count", Type: SessionStart},
	}
	cfg := defaults()
	cfg.Rules = rules
	r := NewResolver(cfg)
	cases := []struct {
		name     string
		log      Log
		want     Type
		wantRule int
	}{
		{"event glob", Log{Name: "my_app.tool_run", Attrs: mk()}, ToolUse, 0},
		{"user rule before the built-in one", Log{Name: "api_request", Attrs: mk("model", "local-llm")}, Performance, 1},
		{"attribute mismatch falls to the built-in", Log{Name: "api_request", Attrs: mk("model", "claude")}, TokenUsage, -1},
		{"severity and presence", Log{Severity: plog.SeverityNumberWarn, Attrs: mk("alert", "")}, ErrorOccurred, 2},
		{"severity too low", Log{Severity: plog.SeverityNumberInfo, Attrs: mk("alert", "x")}, NoType, -1},
		{"equality with an int value", Log{Attrs: mk("status_code", 529)}, ErrorOccurred, 3},
		{"condition met on the resource", Log{Attrs: mk(), Resource: mk("tenant", "acme")}, CheckpointCreated, 4},
		{"metric rule never matches a log", Log{Name: "app.session.count", Attrs: mk()}, NoType, -1},
		{"override beats user rules", Log{Name: "my_app.tool_run", Attrs: mk("analytics.type", "session_end")}, SessionEnd, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.ResolveLog(&c.log)
			if got.Type != c.want || got.Rule != c.wantRule {
				t.Errorf("got %v rule %d, want %v rule %d", got.Type, got.Rule, c.want, c.wantRule)
			}
		})
	}
	m := Metric{Name: "app.session.count", Attrs: mk()}
	if got := r.ResolveMetric(&m); got.Type != SessionStart || got.Rule != 5 {
		t.Errorf("metric rule: got %v rule %d", got.Type, got.Rule)
	}
	m = Metric{Name: "my_app.tool_run", Attrs: mk()}
	if got := r.ResolveMetric(&m); got.Type != NoType {
		t.Errorf("event rule matched a metric: %v", got.Type)
	}
}

func TestResolveMetric(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		m    Metric
		want Type
	}{
		{"claude session count: timing only", defaults(), Metric{Name: "claude_code.session.count"}, Ignore},
		{"gemini session count: timing only", defaults(), Metric{Name: "gemini_cli.session.count"}, Ignore},
		{"codex thread started: timing only", defaults(), Metric{Name: "codex.thread.started"}, Ignore},
		{"genai token usage", defaults(), Metric{Name: "gen_ai.client.token.usage", Distribution: true}, TokenUsage},
		{"genai token usage of gemini cli repeats its events", defaults(),
			Metric{Name: "gen_ai.client.token.usage", Distribution: true, Resource: mk("service.name", "gemini-cli")}, Ignore},
		{"genai token usage of another service", defaults(),
			Metric{Name: "gen_ai.client.token.usage", Distribution: true, Resource: mk("service.name", "my-app")}, TokenUsage},
		{"genai operation duration", defaults(), Metric{Name: "gen_ai.client.operation.duration", Unit: "s", Distribution: true}, Performance},
		{"histogram in ms", defaults(), Metric{Name: "http.wait", Unit: "ms", Distribution: true}, Performance},
		{"an agent's own histogram in ms", defaults(), Metric{Name: "codex.sqlite.init.duration_ms", Unit: "ms", Distribution: true}, Ignore},
		{"name ends in .latency", defaults(), Metric{Name: "rpc.latency", Unit: "{x}", Distribution: true}, Performance},
		{"a sum in seconds is not a duration", defaults(), Metric{Name: "app.active_time.total", Unit: "s"}, NoType},
		{"gauge in bytes", defaults(), Metric{Name: "process.memory.usage", Unit: "By", Distribution: true}, NoType},
		{"claude token.usage repeats the api_request events", defaults(), Metric{Name: "claude_code.token.usage", Unit: "tokens"}, Ignore},
		{"claude cost.usage repeats the api_request events", defaults(), Metric{Name: "claude_code.cost.usage", Unit: "USD"}, Ignore},
		{"claude token.usage with the documented rule", withRules(claudeUsageRule), Metric{Name: "claude_code.token.usage"}, TokenUsage},
		{"claude cost.usage with the documented rule", withRules(claudeUsageRule), Metric{Name: "claude_code.cost.usage"}, TokenUsage},
		{"override on a point", defaults(), Metric{Name: "x", Attrs: mk("analytics.type", "checkpoint_created")}, CheckpointCreated},
		{"builtin off", Config{Unmatched: NoType}, Metric{Name: "claude_code.session.count"}, NoType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.m.Attrs == nil {
				c.m.Attrs = mk()
			}
			if got := NewResolver(c.cfg).ResolveMetric(&c.m); got.Type != c.want {
				t.Errorf("got %v, want %v", got.Type, c.want)
			}
		})
	}
}

// claudeUsageRule is the user rule the docs give for Claude Code's token
// and cost metrics, when its events are not exported.
var claudeUsageRule = Rule{Metric: "claude_code.*.usage", Type: TokenUsage}

func withRules(r ...Rule) Config {
	c := defaults()
	c.Rules = r
	return c
}

func TestParseType(t *testing.T) {
	for i, n := range Names {
		if got, ok := ParseType(n); !ok || got != Type(i) || got.String() != n {
			t.Errorf("ParseType(%q) = %v, %v", n, got, ok)
		}
	}
	if _, ok := ParseType("Tool_Use"); ok {
		t.Error("types are case-sensitive")
	}
	if NoType.String() != "" {
		t.Error("NoType has a name")
	}
}

// TestBuiltinTableIsSound keeps the table data honest: names unique, and a
// conditioned rule names its attribute.
func TestBuiltinTableIsSound(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range BuiltinEvents {
		key := r.Name + "|" + r.Attr
		if seen[key] {
			t.Errorf("duplicate built-in rule %s", key)
		}
		seen[key] = true
		if r.Values != nil && r.Attr == "" {
			t.Errorf("%s: values without an attribute", r.Name)
		}
	}
}

// TestAgentEventsAsSent pins the built-in rules on event names and
// attributes as the agents really send them (testdata/agents).
func TestAgentEventsAsSent(t *testing.T) {
	r := NewResolver(defaults())
	cases := []struct {
		name   string
		log    Log
		want   Type
		prompt bool
		tokens TokenCounting
	}{
		{"claude user_prompt: a prompt, no entry", Log{Name: "user_prompt", Attrs: mk("prompt_length", "9")}, NoType, true, 0},
		{"claude slash command: a prompt and a command", Log{Name: "user_prompt", Attrs: mk("command_name", "/init")}, CommandExecuted, true, 0},
		{"claude api_request: input without the cache", Log{Name: "api_request", Attrs: mk()}, TokenUsage, false, TokensInputExcludesCache},
		{"gemini user_prompt", Log{Name: "gemini_cli.user_prompt", Attrs: mk()}, NoType, true, 0},
		{"gemini api_response: output without thoughts", Log{Name: "gemini_cli.api_response", Attrs: mk()}, TokenUsage, false, TokensOutputExcludesReasoning},
		{"codex user_prompt", Log{Name: "codex.user_prompt", Attrs: mk()}, NoType, true, 0},
		{"codex sse_event with the usage", Log{Name: "codex.sse_event", Attrs: mk("input_token_count", "1000")}, TokenUsage, false, TokensStandard},
		{"codex sse_event without it", Log{Name: "codex.sse_event", Attrs: mk("event.kind", "response.completed")}, NoType, false, 0},
		{"codex refused request", Log{Name: "codex.api_request", Attrs: mk("error.message", "http 429")}, ErrorOccurred, false, 0},
		{"codex answered request", Log{Name: "codex.api_request", Attrs: mk("http.response.status_code", 200)}, NoType, false, 0},
		{"another tool's prompt event is not a prompt", Log{Name: "other.user_prompt", Attrs: mk()}, NoType, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.ResolveLog(&c.log)
			if got.Type != c.want || got.Prompt != c.prompt || got.Tokens != c.tokens {
				t.Errorf("got type %v prompt %v tokens %v; want %v %v %v", got.Type, got.Prompt, got.Tokens, c.want, c.prompt, c.tokens)
			}
		})
	}
}
