package conformance

// codex is what the suite expects of codex. The shell tool name and the
// agent's own checks are filled in from its captures.
var codex = agentSpec{
	name:              "codex",
	pkg:               "@openai/codex",
	version:           "0.169.0",
	maxLinesPerPrompt: 10,
}
