// Package mapping resolves the analytics entry type of an OTLP log record or
// metric data point: the override attribute, user rules, the
// built-in rules for Claude Code, Gemini CLI, Codex and the GenAI semantic
// conventions, the generic error rule, and the unmatched policy. The
// built-in rules are data (builtin.go), so a new tool is a few table rows.
package mapping

// Type is an analytics entry type. The zero value is SessionStart; NoType
// means "no type" (drop).
type Type int8

// The ten entry types, in the order of the entry format.
const (
	SessionStart Type = iota
	SessionEnd
	ToolUse
	AgentExecution
	CheckpointCreated
	HookTriggered
	CommandExecuted
	ErrorOccurred
	TokenUsage
	Performance

	// NoType is the result for a record that is not mapped.
	NoType Type = -1
	// Ignore is the result for a record a built-in rule drops on purpose:
	// an agent's metric that sums what its per-request events already say,
	// or an agent's internal timing. It is counted apart from unmatched
	// records, and a user rule (tried first) can still map it.
	Ignore Type = -2
)

// NumTypes is the number of entry types.
const NumTypes = 10

// Names are the wire names of the types, indexed by Type.
var Names = [NumTypes]string{"session_start", "session_end", "tool_use", "agent_execution",
	"checkpoint_created", "hook_triggered", "command_executed", "error_occurred",
	"token_usage", "performance"}

// String returns the wire name of t, or "" for NoType.
func (t Type) String() string {
	if t < 0 || int(t) >= NumTypes {
		return ""
	}
	return Names[t]
}

// ParseType returns the type named s, and false when s names none.
func ParseType(s string) (Type, bool) {
	// A switch on length first keeps this cheap on the per-record override path.
	for i := range Names {
		if len(Names[i]) == len(s) && Names[i] == s {
			return Type(i), true
		}
	}
	return NoType, false
}
