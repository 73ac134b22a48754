package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"
)

// Keys are the entry's keys in the order every line must have them.
var Keys = [...]string{"id", "timestamp", "type", "session_id", "user_id", "data", "metadata"}

// Types are the ten entry types (Python's MetricType values).
var Types = [...]string{
	"session_start", "session_end", "tool_use", "agent_execution", "checkpoint_created",
	"hook_triggered", "command_executed", "error_occurred", "token_usage", "performance",
}

// IsType reports whether t is one of Types.
func IsType(t string) bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

// TimestampLayout is the Go layout of an entry timestamp.
const TimestampLayout = "2006-01-02T15:04:05.000000Z07:00"

var (
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$`)
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// Entry is one checked line.
type Entry struct {
	ID        string
	Timestamp time.Time // UTC
	Type      string
	// SessionID and UserID are "" when the line holds null; SessionIDNull and
	// UserIDNull tell null from an empty string.
	SessionID, UserID         string
	SessionIDNull, UserIDNull bool
	// Data and Metadata are the raw JSON objects, as written.
	Data, Metadata json.RawMessage
}

// DataMap decodes Data (numbers as json.Number).
func (e Entry) DataMap() (map[string]any, error) { return decodeObject(e.Data) }

// MetadataMap decodes Metadata (numbers as json.Number).
func (e Entry) MetadataMap() (map[string]any, error) { return decodeObject(e.Metadata) }

func decodeObject(raw json.RawMessage) (map[string]any, error) {
	var m map[string]any
	dec := newDecoder(raw)
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// CheckLine checks one line (without its '\n') against the entry contract
// and returns its fields: strict JSON (CheckJSON), no raw newline, exactly
// the keys of Keys in that order, a canonical lowercase UUID id, a
// timestamp matching YYYY-MM-DDTHH:MM:SS.ffffff+00:00 that parses with a
// year >= 1, a type from Types, session_id and user_id strings or null, and
// data and metadata objects.
func CheckLine(line []byte) (Entry, error) {
	var e Entry
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		return e, fmt.Errorf("raw newline at byte %d", i)
	}
	if !utf8.Valid(line) {
		return e, errors.New("invalid UTF-8")
	}
	dec := newDecoder(line)
	tok, err := dec.Token()
	if err != nil {
		return e, syntaxError(err)
	}
	if tok != json.Delim('{') {
		return e, fmt.Errorf("line is not a JSON object")
	}
	for i := 0; dec.More(); i++ {
		kt, err := dec.Token()
		if err != nil {
			return e, syntaxError(err)
		}
		key := kt.(string)
		if i >= len(Keys) || key != Keys[i] {
			return e, keyOrderError(i, key)
		}
		if err := readField(dec, line, key, &e); err != nil {
			return e, err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return e, syntaxError(err)
	}
	if e.Metadata == nil {
		return e, fmt.Errorf("missing keys: want %v in this order", Keys)
	}
	return e, expectEOF(dec)
}

func keyOrderError(i int, key string) error {
	if i >= len(Keys) {
		return fmt.Errorf("unexpected key %q after %q", key, Keys[len(Keys)-1])
	}
	return fmt.Errorf("key %d is %q, want %q (keys must be %v in this order)", i+1, key, Keys[i], Keys)
}
