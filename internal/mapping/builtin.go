package mapping

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
)

// EventRule is one built-in rule for a log event: the event Name (compared
// with and without its tool prefix) becomes Type, when Attr is empty, or
// when the record has attribute Attr and (Values nil) any value or one of
// Values. Tokens says how the sender counts tokens, for token_usage.
type EventRule struct {
	Name   string
	Type   Type
	Attr   string
	Values []string
	Tokens TokenCounting
}

// TokenCounting says how a sender's token counts differ from the meaning
// the entries use (the OpenTelemetry GenAI conventions: input counts every
// input token, cached or not; output counts every generated token,
// reasoning included).
type TokenCounting uint8

const (
	// TokensStandard means the counts already mean that.
	TokensStandard TokenCounting = iota
	// TokensInputExcludesCache means the input count leaves out the tokens read
	// from and written to the cache (Anthropic's API, Claude Code).
	TokensInputExcludesCache
	// TokensOutputExcludesReasoning means the output count leaves out the
	// reasoning ("thoughts") tokens (Gemini's API, Gemini CLI).
	TokensOutputExcludesReasoning
)

// BuiltinEvents are the built-in event rules, first match wins. The
// sources: the Claude Code, Gemini CLI and Codex telemetry as the agents
// really send it (the conformance captures under testdata/agents), and the
// OTel semantic conventions (session.start/end, exception).
var BuiltinEvents = []EventRule{
	{Name: "session.start", Type: SessionStart},
	{Name: "codex.conversation_starts", Type: SessionStart},

	{Name: "session.end", Type: SessionEnd},
	{Name: "gemini_cli.conversation_finished", Type: SessionEnd},

	{Name: "claude_code.tool_result", Type: ToolUse},
	{Name: "gemini_cli.tool_call", Type: ToolUse},
	{Name: "codex.tool_result", Type: ToolUse},
	// An accepted decision is followed by a tool_result that records the
	// use; only a refused one is a use of its own (that did not succeed).
	{Name: "claude_code.tool_decision", Type: ToolUse, Attr: "decision", Values: RejectDecisions},
	{Name: "codex.tool_decision", Type: ToolUse, Attr: "decision", Values: RejectDecisions},

	{Name: "claude_code.subagent_completed", Type: AgentExecution},
	{Name: "gemini_cli.agent.finish", Type: AgentExecution},

	{Name: "claude_code.hook_execution_complete", Type: HookTriggered},
	{Name: "gemini_cli.hook_call", Type: HookTriggered},

	// A prompt is a command only when it ran a slash command.
	{Name: "claude_code.user_prompt", Type: CommandExecuted, Attr: "command_name"},
	{Name: "gemini_cli.slash_command", Type: CommandExecuted},

	{Name: "claude_code.api_error", Type: ErrorOccurred},
	{Name: "claude_code.api_retries_exhausted", Type: ErrorOccurred},
	{Name: "claude_code.internal_error", Type: ErrorOccurred},
	{Name: "gemini_cli.api_error", Type: ErrorOccurred},
	// Codex logs a refused request as an api_request with error.message.
	{Name: "codex.api_request", Type: ErrorOccurred, Attr: "error.message"},
	{Name: "exception", Type: ErrorOccurred},

	{Name: "claude_code.api_request", Type: TokenUsage, Tokens: TokensInputExcludesCache},
	{Name: "gemini_cli.api_response", Type: TokenUsage, Tokens: TokensOutputExcludesReasoning},
	// Codex logs two sse_event records per response.completed; the one
	// with the counts is the response's usage.
	{Name: "codex.sse_event", Type: TokenUsage, Attr: "input_token_count"},
}

// PromptEvents are the events that record one user prompt each. They count
// in session_end's prompts whatever type, if any, they resolve to.
var PromptEvents = []string{"claude_code.user_prompt", "gemini_cli.user_prompt", "codex.user_prompt"}

// RejectDecisions are the tool decision values that mean the tool did not run.
var RejectDecisions = []string{"reject", "denied", "abort"}

// MetricRule is one built-in rule for a metric: a metric whose name matches
// Name (a glob: '*' matches any run) becomes Type, when Service is empty or
// equals the resource's service.name.
type MetricRule struct {
	Name    string
	Service string
	Type    Type
}

