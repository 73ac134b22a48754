package encode

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestFloatExact(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-42, "-42.0"},
		{0.1, "0.1"},
		{123.456, "123.456"},
		{1e20, "100000000000000000000.0"},
		{1e21, "1e+21"},
		{1.5e300, "1.5e+300"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{-2.5e-10, "-2.5e-10"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
	}
	for _, tt := range tests {
		got := string(Float(nil, tt.in))
		if got != tt.want {
			t.Errorf("Float(%v) = %s, want %s", tt.in, got, tt.want)
		}
		mustStrict(t, []byte(got))
	}
}

func TestFloatRoundTripsAndStaysFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		f := math.Float64frombits(r.Uint64())
		if i%2 == 0 {
			f = float64(r.IntN(1<<20)) / 8 // many integral values
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		out := Float(nil, f)
		mustStrictNumber(t, out)
		back, err := strconv.ParseFloat(string(out), 64)
		if err != nil || math.Float64bits(back) != math.Float64bits(f) {
			t.Fatalf("Float(%v) = %s reads back as %v (%v)", f, out, back, err)
		}
		if !isFloatLiteral(out) {
			t.Fatalf("Float(%v) = %s reads as an integer in Python", f, out)
		}
	}
}

// mustStrictNumber checks JSON number syntax without the cost of a decoder.
func mustStrictNumber(t *testing.T, b []byte) {
	t.Helper()
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && b[start] == '0') {
		t.Fatalf("bad integer part in %s", b)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			t.Fatalf("bad fraction in %s", b)
		}
	}
	if i < len(b) && b[i] == 'e' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			t.Fatalf("bad exponent in %s", b)
		}
	}
	if i != len(b) {
		t.Fatalf("trailing bytes in %s", b)
	}
}

func isFloatLiteral(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' {
			return true
		}
	}
	return false
}

func TestIntAndBool(t *testing.T) {
	for in, want := range map[int64]string{0: "0", -1: "-1", math.MaxInt64: "9223372036854775807", math.MinInt64: "-9223372036854775808"} {
		if got := string(Int(nil, in)); got != want {
			t.Errorf("Int(%d) = %s", in, got)
		}
	}
	if string(Bool(nil, true)) != "true" || string(Bool(nil, false)) != "false" {
		t.Error("Bool")
	}
}
