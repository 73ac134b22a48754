package mapping

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
)

// EventRule is one built-in rule for a log event: the event Name (compared
// with and without its tool prefix) becomes Type, when Attr is empty, or
// when the record has attribute Attr and (Values nil) any value or one of
// Values.
type EventRule struct {
	Name   string
	Type   Type
	Attr   string
	Values []string
}

// BuiltinEvents are the built-in event rules, first match wins.
// The sources: the Claude Code, Gemini CLI and Codex telemetry docs, and the
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
	{Name: "exception", Type: ErrorOccurred},

	{Name: "claude_code.api_request", Type: TokenUsage},
	{Name: "gemini_cli.api_response", Type: TokenUsage},
}

// RejectDecisions are the tool decision values that mean the tool did not run.
var RejectDecisions = []string{"reject", "denied", "abort"}

// BuiltinMetrics maps metric names to types. Claude Code's token.usage and
// cost.usage are deliberately absent: they count the same requests as its
// api_request events. A user rule turns them on where the events are not
// exported (in config: `rules: [{match: {metric: "claude_code.*.usage"},
// type: token_usage}]`).
var BuiltinMetrics = map[string]Type{
	"claude_code.session.count":        SessionStart,
	"gemini_cli.session.count":         SessionStart,
	"codex.thread.started":             SessionStart,
	"gen_ai.client.token.usage":        TokenUsage,
	"gen_ai.client.operation.duration": Performance,
	"gen_ai.invoke_agent.duration":     Performance,
	"gen_ai.execute_tool.duration":     Performance,
}

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

// eventIndex finds the BuiltinEvents rules of a prefix-less name.
type eventIndex struct {
	names  Index
	groups [][]int // per name id: indexes into BuiltinEvents, table order
}

func newEventIndex(rules []EventRule) *eventIndex {
	x := &eventIndex{}
	for i, r := range rules {
		id := x.names.Add(StripPrefix(r.Name))
		if id == len(x.groups) {
			x.groups = append(x.groups, nil)
		}
		x.groups[id] = append(x.groups[id], i)
	}
	x.names.Build()
	return x
}

func (x *eventIndex) rules(bare string) []int {
	if id := x.names.Lookup(bare); id >= 0 {
		return x.groups[id]
	}
	return nil
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
