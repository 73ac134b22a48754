package mapping

// Match reports whether name matches the glob pattern: '*' matches any run of
// bytes (also none), '?' exactly one byte, every other byte itself.
func Match(pattern, name string) bool {
	p, n := 0, 0
	starP, starN := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			starP, starN = p, n
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == name[n]):
			p++
			n++
		case starP >= 0:
			// Let the last star swallow one more byte and retry.
			starN++
			p, n = starP+1, starN
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// MatchName reports whether an event or metric name matches pattern, with
// and without tool prefixes: "tool_*" matches "claude_code.tool_result", and
// "claude_code.tool_*" matches the bare "tool_result" (Claude Code's
// event.name) but not "gemini_cli.tool_call".
func MatchName(pattern, name string) bool {
	if Match(pattern, name) {
		return true
	}
	sn := StripPrefix(name)
	if sn != name && Match(pattern, sn) {
		return true
	}
	sp := StripPrefix(pattern)
	return sp != pattern && sn == name && Match(sp, name)
}
