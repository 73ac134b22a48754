// Package mockmodel is a scripted stand-in for the model APIs the agents
// call: Anthropic Messages, Gemini generateContent and the OpenAI Responses
// API. It listens on loopback, so the real agents can run in tests with
// known answers, known tool calls and known token usage, and it records what
// it served, so a test can compare the agents' telemetry with the truth.
//
// A Scenario scripts the main conversation: each request that continues it
// takes the next Step (a shell command for the agent to run, a text answer,
// or an HTTP error). Requests that do not continue it (an agent's title
// generation, a check that a reply is complete, a token count) are answered
// with a short text and recorded as auxiliary. Which request is which is
// decided per API by its handler.
package mockmodel

// Usage is the token usage of one model response, in one meaning for every
// API (the OpenTelemetry GenAI conventions): Input counts every input token,
// cached or not; CacheRead and CacheCreation are the parts of Input read
// from and written to the prompt cache; Output counts every generated token;
// Reasoning is the part of Output spent on reasoning. Each API handler
// converts it to that API's own fields (Anthropic's input_tokens, for
// instance, excludes the cache).
type Usage struct {
	Input, CacheRead, CacheCreation, Output, Reasoning int64
}

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		Input:         u.Input + v.Input,
		CacheRead:     u.CacheRead + v.CacheRead,
		CacheCreation: u.CacheCreation + v.CacheCreation,
		Output:        u.Output + v.Output,
		Reasoning:     u.Reasoning + v.Reasoning,
	}
}

// Step is one scripted answer of the main conversation.
type Step struct {
	// Status, when not zero, makes the request fail with this HTTP status
	// (429 for a rate limit); the other fields are then unused.
	Status int
	// Command, when set, asks the agent to run this shell command with its
	// shell tool; Text is then what the model says before the call.
	Command string
	// Text is the model's answer.
	Text string
	// Usage is the usage the response reports.
	Usage Usage
}

// Scenario is one scripted session: the prompts given to the agent, one
// invocation each (a second prompt continues the first one's session), and
// the answers of the main conversation across all of them.
type Scenario struct {
	Name    string
	Prompts []string
	Steps   []Step
}

// Markers are strings that appear only where the scenario puts them, so a
// test can search the output files for prompt text, answers, commands and
// tool output.
const (
	PromptMarker   = "prompt-marker-3b7e"
	ResponseMarker = "response-marker-91d2"
	CommandMarker  = "command-marker-a41c"
	// OutputMarker is what the command of ToolOK prints (CommandMarker in
	// upper case), so it appears only when tool output is kept.
	OutputMarker = "COMMAND-MARKER-A41C"
)

// The commands the scenarios ask for. okCommand prints OutputMarker;
// failCommand exits with status 2.
const (
	okCommand   = "echo " + CommandMarker + " | tr a-z A-Z"
	failCommand = "ls /nonexistent-" + CommandMarker
)

// usage gives each step distinct figures, so a token counted twice or
// under another kind shows.
func usage(n int64) Usage {
	return Usage{Input: 1000 * n, CacheRead: 300 * n, CacheCreation: 40 * n, Output: 50 * n, Reasoning: 7 * n}
}

// AuxUsage is the usage every auxiliary answer reports.
var AuxUsage = Usage{Input: 11, Output: 3}

// The scenarios every agent runs.
var (
	// ToolOK: one prompt, one shell command that succeeds, one answer.
	ToolOK = Scenario{
		Name:    "tool_ok",
		Prompts: []string{"Run the shell command `" + okCommand + "` and tell me what it printed. " + PromptMarker},
		Steps: []Step{
			{Command: okCommand, Text: "Running it.", Usage: usage(1)},
			{Text: "It printed the marker. " + ResponseMarker, Usage: usage(2)},
		},
	}
	// ToolFail: one prompt, one shell command that fails, one answer.
	ToolFail = Scenario{
		Name:    "tool_fail",
		Prompts: []string{"Run the shell command `" + failCommand + "` and tell me what happened. " + PromptMarker},
		Steps: []Step{
			{Command: failCommand, Text: "Running it.", Usage: usage(1)},
			{Text: "The command failed. " + ResponseMarker, Usage: usage(2)},
		},
	}
	// APIRetry: the first model request is refused with 429, the retry
	// goes on as ToolOK.
	APIRetry = Scenario{
		Name:    "api_retry",
		Prompts: ToolOK.Prompts,
		Steps:   append([]Step{{Status: 429}}, ToolOK.Steps...),
	}
	// TwoPrompts: ToolOK, then a second prompt in the same session that
	// the model answers with text.
	TwoPrompts = Scenario{
		Name:    "two_prompts",
		Prompts: append(append([]string{}, ToolOK.Prompts...), "Thanks. Now say goodbye. "+PromptMarker),
		Steps:   append(append([]Step{}, ToolOK.Steps...), Step{Text: "Goodbye. " + ResponseMarker, Usage: usage(3)}),
	}
)

// Scenarios lists every scenario, in the order the suite runs them.
var Scenarios = []Scenario{ToolOK, ToolFail, APIRetry, TwoPrompts}
