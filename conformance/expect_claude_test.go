package conformance

// claudeCode is what the suite expects of claude-code. The shell tool name and the
// agent's own checks are filled in from its captures.
var claudeCode = agentSpec{
	name:              "claude-code",
	pkg:               "@anthropic-ai/claude-code",
	version:           "2.1.328",
	maxLinesPerPrompt: 10,
}
