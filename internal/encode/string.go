package encode

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

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

// Joined appends a, sep and b as one JSON string: what String(a +
// string(sep) + b) appends, without building that string. sep must be
// ASCII: escaping goes character by character, and no UTF-8 sequence can
// span an ASCII byte, so escaping the parts one by one is escaping the
// whole.
func Joined(dst []byte, a string, sep byte, b string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, a)
	if safeASCII[sep] {
		dst = append(dst, sep)
	} else {
		dst = appendASCIIEscape(dst, sep)
	}
	dst = appendEscaped(dst, b)
	return append(dst, '"')
}

// Key appends s as an object key followed by a colon: "s":.
func Key(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"', ':')
}

// appendEscaped appends the body of a JSON string (without quotes). Runs of bytes that need no escaping
// are found 8 bytes at a time and copied with one append each.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if safeASCII[b] {
				i = skipSafe(s, i+1)
				continue
			}
			if start < i {
				dst = append(dst, s[start:i]...)
			}
			dst = appendASCIIEscape(dst, b)
			i++
			start = i
			continue
		}
		if n := plainMultibyte(s, i); n > 0 {
			i += n
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

// plainMultibyte returns the length of the valid 2- or 3-byte UTF-8
// sequence at s[i] when it is copied as it is (not a C1 control, not
// U+2028/U+2029), else 0 and the caller decodes the general way. It spares
// most non-ASCII text the general decoder.
func plainMultibyte(s string, i int) int {
	b := s[i]
	switch {
	case b >= 0xc2 && b <= 0xdf && i+1 < len(s):
		c := s[i+1]
		if c&0xc0 == 0x80 && (b != 0xc2 || c > 0x9f) {
			return 2
		}
	case b >= 0xe0 && b <= 0xef && i+2 < len(s):
		c, d := s[i+1], s[i+2]
		lo, hi := byte(0x80), byte(0xbf)
		switch b {
		case 0xe0:
			lo = 0xa0 // no overlong forms
		case 0xed:
			hi = 0x9f // no surrogates
		case 0xe2:
			if c == 0x80 && (d == 0xa8 || d == 0xa9) {
				return 0 // U+2028, U+2029
			}
		}
		if c >= lo && c <= hi && d&0xc0 == 0x80 {
			return 3
		}
	}
	return 0
}

// skipSafe returns the index of the first byte at or after i that is not
// safe ASCII, or len(s).
func skipSafe(s string, i int) int {
	for i+8 <= len(s) {
		if m := unsafeMask(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(s) && safeASCII[s[i]] {
		i++
	}
	return i
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load64 reads s[i:i+8] as a little-endian word: one load (the conversion
// to []byte neither copies nor allocates).
func load64(s string, i int) uint64 { return binary.LittleEndian.Uint64([]byte(s[i : i+8])) }

// unsafeMask has the high bit set in (at least) the lowest byte of w that is
// not safe ASCII: >= 0x80, < 0x20, '"', '\\' or DEL; it is zero when all
// 8 bytes are safe. (x-ones*n) &^ x & highs flags a byte of x below n
// (n <= 0x80); a borrow can flag bytes above a flagged one, never below,
// so the lowest flag is exact. x^(ones*c) has a zero byte where x holds c.
func unsafeMask(w uint64) uint64 {
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	del := w ^ (ones * 0x7f)
	// w, q, bs and del share their high bits (every c < 0x80), so one
	// &^w serves all four tests; w&highs flags the bytes >= 0x80.
	below := (w - ones*0x20) | (q - ones) | (bs - ones) | (del - ones)
	return below&^w&highs | w&highs
}

// shortEscape[b] is the letter of b's two-byte escape (\n, \", ...), or 0
// when b is written as \u00XX.
var shortEscape = [128]byte{'"': '"', '\\': '\\', '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f'}

// appendASCIIEscape appends the escape sequence of an unsafe ASCII byte.
func appendASCIIEscape(dst []byte, b byte) []byte {
	if e := shortEscape[b&0x7f]; e != 0 {
		return append(dst, '\\', e)
	}
	return appendU4(dst, rune(b))
}

// appendU4 appends \uXXXX for a rune of the Basic Multilingual Plane.
func appendU4(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
