package convert

import "github.com/analyticsexporter/analyticsexporter/internal/mapping"

// kind is how a named field is coerced.
type kind uint8

const (
	kindStr kind = iota
	kindInt
	kindFloat // also durations in milliseconds
	kindBool
	kindPath // a string, or the first string of a list (workspace.host_paths)
)

// derivation is a source of a named field that is not one attribute.
type derivation uint8

const (
	// derDecision: a tool decision reject/denied/abort is success false,
	// accept is true (the decision attribute stays in data).
	derDecision derivation = iota
	// derErrorPresent: an error, error.type or exception.* attribute makes
	// success false.
	derErrorPresent
	// derMetricOK: a metric point without an error attribute is success true.
	derMetricOK
	// derOperation: the event name, or the metric name plus the tool or
	// agent name.
	derOperation
	// derMetricDuration: a duration metric's value, or a histogram's mean,
	// in milliseconds.
	derMetricDuration
	// derTokenValue: a token or cost metric's value, placed by the token
	// type attribute (gen_ai.token.type or Claude Code's type).
	derTokenValue
	// derBody: a string log body (the message of a generic error).
	derBody
	// derExitCode: a shell command's exit code, from an exit_code
	// attribute, Gemini CLI's metadata ({"exitCode":2,...}) or the start of
	// Codex's output ("Process exited with code 2"): 0 is success. The
	// agents' own success flag says only that the tool ran.
	derExitCode
	// derStatus: a status attribute success/ok or error/failed.
	derStatus
	// derMetricOperation: derOperation, for metrics only (a point
	// attribute named operation qualifies the metric name, never
	// replaces it).
	derMetricOperation
	// derSpanStatus: a span's status, ERROR false and OK true (UNSET
	// says nothing); a tool span with a failed child span in the same
	// request failed too.
	derSpanStatus
	// derSpanOK: a tool or agent span that nothing says failed succeeded.
	derSpanOK
	// derSpanDuration: a span's end minus its start, in milliseconds.
	derSpanDuration
	// derSpanMessage: a failed span's status message, else the message of
	// its exception event.
	derSpanMessage
	// derSpanException: the exception event's type (error_type) or stack
	// trace (stack_trace) of a span.
	derSpanException
	// derService: a span's service.name (the agent of an agent span that
	// names none).
	derService
)

// infoSlot says which EntryInfo number a named field feeds.
type infoSlot uint8

const (
	infoNone infoSlot = iota
	infoCost
	infoModel
	infoPath
	infoSuccess
)

// tokenKind is the index of a token count field (0: not one).
type tokenKind uint8

const (
	tokNone tokenKind = iota
	tokInput
	tokOutput
	tokCacheRead
	tokCacheCreation
	tokReasoning
	numTokenKinds = iota - 1
)

// src is one attribute source of a named field. keep leaves the attribute
// in data as well (status_code is a fact of its own besides error_type).
type src struct {
	key  string
	keep bool
}

// fieldDef is one named field of a type: its sources in order (its own name
// is always tried first), then derivations. optional fields are written only
// when they have a value.
type fieldDef struct {
	name    string
	kind    kind
	sources []src
	derive  []derivation
	// first are derivations tried before any source.
	first    []derivation
	optional bool
	info     infoSlot
	tok      tokenKind
}

func s(keys ...string) []src {
	out := make([]src, len(keys))
	for i, k := range keys {
		out[i] = src{key: k}
	}
	return out
}

func d(ds ...derivation) []derivation { return ds }

// projectPathKeys are where a project path comes from (cwd: Claude Code,
// workspace.host_paths: Gemini CLI, project_path: our own name).
var projectPathKeys = []string{"project_path", "cwd", "workspace.host_paths"}

