package mapping

import "testing"

// TestSpanRules pins the built-in span rules on spans as the agents and
// the GenAI instrumentations really send them (testdata/agents).
func TestSpanRules(t *testing.T) {
	r := NewResolver(defaults())
	cases := []struct {
		name      string
		span      Span
		want      Type
		join      string
		prompt    bool
		inference bool
		tokens    TokenCounting
	}{
		{"claude interaction: a turn and its prompt", Span{Name: "claude_code.interaction", Root: true,
			Attrs: mk(GenAIOperation, "invoke_agent")}, AgentExecution, "", true, false, 0},
		{"claude llm_request joins api_request", Span{Name: "claude_code.llm_request", Attrs: mk("request_id", "r")},
			TokenUsage, "request_id", false, true, TokensInputExcludesCache},
		{"claude tool (execute_tool) joins tool_result", Span{Name: "claude_code.tool", Attrs: mk(GenAIOperation, "execute_tool")},
			ToolUse, "tool_use_id", false, false, 0},
		{"claude tool.execution: part of the tool span", Span{Name: "claude_code.tool.execution", Attrs: mk()}, Ignore, "", false, false, 0},
		{"gemini llm_call: its events win", Span{Name: "llm_call", Service: "gemini-cli", Root: true,
			Attrs: mk(GenAIOperation, "llm_call", "gen_ai.usage.input_tokens", 5)}, Ignore, "", false, false, 0},
		{"gemini tool_call", Span{Name: "tool_call", Service: "gemini-cli", Attrs: mk(GenAIOperation, "tool_call")}, Ignore, "", false, false, 0},
		{"codex turn", Span{Name: "session_task.turn", Service: "codex_exec", Attrs: mk("turn.id", "t")}, AgentExecution, "", true, false, 0},
		{"codex exec_command joins tool_result", Span{Name: "exec_command", Service: "codex_exec", Attrs: mk("call_id", "c")},
			ToolUse, "call_id", false, false, 0},
		{"codex handle_responses: no join, its events win", Span{Name: "handle_responses", Service: "codex_exec",
			Attrs: mk("gen_ai.usage.input_tokens", 1000)}, NoType, "", false, false, 0},
		{"codex internals", Span{Name: "fs.get_metadata", Service: "codex_exec", Attrs: mk("thread.id", 3)}, NoType, "", false, false, 0},
		{"genai invoke_agent, root: a prompt", Span{Name: "invoke_agent a", Root: true, Attrs: mk(GenAIOperation, "invoke_agent")},
			AgentExecution, "", true, false, 0},
		{"genai invoke_agent, nested: no prompt", Span{Name: "invoke_agent b", Attrs: mk(GenAIOperation, "invoke_agent")},
			AgentExecution, "", false, false, 0},
		{"genai execute_tool", Span{Name: "execute_tool x", Attrs: mk(GenAIOperation, "execute_tool")}, ToolUse, "", false, false, 0},
		{"genai chat", Span{Name: "chat m", Attrs: mk(GenAIOperation, "chat")}, TokenUsage, "", false, true, 0},
		{"genai old completion name", Span{Name: "completion m", Attrs: mk(GenAIOperation, "completion")}, TokenUsage, "", false, true, 0},
		{"genai embeddings", Span{Name: "embeddings m", Attrs: mk(GenAIOperation, "embeddings")}, TokenUsage, "", false, true, 0},
		{"genai create_agent: nothing", Span{Name: "create_agent", Attrs: mk(GenAIOperation, "create_agent")}, NoType, "", false, false, 0},
		{"openinference LLM", Span{Name: "ChatOpenAI", Attrs: mk("openinference.span.kind", "LLM")}, TokenUsage, "", false, true, 0},
		{"openinference TOOL", Span{Name: "search", Attrs: mk("openinference.span.kind", "TOOL")}, ToolUse, "", false, false, 0},
		{"openinference AGENT root", Span{Name: "agent", Root: true, Attrs: mk("openinference.span.kind", "AGENT")},
			AgentExecution, "", true, false, 0},
		{"openinference CHAIN", Span{Name: "chain", Root: true, Attrs: mk("openinference.span.kind", "CHAIN")}, NoType, "", false, false, 0},
		{"openllmetry agent", Span{Name: "shell-agent.agent", Root: true, Attrs: mk("traceloop.span.kind", "agent")},
			AgentExecution, "", true, false, 0},
		{"openllmetry tool", Span{Name: "run.tool", Attrs: mk("traceloop.span.kind", "tool")}, ToolUse, "", false, false, 0},
		{"openllmetry task", Span{Name: "t.task", Attrs: mk("traceloop.span.kind", "task")}, NoType, "", false, false, 0},
		{"openllmetry old chat", Span{Name: "openai.chat", Attrs: mk("llm.request.type", "chat")}, TokenUsage, "", false, true, 0},
		{"ai sdk root", Span{Name: "ai.generateText", Root: true, Attrs: mk("ai.operationId", "ai.generateText")},
			AgentExecution, "", true, false, 0},
		{"ai sdk step", Span{Name: "ai.generateText.doGenerate", Attrs: mk("ai.operationId", "ai.generateText.doGenerate")},
			TokenUsage, "", false, true, 0},
		{"ai sdk tool call", Span{Name: "ai.toolCall", Attrs: mk("ai.operationId", "ai.toolCall")}, ToolUse, "", false, false, 0},
		{"an http client span", Span{Name: "GET", Root: true, Attrs: mk("http.request.method", "GET")}, NoType, "", false, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := r.ResolveSpan(&c.span)
			if got.Type != c.want || got.Join != c.join || got.Prompt != c.prompt || got.Inference != c.inference || got.Tokens != c.tokens {
				t.Errorf("got type %v join %q prompt %v inference %v tokens %v; want %v %q %v %v %v",
					got.Type, got.Join, got.Prompt, got.Inference, got.Tokens, c.want, c.join, c.prompt, c.inference, c.tokens)
			}
		})
	}
}

