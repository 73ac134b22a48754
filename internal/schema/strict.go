package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// CheckJSON reports whether b is exactly one strict JSON value: valid UTF-8,
// standard JSON (so no NaN or Infinity), no duplicate key in any object at
// any depth, and nothing but whitespace after the value.
func CheckJSON(b []byte) error {
	if !utf8.Valid(b) {
		return errors.New("invalid UTF-8")
	}
	dec := newDecoder(b)
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if err := walk(dec, tok, ""); err != nil {
		return err
	}
	return expectEOF(dec)
}

// newDecoder reads b with numbers kept as text, so that huge integers and
// exact decimals are not rounded while checking.
func newDecoder(b []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec
}

// walk consumes the value that starts with tok. path names the value in
// error messages (".data.a[2]").
func walk(dec *json.Decoder, tok json.Token, path string) error {
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: the decoder has validated it
	}
	if d == '[' {
		for i := 0; dec.More(); i++ {
			t, err := dec.Token()
			if err != nil {
				return syntaxError(err)
			}
			if err := walk(dec, t, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return syntaxError(err)
	}
	seen := make(map[string]struct{})
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		key := t.(string) // the decoder allows only strings as keys
		if _, dup := seen[key]; dup {
			return fmt.Errorf("duplicate key %q in object %s", key, pathName(path))
		}
		seen[key] = struct{}{}
		v, err := dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		if err := walk(dec, v, path+"."+key); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	return syntaxError(err)
}

// expectEOF fails when anything but whitespace follows the value.
func expectEOF(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return errors.New("trailing data after the JSON value")
		}
		return fmt.Errorf("trailing data after the JSON value: %w", err)
	}
	return nil
}

// syntaxError turns an unexpected end of input into a clear message.
func syntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of input")
	}
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

func pathName(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}
