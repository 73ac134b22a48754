package convert

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestParseShortDecimalMatchesParseFloat checks the fast path bit for bit
// against strconv.ParseFloat on random decimals of up to 15 digits, and that
// it refuses every form it does not handle (the caller then falls back to
// strconv).
func TestParseShortDecimalMatchesParseFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	check := func(s string) {
		got, ok := parseShortDecimal(s)
		want, err := strconv.ParseFloat(s, 64)
		if !ok || err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("parseShortDecimal(%q) = %v, %v; ParseFloat = %v, %v", s, got, ok, want, err)
		}
	}
	for _, s := range []string{"0.0", "-0.0", "0.1", "0.0123", "123456789012.345", "99999999999999.9", "0.00000000000001", "-1.5"} {
		check(s)
	}
	for range 200000 {
		intDigits, fracDigits := 1+r.IntN(14), 1+r.IntN(14)
		if intDigits+fracDigits > 15 {
			fracDigits = 15 - intDigits
		}
		s := strconv.FormatUint(r.Uint64N(uint64(math.Pow10(intDigits))), 10) + "." +
			strings.Repeat("0", r.IntN(3)) + strconv.FormatUint(r.Uint64N(uint64(math.Pow10(fracDigits))), 10)
		if len(strings.ReplaceAll(s, ".", "")) > 15 {
			continue
		}
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		check(s)
	}
	for _, s := range []string{"", "-", ".", "1", "1.", ".5", "1.2.3", "1e5", "+1.0", " 1.0", "1.0 ", "0x1p3",
		"1234567890123456.0", "NaN", "1,5"} {
		if f, ok := parseShortDecimal(s); ok {
			t.Errorf("parseShortDecimal(%q) = %v, want refused", s, f)
		}
	}
}

// TestTrimSpaceMatchesStrings compares the shortcut with strings.TrimSpace,
// Unicode spaces included.
func TestTrimSpaceMatchesStrings(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a", "a ", "\ta\n", "\u00a0a", "a\u0085", "é", "\u2003x\u2003", "a b"} {
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Errorf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