// TestUserRulesOnSpans: span rules and attribute-only rules match spans;
// event, metric and severity rules never do; unmatched spans are dropped
// whatever Unmatched says.
func TestUserRulesOnSpans(t *testing.T) {
	r := NewResolver(Config{Builtin: true, Unmatched: Performance, Rules: []Rule{
		{Event: "step", Type: CommandExecuted},
		{SeverityMin: 1, Type: ErrorOccurred},
		{Span: "my_app.*", Type: HookTriggered},
		{Attributes: []AttrCond{{Key: "app.kind", Value: "tool"}}, Type: ToolUse},
	}})
	cases := []struct {
		span Span
		want Type
	}{
		{Span{Name: "step", Attrs: mk()}, NoType},
		{Span{Name: "my_app.hook", Attrs: mk()}, HookTriggered},
		{Span{Name: "x", Attrs: mk("app.kind", "tool")}, ToolUse},
		{Span{Name: "chat", Attrs: mk(GenAIOperation, "chat")}, TokenUsage},
	}
	for _, c := range cases {
		if got := r.ResolveSpan(&c.span); got.Type != c.want {
			t.Errorf("%s: %v, want %v", c.span.Name, got.Type, c.want)
		}
	}
	// A span rule never matches a log or a metric.
	if got := r.ResolveLog(&Log{Name: "my_app.hook", Attrs: mk()}); got.Type == HookTriggered {
		t.Error("a span rule matched a log")
	}
	if got := r.ResolveMetric(&Metric{Name: "my_app.hook", Attrs: mk()}); got.Type == HookTriggered {
		t.Error("a span rule matched a metric")
	}
}

func TestSpanTableIsSound(t *testing.T) {
	for i, r := range BuiltinSpans {
		if r.Name == "" && r.Service == "" && r.Attr == "" {
			t.Errorf("rule %d matches every span", i)
		}
		if r.Values != nil && r.Attr == "" {
			t.Errorf("rule %d: values without an attribute", i)
		}
		if r.Join != "" && r.Type < 0 {
			t.Errorf("rule %d: a join on a span that makes no entry", i)
		}
		if r.Inference && r.Type != TokenUsage {
			t.Errorf("rule %d: an inference span that is not a token_usage", i)
		}
	}
	// Every span join has its event.
	joins := map[string]bool{}
	for _, r := range BuiltinEvents {
		joins[r.Join] = true
	}
	for _, r := range BuiltinSpans {
		if r.Join != "" && !joins[r.Join] {
			t.Errorf("span %s joins on %s, which no event rule joins on", r.Name, r.Join)
		}
	}
}
