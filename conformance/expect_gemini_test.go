package conformance

// geminiCLI is what the suite expects of gemini-cli. The shell tool name and the
// agent's own checks are filled in from its captures.
var geminiCLI = agentSpec{
	name:              "gemini-cli",
	pkg:               "@google/gemini-cli",
	version:           "0.61.0",
	maxLinesPerPrompt: 10,
}
