package mapping

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ToolPrefixes are the prefixes agent tools put before their event and
// metric names. Names are compared with and without them.
var ToolPrefixes = [...]string{"claude_code.", "gemini_cli.", "codex."}

// StripPrefix returns name without a leading tool prefix.
func StripPrefix(name string) string {
	bare, _ := splitPrefix(name)
	return bare
}

// splitPrefix returns name without its tool prefix, and whether it had one.
// The prefixes start with 'c' or 'g': other names cost one byte compare.
func splitPrefix(name string) (string, bool) {
	if len(name) == 0 || (name[0] != 'c' && name[0] != 'g') {
		return name, false
	}
	for _, p := range ToolPrefixes {
		if strings.HasPrefix(name, p) {
			return name[len(p):], true
		}
	}
	return name, false
}

// EventNameAttribute is the attribute that carries the event name when the
// record's EventName field is empty.
const EventNameAttribute = "event.name"

// EventName returns the event name of a log record: its EventName field
// when that is a name, else the string value of the event.name attribute
// (attr, found), else a string body that looks like a dotted name. fromAttr
// says the name came from the attribute.
//
// Codex fills the EventName field with a source location ("event
// otel/src/events/session_telemetry.rs:703") and puts the real name in
// event.name, so an EventName that is not a name (see IsName) gives way.
func EventName(eventName string, attr pcommon.Value, found bool, body pcommon.Value) (name string, fromAttr bool) {
	if eventName != "" && IsName(eventName) {
		return eventName, false
	}
	if found && attr.Type() == pcommon.ValueTypeStr && attr.Str() != "" {
		return attr.Str(), true
	}
	if body.Type() == pcommon.ValueTypeStr && IsDottedName(body.Str()) {
		return body.Str(), false
	}
	return "", false
}

// IsName reports whether s can be an event name: at most 128 bytes of
// letters, digits, '.', '_' and '-', not empty.
func IsName(s string) bool {
	if len(s) == 0 || len(s) > maxDottedName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameByte(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// maxDottedName bounds what a body may be to count as an event name.
const maxDottedName = 128

// IsDottedName reports whether s looks like an event name such as
// "claude_code.api_request": two or more non-empty segments of letters,
// digits, '_' or '-', separated by dots, and no longer than 128 bytes.
func IsDottedName(s string) bool {
	if len(s) == 0 || len(s) > maxDottedName {
		return false
	}
	dots, segLen := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if segLen == 0 {
				return false
			}
			dots++
			segLen = 0
		case nameByte(c):
			segLen++
		default:
			return false
		}
	}
	return dots > 0 && segLen > 0
}
