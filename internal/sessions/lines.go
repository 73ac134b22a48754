package sessions

import (
	"math"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// metadataTail closes a synthesized line: its metadata object, the entry
// object and the line.
const metadataTail = `,"metadata":{"signal":"session","synthesized":true}}` + "\n"

// appendStart appends the synthesized session_start line of s.
func appendStart(dst []byte, s *session) []byte {
	dst = encode.EntryHead(dst, time.Unix(0, s.first), typeSessionStart, s.id, s.userID)
	dst = append(dst, `{"project_path":`...)
	dst = stringOrNull(dst, s.project)
	dst = append(dst, `,"model":`...)
	dst = stringOrNull(dst, s.model)
	dst = append(dst, `,"synthesized":true}`...)
	return append(dst, metadataTail...)
}

// appendEnd appends the synthesized session_end line of s, closed for why.
func appendEnd(dst []byte, s *session, why reason) []byte {
	dst = encode.EntryHead(dst, time.Unix(0, s.last), typeSessionEnd, s.id, s.userID)
	dst = append(dst, `{"duration_seconds":`...)
	dst = encode.Float(dst, float64(uint64(s.last-s.first))/1e9) // last >= first: no overflow as uint64
	dst = append(dst, `,"token_count":`...)
	dst = encode.Int(dst, s.tok[tokInput]+s.tok[tokOutput])
	dst = append(dst, `,"model":`...)
	dst = stringOrNull(dst, s.model)
	dst = append(dst, `,"project_path":`...)
	dst = stringOrNull(dst, s.project)
	dst = append(dst, `,"prompts":`...)
	dst = encode.Int(dst, int64(s.prompts))
	for i, key := range tokenKeys {
		dst = append(dst, key...)
		dst = encode.Int(dst, s.tok[i])
	}
	dst = append(dst, `,"tool_uses":`...)
	dst = encode.Int(dst, int64(s.tools))
	dst = append(dst, `,"tool_failures":`...)
	dst = encode.Int(dst, int64(s.toolFailures))
	dst = append(dst, `,"errors":`...)
	dst = encode.Int(dst, int64(s.errors))
	dst = append(dst, `,"cost_usd":`...)
	dst = appendCost(dst, s)
	dst = append(dst, `,"records":`...)
	dst = encode.Int(dst, int64(s.records))
	dst = append(dst, `,"start_timestamp":`...)
	dst = encode.Timestamp(dst, time.Unix(0, s.first))
	dst = append(dst, `,"end_reason":`...)
	dst = encode.String(dst, reasonNames[why])
	dst = append(dst, `,"start_synthesized":`...)
	dst = encode.Bool(dst, !s.explicitStart)
	dst = append(dst, `,"synthesized":true}`...)
	return append(dst, metadataTail...)
}

// tokenKeys are the session_end keys of the token kinds, by index.
var tokenKeys = [numTok]string{`,"input_tokens":`, `,"output_tokens":`, `,"cache_read_tokens":`,
	`,"cache_creation_tokens":`, `,"reasoning_tokens":`}

// appendCost writes the span's cost rounded to the micro-dollar, or null
// when no record of the span had one.
func appendCost(dst []byte, s *session) []byte {
	if !s.hasCost {
		return append(dst, "null"...)
	}
	micros := math.Round(float64(s.costNano) / 1000)
	return encode.Float(dst, micros/1e6)
}

func stringOrNull(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return encode.String(dst, s)
}
