// Package gen builds the Claude-Code-shaped OTLP log batches that every
// benchmark in this module feeds: the in-process exporter comparison, the
// seed comparison and the end-to-end load tool all send the same records.
//
// The records follow Claude Code's documented log events (and the reference
// fixtures in ../shared/fixtures): half `api_request` (16 attributes), half
// `tool_result` (14 attributes), numbers sent as strings, the body holding the
// prefixed event name, one resource per batch with four attributes.
package gen

import (
	"bytes"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// SessionPrefix starts every session id the generator writes. The 12 hex
// digits after it are <6 digits of generation><6 digits of session index>, so
// a sender can give an already marshaled batch fresh session ids with
// StampSessions instead of rebuilding it.
const SessionPrefix = "0b6b2b1e-7d4f-4b61-9a57-"

// Base is the record time of the first record of every batch.
var Base = time.Date(2026, 11, 20, 14, 3, 7, 123456789, time.UTC)

var tools = [...]string{"Bash", "Read", "Edit", "Write", "Grep", "Glob", "TodoWrite", "WebFetch"}

var models = [...]string{"claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"}

// ClaudeCodeLogs returns a batch of n records spread round-robin over
// sessions sessions (at least 1). Record i is an api_request when i is even,
// a tool_result when odd.
func ClaudeCodeLogs(n, sessions int) plog.Logs {
	if sessions < 1 {
		sessions = 1
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	res := rl.Resource().Attributes()
	res.PutStr("host.arch", "amd64")
	res.PutStr("os.type", "linux")
	res.PutStr("service.name", "claude-code")
	res.PutStr("service.version", "2.1.230")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("com.anthropic.claude_code.events")
	sl.Scope().SetVersion("2.1.230")
	recs := sl.LogRecords()
	recs.EnsureCapacity(n)
	for i := range n {
		r := recs.AppendEmpty()
		ts := Base.Add(time.Duration(i) * time.Millisecond)
		r.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		r.SetObservedTimestamp(pcommon.NewTimestampFromTime(ts.Add(3 * time.Millisecond)))
		r.SetSeverityNumber(plog.SeverityNumberInfo)
		r.SetSeverityText("Info")
		a := r.Attributes()
		a.EnsureCapacity(16)
		if i%2 == 0 {
			r.Body().SetStr("claude_code.api_request")
			a.PutStr("event.name", "api_request")
		} else {
			r.Body().SetStr("claude_code.tool_result")
			a.PutStr("event.name", "tool_result")
		}
		a.PutStr("event.timestamp", ts.Format("2006-01-02T15:04:05.000Z"))
		a.PutStr("event.sequence", strconv.Itoa(i))
		a.PutStr("session.id", SessionID(0, i%sessions))
		a.PutStr("user.id", "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e")
		a.PutStr("user.email", "dev@example.com")
		a.PutStr("organization.id", "org-0001")
		a.PutStr("terminal.type", "vscode")
		a.PutStr("prompt.id", "5d2b7c1a-1111-4222-8333-"+hex12(uint64(i/8)))
		if i%2 == 0 {
			putAPIRequest(a, i)
		} else {
			putToolResult(a, i)
		}
	}
	return ld
}

func putAPIRequest(a pcommon.Map, i int) {
	a.PutStr("model", models[i%len(models)])
	a.PutStr("input_tokens", strconv.Itoa(800+i%4000))
	a.PutStr("output_tokens", strconv.Itoa(100+i%900))
	a.PutStr("cache_read_tokens", strconv.Itoa(8000+i%20000))
	a.PutStr("cache_creation_tokens", strconv.Itoa(i%7*100))
	a.PutStr("cost_usd", strconv.FormatFloat(0.0001*float64(1+i%500), 'f', -1, 64))
	a.PutStr("duration_ms", strconv.Itoa(900+i%5000))
}

func putToolResult(a pcommon.Map, i int) {
	a.PutStr("tool_name", tools[i%len(tools)])
	a.PutStr("success", strconv.FormatBool(i%11 != 0))
	a.PutStr("duration_ms", strconv.Itoa(3+i%2000))
	a.PutStr("tool_use_id", "toolu_01"+hex12(uint64(i)))
	a.PutStr("tool_result_size_bytes", strconv.Itoa(100+i*37%20000))
}

// SessionID is the session id of session index idx in generation g.
func SessionID(g uint32, idx int) string {
	return SessionPrefix + hex6(uint64(g)) + hex6(uint64(idx))
}

// StampSessions rewrites, in place, the generation digits of every session id
// in b (a batch from ClaudeCodeLogs, marshaled in any encoding that keeps
// strings verbatim, such as OTLP protobuf), so the batch names sessions no
// earlier generation named. It returns how many ids it rewrote.
func StampSessions(b []byte, g uint32) int {
	prefix := []byte(SessionPrefix)
	var digits [6]byte
	putHex(digits[:], uint64(g))
	n := 0
	for off := 0; ; {
		j := bytes.Index(b[off:], prefix)
		if j < 0 || off+j+len(prefix)+12 > len(b) {
			return n
		}
		p := off + j + len(prefix)
		copy(b[p:p+6], digits[:])
		n++
		off = p + 12
	}
}

func hex6(v uint64) string {
	var d [6]byte
	putHex(d[:], v)
	return string(d[:])
}

func hex12(v uint64) string {
	var d [12]byte
	putHex(d[:], v)
	return string(d[:])
}

// putHex writes the low len(d)*4 bits of v as lower-case hex, zero padded.
func putHex(d []byte, v uint64) {
	const digits = "0123456789abcdef"
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = digits[v&0xf]
		v >>= 4
	}
}