// BuiltinMetrics are the built-in metric rules, first match wins. The
// agents' own metrics sum what their per-request events already say (token
// counts, tool calls, request latencies) or time their internals (start-up
// phases, database set-up), so they are ignored by default: counted once
// as events, the same quantity counted again from a metric would be
// counted twice. A user rule maps them where the events are not exported.
var BuiltinMetrics = []MetricRule{
	{Name: "claude_code.*", Type: Ignore},
	{Name: "gemini_cli.*", Type: Ignore},
	{Name: "codex.*", Type: Ignore},
	// Gemini CLI records every model call in gen_ai metrics too.
	{Name: "gen_ai.*", Service: "gemini-cli", Type: Ignore},

	{Name: "gen_ai.client.token.usage", Type: TokenUsage},
	{Name: "gen_ai.client.operation.duration", Type: Performance},
	{Name: "gen_ai.invoke_agent.duration", Type: Performance},
	{Name: "gen_ai.execute_tool.duration", Type: Performance},
}

// ServiceNameAttribute is the resource attribute MetricRule.Service
// compares with.
const ServiceNameAttribute = "service.name"

// DurationUnits and DurationSuffixes make a histogram or gauge a
// performance metric (unit s/ms, or a name ending in .duration or
// .latency). Sums are counters of time spent, not distributions, and stay
// unmatched.
var (
	DurationUnits    = []string{"s", "ms"}
	DurationSuffixes = []string{".duration", ".latency"}
)

// GenericErrorSeverity and GenericErrorAttributes make any log an
// error_occurred when nothing before matched.
var (
	GenericErrorSeverity   = plog.SeverityNumberError
	GenericErrorAttributes = []string{"exception.type", "exception.message"}
)

// exceptionSuffix makes "<anything>.exception" an error event.
const exceptionSuffix = ".exception"

// eventIndex finds the built-in event rules of a prefix-less name with one
// lookup: the BuiltinEvents rules, then the PromptEvents as rules of their
// own, indexed after them.
type eventIndex struct {
	names    Index
	groups   [][]int // per name id: rule indexes, table order
	ruleName []string
	ruleBare []bool // the rule's name has no tool prefix
	nTyped   int    // rules below this index are BuiltinEvents
}

func newEventIndex(rules []EventRule, prompts []string) *eventIndex {
	x := &eventIndex{nTyped: len(rules)}
	names := make([]string, 0, len(rules)+len(prompts))
	for _, r := range rules {
		names = append(names, r.Name)
	}
	names = append(names, prompts...)
	for i, n := range names {
		x.ruleName = append(x.ruleName, n)
		x.ruleBare = append(x.ruleBare, isBare(n))
		id := x.names.Add(StripPrefix(n))
		if id == len(x.groups) {
			x.groups = append(x.groups, nil)
		}
		x.groups[id] = append(x.groups[id], i)
	}
	x.names.Build()
	return x
}

// rules returns the rules whose bare name is name's, in table order (a
// caller keeps those that apply), and whether name itself is bare.
func (x *eventIndex) rules(name string) ([]int, bool) {
	stripped, prefixed := splitPrefix(name)
	if id := x.names.Lookup(stripped); id >= 0 {
		return x.groups[id], !prefixed
	}
	return nil, !prefixed
}

// applies reports whether rule i applies to an event named name (bare:
// name has no tool prefix): a bare name matches any tool's rule of that
// bare name; a prefixed name matches rules of its own tool and bare rules,
// never another tool's.
func (x *eventIndex) applies(i int, name string, bare bool) bool {
	return bare || x.ruleBare[i] || x.ruleName[i] == name
}

// prompt reports whether a prompt rule of group applies to name.
func (x *eventIndex) prompt(group []int, name string, bare bool) bool {
	for j := len(group) - 1; j >= 0 && group[j] >= x.nTyped; j-- {
		if x.applies(group[j], name, bare) {
			return true
		}
	}
	return false
}

// isBare reports whether name has no tool prefix.
func isBare(name string) bool {
	_, prefixed := splitPrefix(name)
	return !prefixed
}

// isDurationMetric reports whether a histogram or gauge is a duration.
func isDurationMetric(name, unit string) bool {
	for _, u := range DurationUnits {
		if unit == u {
			return true
		}
	}
	for _, s := range DurationSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
