package convert

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// appendCoerced writes v as a named field of kind k: numbers from
// strings ("1211" -> 1211, "0.02" -> 0.02), booleans from "true"/"false",
// scalars as text for string fields. A value that does not fit is written
// as it came and reported with ok false.
func appendCoerced(dst []byte, k kind, v pcommon.Value) (out []byte, ok bool) {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return append(dst, "null"...), true
	case pcommon.ValueTypeStr:
		return appendFromString(dst, k, v.Str())
	case pcommon.ValueTypeInt:
		switch k {
		case kindInt, kindFloat:
			return encode.Int(dst, v.Int()), true
		case kindStr, kindPath:
			dst = append(dst, '"')
			dst = strconv.AppendInt(dst, v.Int(), 10)
			return append(dst, '"'), true
		}
	case pcommon.ValueTypeDouble:
		switch k {
		case kindInt, kindFloat:
			return appendNumber(dst, v.Double()), true
		case kindStr, kindPath:
			return encode.String(dst, strconv.FormatFloat(v.Double(), 'g', -1, 64)), true
		}
	case pcommon.ValueTypeSlice:
		if p := pathOf(v); k == kindPath && p != "" {
			return encode.String(dst, p), true
		}
	case pcommon.ValueTypeBool:
		switch k {
		case kindBool:
			return encode.Bool(dst, v.Bool()), true
		case kindStr, kindPath:
			return encode.String(dst, strconv.FormatBool(v.Bool())), true
		}
	}
	return encode.Value(dst, v), false
}

func appendFromString(dst []byte, k kind, s string) ([]byte, bool) {
	switch k {
	case kindStr, kindPath:
		return encode.String(dst, s), true
	case kindInt, kindFloat:
		t := trimSpace(s)
		// A plain decimal in JSON's own form is the number already: copy it
		// (formatting a float again costs more than the rest of the field).
		if frac, ok := plainDecimal(t); ok && (k == kindFloat || !frac) {
			return append(dst, t...), true
		}
		if i, ok := parseInt(t); ok {
			return encode.Int(dst, i), true
		}
		if looksNumeric(t) {
			if f, err := strconv.ParseFloat(t, 64); err == nil {
				return appendNumber(dst, f), true
			}
		}
	case kindBool:
		switch {
		case strings.EqualFold(s, "true"):
			return encode.Bool(dst, true), true
		case strings.EqualFold(s, "false"):
			return encode.Bool(dst, false), true
		}
	}
	return encode.String(dst, s), false
}

// appendNumber writes an integral float within the int64 range as an
// integer (token counts arrive as doubles in metric points), any other as a
// float (NaN and infinities as null).
func appendNumber(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return encode.Int(dst, int64(f))
	}
	return encode.Float(dst, f)
}

// plainDecimal reports whether s is a JSON number without exponent, with
// at most 15 integer digits (so every JSON reader gets a finite float or an
// exact integer), and whether it has a fraction.
func plainDecimal(s string) (frac, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	digits := i - start
	if digits == 0 || digits > 15 || (digits > 1 && s[start] == '0') {
		return false, false
	}
	if i == len(s) {
		return false, true
	}
	if s[i] != '.' {
		return false, false
	}
	i++
	fstart := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return true, i == len(s) && i-fstart >= 1 && i-fstart <= 20
}

// parseInt parses a plain decimal integer without allocating (strconv
// allocates an error on every failure, and cost strings fail it routinely).
func parseInt(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	neg := false
	i := 0
	if s[0] == '-' || s[0] == '+' {
		neg, i = s[0] == '-', 1
		if len(s) == 1 {
			return 0, false
		}
	}
	var n int64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n < 0 { // 19 digits can pass MaxInt64; the wrap makes n negative
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// looksNumeric rejects strings that strconv.ParseFloat would fail on or
// that are not plain decimal numbers (hex floats, "Inf", "NaN"), without
// calling it: a failed ParseFloat allocates.
func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return digits
}

// numberOf reads v as a number (strings parsed as in appendCoerced).
func numberOf(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	case pcommon.ValueTypeStr:
		t := trimSpace(v.Str())
		if i, ok := parseInt(t); ok {
			return float64(i), true
		}
		if looksNumeric(t) {
			f, err := strconv.ParseFloat(t, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// trimSpace is strings.TrimSpace with a shortcut for the usual string that
// starts and ends with a visible ASCII character.
func trimSpace(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf) {
		return s
	}
	return strings.TrimSpace(s)
}
