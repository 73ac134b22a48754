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
	// Join is the attribute whose value names the call (a model request
	// id, a tool call id) in the sender's spans too (SpanRule.Join): the
	// event and the span with the same value are one call.
	Join string
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

	{Name: "claude_code.tool_result", Type: ToolUse, Join: "tool_use_id"},
	{Name: "gemini_cli.tool_call", Type: ToolUse},
	{Name: "codex.tool_result", Type: ToolUse, Join: "call_id"},
	// An accepted decision is followed by a tool_result that records the
	// use; only a refused one is a use of its own (that did not succeed).
	{Name: "claude_code.tool_decision", Type: ToolUse, Attr: "decision", Values: RejectDecisions, Join: "tool_use_id"},
	{Name: "codex.tool_decision", Type: ToolUse, Attr: "decision", Values: RejectDecisions, Join: "call_id"},

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

	{Name: "claude_code.api_request", Type: TokenUsage, Tokens: TokensInputExcludesCache, Join: "request_id"},
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
	// YieldsToSpans: the metric sums what a service's inference spans
	// (SpanRule.Inference) already say, call by call; once such spans of
	// the service were written, its points are ignored.
	YieldsToSpans bool
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

	{Name: "gen_ai.client.token.usage", Type: TokenUsage, YieldsToSpans: true},
	{Name: "gen_ai.client.operation.duration", Type: Performance, YieldsToSpans: true},
	{Name: "gen_ai.invoke_agent.duration", Type: Performance},
	{Name: "gen_ai.execute_tool.duration", Type: Performance},
}

// SpanRule is one built-in rule for a span. Every set condition must hold:
// Name (a glob on the span name), Service (the resource's service.name),
// Attr (the span has that attribute, with one of Values when Values is
// set). The span becomes Type.
type SpanRule struct {
	Name    string
	Service string
	Attr    string
	Values  []string
	Type    Type
	Tokens  TokenCounting
	// Join is the attribute whose value names the call in the sender's log
	// events too (EventRule.Join): the span and the event with the same
	// value are one call, and the event, which says more, is preferred.
	Join string
	// Prompt says whether the span is a user prompt (one per trace: the
	// prompt event of the same trace, if any, counts it instead).
	Prompt PromptRule
	// Inference marks a model call: a failed one (status ERROR, or an
	// error.type attribute) is an error_occurred, and once one with token
	// counts was written, its service's gen_ai.client metrics
	// (MetricRule.YieldsToSpans) are ignored.
	Inference bool
}

// PromptRule says when a span is a user prompt.
type PromptRule uint8

const (
	// PromptNever means the span is no prompt.
	PromptNever PromptRule = iota
	// PromptIfRoot means the span is a prompt when it has no parent (an
	// agent run a user started; a nested agent is not).
	PromptIfRoot
	// PromptAlways means the span is a prompt (an agent's turn).
	PromptAlways
)

// GenAIOperation is the OpenTelemetry GenAI conventions' operation
// attribute.
const GenAIOperation = "gen_ai.operation.name"

// BuiltinSpans are the built-in span rules, first match wins. The sources:
// the spans Claude Code, Gemini CLI and Codex really send (the captures
// under testdata/agents), the OpenTelemetry GenAI semantic conventions,
// OpenInference, OpenLLMetry and the Vercel AI SDK. A span no rule maps is
// dropped: an instrumented program makes many internal spans per call.
//
// The agents' spans repeat what their log events say. Per agent, one
// signal is the source of each quantity, so that turning traces on beside
// the logs changes no total (docs/traces.md): Claude Code's and Codex's
// model-call and tool spans join their events by request or call id (the
// event wins); their turn spans add an agent_execution and count the
// prompt once with the prompt event; Gemini CLI's spans add nothing.
var BuiltinSpans = []SpanRule{
	// Claude Code. The interaction's tokens are sums of its requests (not
	// counted); tool.blocked_on_user and tool.execution are parts of the
	// tool span.
	{Name: "claude_code.interaction", Type: AgentExecution, Prompt: PromptAlways},
	{Name: "claude_code.llm_request", Type: TokenUsage, Tokens: TokensInputExcludesCache, Join: "request_id", Inference: true},
	{Name: "claude_code.tool", Type: ToolUse, Join: "tool_use_id"},
	{Name: "claude_code.*", Type: Ignore},

	// Gemini CLI: llm_call and tool_call repeat its api_response and
	// tool_call events with no id to join them by (the main api_response
	// has no trace context); the events win.
	{Service: "gemini-cli", Type: Ignore},

	// Codex: one turn per user prompt (its token sums are not counted);
	// exec_command joins codex.tool_result by call_id. Its per-response
	// handle_responses usage has no id to join the sse_event records by
	// and, like its hundreds of internal spans per prompt, maps to nothing.
	{Name: "session_task.turn", Attr: "turn.id", Type: AgentExecution, Prompt: PromptAlways},
	{Name: "exec_command", Attr: "call_id", Type: ToolUse, Join: "call_id"},

	// OpenTelemetry GenAI conventions (completion and generate are older
	// names of text_completion and generate_content).
	{Attr: GenAIOperation, Values: []string{"invoke_agent"}, Type: AgentExecution, Prompt: PromptIfRoot},
	{Attr: GenAIOperation, Values: []string{"execute_tool"}, Type: ToolUse},
	{Attr: GenAIOperation, Values: []string{"chat", "text_completion", "generate_content", "completion", "generate", "embeddings"},
		Type: TokenUsage, Inference: true},

	// OpenInference.
	{Attr: "openinference.span.kind", Values: []string{"AGENT"}, Type: AgentExecution, Prompt: PromptIfRoot},
	{Attr: "openinference.span.kind", Values: []string{"TOOL"}, Type: ToolUse},
	{Attr: "openinference.span.kind", Values: []string{"LLM", "EMBEDDING"}, Type: TokenUsage, Inference: true},

	// OpenLLMetry (its model-call spans follow the GenAI conventions, or
	// carry llm.request.type in older versions).
	{Attr: "traceloop.span.kind", Values: []string{"agent", "workflow"}, Type: AgentExecution, Prompt: PromptIfRoot},
	{Attr: "traceloop.span.kind", Values: []string{"tool"}, Type: ToolUse},
	{Attr: "llm.request.type", Values: []string{"chat", "completion", "embedding"}, Type: TokenUsage, Inference: true},

	// Vercel AI SDK. The root call's ai.usage.* are sums of its steps (not
	// counted).
	{Attr: "ai.operationId", Values: []string{"ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"},
		Type: AgentExecution, Prompt: PromptIfRoot},
	{Attr: "ai.operationId", Values: []string{"ai.generateText.doGenerate", "ai.streamText.doStream",
		"ai.generateObject.doGenerate", "ai.streamObject.doStream", "ai.embed.doEmbed", "ai.embedMany.doEmbed"},
		Type: TokenUsage, Inference: true},
	{Attr: "ai.operationId", Values: []string{"ai.toolCall"}, Type: ToolUse},
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
