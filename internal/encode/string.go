package encode

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// safeASCII[b] is true for the ASCII bytes copied into a JSON string as they
// are: printable characters other than '"' and '\\'. DEL (0x7f) is escaped
// too, so the output never holds a raw control character.
var safeASCII = func() (t [256]bool) {
	for b := 0x20; b < 0x7f; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// String appends s as a quoted JSON string: invalid UTF-8 becomes U+FFFD,
// control characters, '"' and '\\' are escaped (also U+2028/U+2029).
func String(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// Key appends s as an object key followed by a colon: "s":.
func Key(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"', ':')
}

// appendEscaped appends the body of a JSON string (without quotes). Runs of
// bytes that need no escaping are copied with one append each.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if safeASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendASCIIEscape(dst, b)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
		case r <= 0x9f || r == '\u2028' || r == '\u2029':
			// C1 controls and the two JavaScript line terminators.
			dst = append(dst, s[start:i]...)
			dst = appendU4(dst, r)
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// appendASCIIEscape appends the escape sequence of an unsafe ASCII byte.
func appendASCIIEscape(dst []byte, b byte) []byte {
	switch b {
	case '"', '\\':
		return append(dst, '\\', b)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	return appendU4(dst, rune(b))
}

// appendU4 appends \uXXXX for a rune of the Basic Multilingual Plane.
func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
