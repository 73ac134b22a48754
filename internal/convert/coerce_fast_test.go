package convert

import (
	"strconv"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// TestTrimSpaceMatchesStrings compares the shortcut with strings.TrimSpace,
// Unicode spaces included.
func TestTrimSpaceMatchesStrings(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a", "a ", "\ta\n", "\u00a0a", "a\u0085", "é", "\u2003x\u2003", "a b"} {
		if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
			t.Errorf("trimSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

// BenchmarkDecimalField is the reason plainDecimal exists: a numeric named
// field that arrives as a plain decimal string (Claude Code sends every
// number as a string) is copied as it is; path=parse is the general way,
// parsing and formatting the number again. Removing the copy costs 2.1%
// more instructions per record of BenchmarkAppendLogs/claude_code_mapped
// (bench-instr.sh: 8,606 -> 8,788).
func BenchmarkDecimalField(b *testing.B) {
	values := []string{"1211", "41.5", "0.0123", "20480", "4512.25"}
	for _, path := range []struct {
		name string
		fn   func(dst []byte, s string) []byte
	}{
		{"copy", func(dst []byte, s string) []byte {
			out, _ := appendFromString(dst, kindFloat, s)
			return out
		}},
		{"parse", func(dst []byte, s string) []byte {
			if i, ok := parseInt(s); ok {
				return encode.Int(dst, i)
			}
			f, _ := strconv.ParseFloat(s, 64)
			return appendNumber(dst, f)
		}},
	} {
		b.Run("path="+path.name, func(b *testing.B) {
			dst := make([]byte, 0, 64)
			for b.Loop() {
				for _, s := range values {
					dst = path.fn(dst[:0], s)
				}
			}
		})
	}
}
