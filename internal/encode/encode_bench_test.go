package encode

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

var benchStrings = []struct{ name, s string }{
	{"ascii", "claude-sonnet-4-5-20250929 /home/dev/projects/analytics-exporter tool_result Bash ok"},
	{"escapes", `{"command":"grep -rn \"TODO\" .\n","description":"Find\tTODOs","path":"C:\\src"}`},
	{"unicode", "Größe des Verzeichnisses — проверка пройдена ✓ 日本語のテキスト 😀"},
}

// BenchmarkString appends typical attribute strings to a reused buffer.
func BenchmarkString(b *testing.B) {
	for _, bs := range benchStrings {
		b.Run(bs.name, func(b *testing.B) {
			dst := make([]byte, 0, 1024)
			b.SetBytes(int64(len(bs.s)))
			b.ReportAllocs()
			defer cpuNsPerOp(b)()
			for b.Loop() {
				dst = String(dst[:0], bs.s)
			}
		})
	}
}

// BenchmarkStringEncodingJSON is the same work through encoding/json (its
// fastest form: an Encoder on a reused buffer, HTML escaping off), for the
// ratio against BenchmarkString.
func BenchmarkStringEncodingJSON(b *testing.B) {
	for _, bs := range benchStrings {
		b.Run(bs.name, func(b *testing.B) {
			var buf bytes.Buffer
			buf.Grow(1024)
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			b.SetBytes(int64(len(bs.s)))
			b.ReportAllocs()
			defer cpuNsPerOp(b)()
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(bs.s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUUID is UUID (path=table: the hexPairs table writing two digits
// per byte from the two random words) beside the same UUID written with
// encoding/hex (path=encoding_hex), the reason for the table: with
// encoding/hex, BenchmarkAppendLogs/claude_code_mapped costs 4.2% more
// instructions per record (bench-instr.sh: 8,606 -> 8,965).
func BenchmarkUUID(b *testing.B) {
	for _, path := range []struct {
		name string
		fn   func([]byte) []byte
	}{{"table", UUID}, {"encoding_hex", uuidEncodingHex}} {
		b.Run("path="+path.name, func(b *testing.B) {
			dst := make([]byte, 0, 64)
			b.ReportAllocs()
			defer cpuNsPerOp(b)()
			for b.Loop() {
				dst = path.fn(dst[:0])
			}
		})
	}
}

// uuidEncodingHex is UUID written with encoding/hex.
func uuidEncodingHex(dst []byte) []byte {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], rand.Uint64())
	binary.BigEndian.PutUint64(u[8:], rand.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	dst = append(dst, '"')
	for i, part := range [][]byte{u[0:4], u[4:6], u[6:8], u[8:10], u[10:]} {
		if i > 0 {
			dst = append(dst, '-')
		}
		dst = hex.AppendEncode(dst, part)
	}
	return append(dst, '"')
}

func BenchmarkTimestamp(b *testing.B) {
	ts := time.Date(2026, 11, 26, 21, 50, 7, 123456789, time.UTC)
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	defer cpuNsPerOp(b)()
	for b.Loop() {
		dst = Timestamp(dst[:0], ts)
	}
}

// claudeAttrs is a Claude Code api_request record's attributes (15).
func claudeAttrs() pcommon.Map {
	m := pcommon.NewMap()
	m.PutStr("event.name", "api_request")
	m.PutStr("event.timestamp", "2026-11-26T21:50:07.123Z")
	m.PutStr("session.id", "0b7cb4e2-3d0f-4a5e-9a57-2f1c8f3f9d11")
	m.PutStr("user.id", "5e1f0c8a9b7d6e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f")
	m.PutStr("user.email", "dev@example.com")
	m.PutStr("organization.id", "7c3e9d2a-1b4f-4e8a-9c6d-5f2a8b1e3d7c")
	m.PutStr("terminal.type", "vscode")
	m.PutStr("model", "claude-sonnet-4-5-20250929")
	m.PutInt("input_tokens", 1211)
	m.PutInt("output_tokens", 342)
	m.PutInt("cache_read_tokens", 20480)
	m.PutInt("cache_creation_tokens", 0)
	m.PutDouble("cost_usd", 0.0213)
	m.PutDouble("duration_ms", 4512.25)
	m.PutBool("success", true)
	return m
}

// BenchmarkMap encodes a 15-attribute map (duplicate check included).
func BenchmarkMap(b *testing.B) {
	m := claudeAttrs()
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	defer cpuNsPerOp(b)()
	for b.Loop() {
		dst = Map(dst[:0], m)
	}
}

// BenchmarkEntry writes a whole line: head, 15-attribute data, metadata.
func BenchmarkEntry(b *testing.B) {
	data := claudeAttrs()
	meta := pcommon.NewMap()
	meta.PutStr("signal", "log")
	meta.PutStr("event_name", "claude_code.api_request")
	meta.PutEmptyMap("resource").PutStr("service.name", "claude-code")
	ts := time.Date(2026, 11, 26, 21, 50, 7, 123456789, time.UTC)
	dst := make([]byte, 0, 4096)
	b.ReportAllocs()
	defer cpuNsPerOp(b)()
	for b.Loop() {
		dst = EntryHead(dst[:0], ts, "token_usage", "0b7cb4e2-3d0f-4a5e-9a57-2f1c8f3f9d11", "dev@example.com")
		dst = Map(dst, data)
		dst = append(dst, `,"metadata":`...)
		dst = Map(dst, meta)
		dst = append(dst, "}\n"...)
	}
}