// modelKeys are where a model name comes from (the last three: OpenInference
// and the Vercel AI SDK's spans).
var modelKeys = []string{"model", "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "ai.response.model", "ai.model.id"}

// namedFields are the named fields of every type, seed fields first, with
// their sources (attribute names from the Claude Code, Gemini
// CLI and Codex telemetry docs and the GenAI semantic conventions).
var namedFields = [mapping.NumTypes][]fieldDef{
	mapping.SessionStart: {
		{name: "project_path", kind: kindPath, sources: s(projectPathKeys...), info: infoPath},
		{name: "model", sources: s(modelKeys...), info: infoModel},
	},
	mapping.SessionEnd: {
		{name: "duration_seconds", kind: kindFloat},
		{name: "token_count", kind: kindInt, sources: s("total_tokens", "total_token_count")},
	},
	mapping.ToolUse: {
		{name: "tool_name", sources: s("function_name", "gen_ai.tool.name", "tool.name", "ai.toolCall.name", "traceloop.entity.name")},
		{name: "success", kind: kindBool, first: d(derExitCode),
			derive: d(derSpanStatus, derStatus, derDecision, derErrorPresent, derSpanOK), info: infoSuccess},
		{name: "duration_ms", kind: kindFloat, derive: d(derSpanDuration)},
	},
	mapping.AgentExecution: {
		{name: "agent_name", sources: s("agent_type", "gen_ai.agent.name", "agent.name", "traceloop.entity.name",
			"ai.telemetry.functionId"), derive: d(derService)},
		{name: "success", kind: kindBool, derive: d(derSpanStatus, derStatus, derErrorPresent, derSpanOK)},
		{name: "duration_ms", kind: kindFloat, derive: d(derSpanDuration)},
	},
	mapping.CheckpointCreated: {
		{name: "checkpoint_id"},
	},
	mapping.HookTriggered: {
		{name: "hook_name"},
		{name: "hook_event", sources: s("hook_event_name")},
		{name: "success", kind: kindBool, derive: d(derSpanStatus, derStatus, derErrorPresent)},
		{name: "duration_ms", kind: kindFloat, sources: s("total_duration_ms"), derive: d(derSpanDuration)},
	},
	mapping.CommandExecuted: {
		{name: "command", sources: s("command_name")},
		{name: "success", kind: kindBool, derive: d(derSpanStatus, derStatus, derErrorPresent)},
		{name: "duration_ms", kind: kindFloat, derive: d(derSpanDuration)},
	},
	mapping.ErrorOccurred: {
		{name: "error_type", sources: append(s("error.type", "exception.type", "error_name"), src{key: "status_code", keep: true}),
			derive: d(derSpanException)},
		{name: "error_message", sources: s("error", "error.message", "exception.message"), derive: d(derBody, derSpanMessage)},
		{name: "stack_trace", sources: s("exception.stacktrace"), derive: d(derSpanException)},
	},
	mapping.TokenUsage: {
		{name: "model", sources: s(modelKeys...), info: infoModel},
		{name: "input_tokens", kind: kindInt, sources: s("input_token_count", "gen_ai.usage.input_tokens",
			"gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "ai.usage.inputTokens", "ai.usage.promptTokens",
			"ai.usage.tokens"), derive: d(derTokenValue), tok: tokInput},
		{name: "output_tokens", kind: kindInt, sources: s("output_token_count", "gen_ai.usage.output_tokens",
			"gen_ai.usage.completion_tokens", "llm.token_count.completion", "ai.usage.outputTokens", "ai.usage.completionTokens"),
			derive: d(derTokenValue), tok: tokOutput},
		{name: "cache_read_tokens", kind: kindInt, sources: s("cached_content_token_count", "cached_token_count",
			"cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
			"llm.token_count.prompt_details.cache_read", "ai.usage.inputTokenDetails.cacheReadTokens", "ai.usage.cachedInputTokens"),
			derive: d(derTokenValue), tok: tokCacheRead},
		{name: "cache_creation_tokens", kind: kindInt, sources: s("cache_write_token_count", "cache_creation_input_tokens",
			"gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens",
			"llm.token_count.prompt_details.cache_write", "ai.usage.inputTokenDetails.cacheWriteTokens"),
			derive: d(derTokenValue), tok: tokCacheCreation},
		{name: "reasoning_tokens", kind: kindInt, sources: s("thoughts_token_count", "reasoning_token_count",
			"gen_ai.usage.reasoning.output_tokens", "llm.token_count.completion_details.reasoning",
			"ai.usage.outputTokenDetails.reasoningTokens", "ai.usage.reasoningTokens"), derive: d(derTokenValue), tok: tokReasoning},
		{name: "cost_usd", kind: kindFloat, sources: s("cost"), derive: d(derTokenValue), info: infoCost},
	},
	mapping.Performance: {
		{name: "operation", first: d(derMetricOperation), derive: d(derOperation)},
		{name: "duration_ms", kind: kindFloat, derive: d(derMetricDuration, derSpanDuration)},
		{name: "success", kind: kindBool, derive: d(derSpanStatus, derStatus, derErrorPresent, derMetricOK)},
		// A histogram aggregates many tool or agent runs; their name stays
		// in data under the seed's field name.
		{name: "tool_name", sources: s("gen_ai.tool.name"), optional: true},
		{name: "agent_name", sources: s("gen_ai.agent.name"), optional: true},
	},
}

// errorKeys make success false (derErrorPresent) and a metric point failed.
var errorKeys = []string{"error", "error.type", "exception.type", "exception.message"}

// statusKeys carry an operation's outcome as text.
var statusKeys = []string{"status"}

// exitCodeKeys carry a shell command's exit status: exit_code as sent, and
// the texts an agent puts it in (Gemini CLI's metadata JSON, Codex's
// output).
var exitCodeKeys = []string{"exit_code", "metadata", "output"}

// tokenTypeKeys say which token count a token metric point carries.
var tokenTypeKeys = []string{"gen_ai.token.type", "type"}

// tokenTypes maps token type values to token_usage field names.
var tokenTypes = map[string]string{
	"input": "input_tokens", "output": "output_tokens",
	"cacheRead": "cache_read_tokens", "cache_read": "cache_read_tokens",
	"cacheCreation": "cache_creation_tokens", "cache_creation": "cache_creation_tokens",
	"reasoning": "reasoning_tokens", "thought": "reasoning_tokens",
}

// successStatuses and failureStatuses are status attribute values that say
// how an operation ended (compared in lower case).
var (
	successStatuses = []string{"success", "ok", "succeeded", "completed", "done"}
	failureStatuses = []string{"error", "failed", "failure", "fail", "cancelled", "canceled", "timeout"}
)

// noErrorValues are values of an error attribute that mean there was none
// (Codex sends error="none"); compared in lower case.
var noErrorValues = []string{"", "none", "null", "nil", "false", "0", "ok"}

// metricValueKeys are the data keys a metric point's own numbers use; an
// attribute with one of these keys is left out (the point's number wins).
var metricValueKeys = []string{"value", "count", "sum", "min", "max", "bucket_counts", "explicit_bounds",
	"scale", "zero_count", "positive", "negative", "quantiles"}

// commonKeys are attribute keys the agent tools send on most events
// (Claude Code, Gemini CLI and Codex telemetry docs; OTel semantic
// conventions). They have no role; being in the key table gives them a
// pre-encoded JSON key, so the hot path copies instead of escaping them.
var commonKeys = []string{
	"event.sequence", "event.timestamp", "organization.id", "prompt.id", "prompt", "prompt_length",
	"terminal.type", "user.account_uuid", "user.email", "request_id", "query_source", "speed",
	"tool_use_id", "decision_source", "decision_type", "tool_result_size_bytes", "tool_parameters", "source",
	"attempt", "error_code", "num_hooks", "num_success", "num_blocking", "num_cancelled", "num_non_blocking_error",
	"is_built_in", "total_tool_uses", "total_attempts", "total_retry_duration_ms", "command_source",
	"auth_type", "interactive", "prompt_id", "tool_type", "function_args", "status", "subcommand",
	"thoughts_token_count", "tool_token_count", "total_token_count", "agent_id", "terminate_reason", "turn_count",
	"hook_type", "exit_code", "app.version", "service.name", "service.version", "os.type", "host.arch",
	"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.system", "server.address", "server.port",
	"conversation.id", "user.account_id", "start_type", "exit_code",
	// Span attributes: Claude Code's, the GenAI conventions', the
	// instrumentations', and the keys of Codex's internal spans (known
	// keys skip the UTF-8 check that unknown ones get).
	"anthropic.provider", "anthropic.custom_base_url", "span.type", "tool_name_safe", "full_command",
	"bash_command_class", "bash_argv0", "llm_request.context", "query_source_safe", "ttft_ms", "first_content_ms",
	"stop_reason", "effort", "interaction.sequence", "interaction.duration_ms", "user_prompt", "user_prompt_length",
	"parent.source", "queued_sends", "gen_ai.response.id", "gen_ai.response.finish_reasons", "gen_ai.tool.call.id",
	"gen_ai.tool.type", "gen_ai.tool.description", "gen_ai.tool.call.arguments", "gen_ai.tool.call.result",
	"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions",
	"gen_ai.usage.total_tokens", "traceloop.workflow.name", "traceloop.entity.path", "traceloop.entity.input",
	"traceloop.entity.output", "ai.model.provider", "ai.settings.maxRetries", "ai.prompt", "ai.prompt.messages",
	"ai.response.text", "ai.response.finishReason", "ai.response.id", "ai.usage.totalTokens",
	"code.file.path", "code.module.name", "code.line.number", "code.function.name", "thread.name", "target",
	"busy_ns", "idle_ns", "turn.id", "turn_id",
}
