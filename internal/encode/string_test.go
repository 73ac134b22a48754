package encode

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStringExact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"ascii", "hello world", `"hello world"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"short escapes", "\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"nul and unit separator", "\x00\x1f", `"\u0000\u001f"`},
		{"DEL", "\x7f", `"\u007f"`},
		{"C1 control", "\u0085\u009f", `"\u0085\u009f"`},
		{"line and paragraph separator", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"html stays", "<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`},
		{"two and three byte", "é€", `"é€"`},
		{"four byte", "😀", `"😀"`},
		{"replacement char kept", "\ufffd", "\"\ufffd\""},
		{"invalid byte", "a\xffb", "\"a\ufffdb\""},
		{"truncated sequence", "\xc3", "\"\ufffd\""},
		{"overlong slash", "\xc0\xaf", "\"\ufffd\ufffd\""},
		{"encoded surrogate", "\xed\xa0\x80", "\"\ufffd\ufffd\ufffd\""},
		{"beyond U+10FFFF", "\xf4\x90\x80\x80", "\"\ufffd\ufffd\ufffd\ufffd\""},
		{"escape after multibyte", "é\n", `"é\n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := String(nil, tt.in)
			if string(got) != tt.want {
				t.Fatalf("String(%q) = %s, want %s", tt.in, got, tt.want)
			}
			checkStringRoundTrip(t, tt.in, got)
		})
	}
}

// checkStringRoundTrip asserts out is a strict JSON string that reads back
// as in with each invalid UTF-8 byte replaced by U+FFFD, and that it holds
// no raw control character or line separator.
func checkStringRoundTrip(t testing.TB, in string, out []byte) {
	t.Helper()
	got, ok := mustStrict(t, out).(string)
	if !ok {
		t.Fatalf("%s is not a JSON string", out)
	}
	if want := string([]rune(in)); got != want {
		t.Fatalf("round trip of %q: got %q, want %q", in, got, want)
	}
	if utf8.ValidString(in) && got != in {
		t.Fatalf("valid UTF-8 %q changed to %q", in, got)
	}
	for _, r := range string(out) {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			t.Fatalf("raw %U in output %q", r, out)
		}
	}
}

func TestStringEveryByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		in := "x" + string([]byte{byte(b)}) + "y"
		checkStringRoundTrip(t, in, String(nil, in))
	}
}

func TestStringEveryBMPRune(t *testing.T) {
	var sb strings.Builder
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // not encodable in UTF-8
		}
		sb.WriteRune(r)
	}
	in := sb.String()
	checkStringRoundTrip(t, in, String(nil, in))
}

func TestStringAppendsToDst(t *testing.T) {
	dst := []byte("prefix:")
	got := String(dst, "v")
	if string(got) != `prefix:"v"` {
		t.Fatalf("got %s", got)
	}
}

func TestStringMatchesEncodingJSONOnValidInput(t *testing.T) {
	// encoding/json (with HTML escaping off) is an independent reader:
	// both encodings must decode to the same string.
	in := "tool \"Bash\" ran `ls -la`\n\tin /home/u — ok ✓ \u2028 \x01"
	var want string
	if err := json.Unmarshal(String(nil, in), &want); err != nil || want != in {
		t.Fatalf("decode: %v, %q", err, want)
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{"": `"":`, "a": `"a":`, "a\"\x00": `"a\"\u0000":`} {
		if got := string(Key(nil, in)); got != want {
			t.Errorf("Key(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestStringHuge(t *testing.T) {
	in := strings.Repeat("abc\"é\x00\xff", 1<<16)
	checkStringRoundTrip(t, in, String(nil, in))
}

// TestStringEveryByteAtEveryOffset puts each byte value, alone and next to
// another unsafe one, at every position of a string long enough for the
// 8-byte fast path, so a word check that misses or misplaces a byte fails.
func TestStringEveryByteAtEveryOffset(t *testing.T) {
	base := strings.Repeat("abcdefgh", 3)
	for b := 0; b < 256; b++ {
		for off := 0; off < len(base); off++ {
			in := []byte(base)
			in[off] = byte(b)
			checkStringRoundTrip(t, string(in), String(nil, string(in)))
			if off+1 < len(base) {
				in[off+1] = '"'
				checkStringRoundTrip(t, string(in), String(nil, string(in)))
			}
		}
	}
}

// TestStringEveryTwoAndThreeByteSequence feeds every lead byte with every
// second byte (and a spread of third bytes), valid or not, through the
// multibyte fast path.
func TestStringEveryTwoAndThreeByteSequence(t *testing.T) {
	for b := 0x80; b < 0x100; b++ {
		for c := 0; c < 0x100; c++ {
			in := string([]byte{'a', byte(b), byte(c)})
			checkStringRoundTrip(t, in, String(nil, in))
			if b < 0xe0 || b > 0xef {
				continue
			}
			for _, d := range []byte{0x00, 0x7f, 0x80, 0xa8, 0xa9, 0xbf, 0xc0, 0xff} {
				in := string([]byte{byte(b), byte(c), d, 'z'})
				checkStringRoundTrip(t, in, String(nil, in))
			}
		}
	}
}
