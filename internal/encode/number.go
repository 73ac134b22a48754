package encode

import (
	"math"
	"strconv"
)

// Float appends f; NaN and ±Inf are written as null. Integral values keep a
// form that JSON parsers read back as the same float.
//
// The digits are the shortest that round-trip (strconv 'f' or 'e' with
// precision -1). Plain notation is used for 1e-6 <= |f| < 1e21, exponent
// notation outside it (as encoding/json and JavaScript do); an integral value
// in plain notation gets ".0" so that Python and DuckDB read a float, not an
// int.
func Float(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		dst = strconv.AppendFloat(dst, f, 'e', -1, 64)
		return trimExponentZero(dst)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// trimExponentZero turns the "e-07" strconv writes into "e-7".
func trimExponentZero(dst []byte) []byte {
	n := len(dst)
	if n >= 4 && dst[n-4] == 'e' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		return dst[:n-1]
	}
	return dst
}

// Int appends i.
func Int(dst []byte, i int64) []byte {
	return strconv.AppendInt(dst, i, 10)
}

// Bool appends true or false.
func Bool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}
