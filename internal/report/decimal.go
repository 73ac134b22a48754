package report

import (
	"math/big"
	"strconv"
)

// nanoPerMicro is 1000 nano-dollars.
const nanoPerMicro = 1000

// parseDecimal reads a JSON number literal (or a string holding one) as
// an exact decimal scaled by 10^scale, rounded half away from zero to an
// integer. ok is false when the text is not a number or the result does
// not fit in an int64.
func parseDecimal(text []byte, scale int) (int64, bool) {
	neg := false
	i := 0
	if i < len(text) && text[i] == '-' {
		neg = true
		i++
	}
	var mant []byte // significant digits, leading zeros dropped
	exp := 0        // value = mant * 10^exp
	sawDigit := false
	for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
		sawDigit = true
		if len(mant) > 0 || text[i] != '0' {
			mant = append(mant, text[i])
		}
	}
	if i < len(text) && text[i] == '.' {
		i++
		frac := false
		for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
			frac = true
			if len(mant) > 0 || text[i] != '0' {
				mant = append(mant, text[i])
			}
			exp--
		}
		if !frac {
			return 0, false
		}
	}
	if !sawDigit {
		return 0, false
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		i++
		start := i
		if i < len(text) && (text[i] == '+' || text[i] == '-') {
			i++
		}
		digits := i
		for i < len(text) && text[i] >= '0' && text[i] <= '9' {
			i++
		}
		if i == digits || i-digits > 6 {
			return 0, false
		}
		e, err := strconv.Atoi(string(text[start:i]))
		if err != nil {
			return 0, false
		}
		exp += e
	}
	if i != len(text) {
		return 0, false
	}
	if len(mant) == 0 {
		return 0, true
	}
	shift := exp + scale
	if len(mant) <= 18 && shift >= -18 && shift <= 18 {
		var m uint64
		for _, c := range mant {
			m = m*10 + uint64(c-'0')
		}
		var v uint64
		if shift >= 0 {
			p := pow10[shift]
			if m > (1<<63-1)/p {
				return 0, false
			}
			v = m * p
		} else {
			p := pow10[-shift]
			v = m / p
			if r := m % p; r >= p-r { // half away from zero
				v++
			}
			if v > 1<<63-1 {
				return 0, false
			}
		}
		if neg {
			return -int64(v), true
		}
		return int64(v), true
	}
	return parseDecimalBig(mant, shift, neg)
}

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// parseDecimalBig is parseDecimal's slow path for long digit strings.
func parseDecimalBig(mant []byte, shift int, neg bool) (int64, bool) {
	if shift > 20 || shift < -400 || len(mant) > 400 {
		if shift < -400 && len(mant)+shift < -1 {
			return 0, true // far below half a unit
		}
		return 0, false
	}
	m, ok := new(big.Int).SetString(string(mant), 10)
	if !ok {
		return 0, false
	}
	ten := big.NewInt(10)
	if shift >= 0 {
		m.Mul(m, new(big.Int).Exp(ten, big.NewInt(int64(shift)), nil))
	} else {
		p := new(big.Int).Exp(ten, big.NewInt(int64(-shift)), nil)
		q, r := new(big.Int).QuoRem(m, p, new(big.Int))
		if r.Lsh(r, 1).Cmp(p) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		m = q
	}
	if !m.IsInt64() {
		return 0, false
	}
	v := m.Int64()
	if neg {
		v = -v
	}
	return v, true
}

// roundDiv divides n by d (d > 0), rounding half away from zero.
func roundDiv(n, d int64) int64 {
	q, r := n/d, n%d
	if r < 0 {
		r = -r
	}
	if 2*r >= d {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}

// formatMicros writes micro-dollars as a decimal with six places.
func formatMicros(v int64) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/1e6, 10) + "." + leftPad(strconv.FormatUint(u%1e6, 10), 6)
	if neg {
		return "-" + s
	}
	return s
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// isNumberText reports whether b is a JSON number literal.
func isNumberText(b []byte) bool {
	s := scanner{b: b}
	return s.number() == nil && s.i == len(b)
}
