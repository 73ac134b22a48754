package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// readField reads the value of key from dec into e and checks it.
func readField(dec *json.Decoder, line []byte, key string, e *Entry) error {
	start := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	switch key {
	case "data", "metadata":
		if tok != json.Delim('{') {
			return fmt.Errorf("%s must be an object, got %s", key, describe(tok))
		}
		if err := walk(dec, tok, "."+key); err != nil {
			return err
		}
		raw := json.RawMessage(bytes.TrimLeft(line[start:dec.InputOffset()], " \t\r\n:"))
		if key == "data" {
			e.Data = raw
		} else {
			e.Metadata = raw
		}
		return nil
	case "session_id", "user_id":
		return readNullable(key, tok, e)
	}
	s, ok := tok.(string)
	if !ok {
		return fmt.Errorf("%s must be a string, got %s", key, describe(tok))
	}
	switch key {
	case "id":
		e.ID = s
		if !uuidRE.MatchString(s) {
			return fmt.Errorf("id not a canonical lowercase UUID: %q", s)
		}
	case "timestamp":
		t, err := parseTimestamp(s)
		if err != nil {
			return err
		}
		e.Timestamp = t
	case "type":
		e.Type = s
		if !IsType(s) {
			return fmt.Errorf("type %q is not one of %v", s, Types)
		}
	}
	return nil
}

func readNullable(key string, tok json.Token, e *Entry) error {
	s, isString := tok.(string)
	if !isString && tok != nil {
		return fmt.Errorf("%s must be a string or null, got %s", key, describe(tok))
	}
	if key == "session_id" {
		e.SessionID, e.SessionIDNull = s, !isString
	} else {
		e.UserID, e.UserIDNull = s, !isString
	}
	return nil
}

// parseTimestamp accepts exactly what the entry contract and Python's
// datetime.fromisoformat accept: six fraction digits, +00:00, year >= 1.
func parseTimestamp(s string) (time.Time, error) {
	if !timestampRE.MatchString(s) {
		return time.Time{}, fmt.Errorf("timestamp not UTC with 6 fraction digits: %q", s)
	}
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	if t.Year() < 1 {
		return time.Time{}, errors.New("timestamp year 0000 is outside Python's datetime range")
	}
	return t.UTC(), nil
}

// describe names the JSON type of a token for error messages.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	}
	return fmt.Sprintf("%v", tok)
}
