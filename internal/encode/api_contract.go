// Package encode appends strict JSON to byte slices: strings, numbers,
// pdata values and maps, entry ids and timestamps. No reflection, no maps on
// the hot path.
package encode

// CONTRACT STUB (to be replaced by the implementation; signatures are fixed,
// other packages already code against them).

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// String appends s as a quoted JSON string: invalid UTF-8 becomes U+FFFD,
// control characters, '"' and '\\' are escaped (also U+2028/U+2029).
func String(dst []byte, s string) []byte { return dst }

// Float appends f; NaN and ±Inf are written as null. Integral values keep a
// form that JSON parsers read back as the same float.
func Float(dst []byte, f float64) []byte { return dst }

// Int appends i.
func Int(dst []byte, i int64) []byte { return dst }

// Bool appends true or false.
func Bool(dst []byte, b bool) []byte { return dst }

// Value appends any pcommon.Value as JSON: maps as objects (a repeated key:
// the last one wins), slices as arrays, bytes as a base64 string, empty as
// null. Nesting deeper than MaxDepth is written as the string "<too deep>".
func Value(dst []byte, v pcommon.Value) []byte { return dst }

// Map appends m as a JSON object; for a repeated key the last value wins.
func Map(dst []byte, m pcommon.Map) []byte { return dst }

// MaxDepth bounds the nesting Value follows.
const MaxDepth = 32

// Timestamp appends t in UTC as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00", quoted.
func Timestamp(dst []byte, t time.Time) []byte { return dst }

// UUID appends a random version-4 UUID in canonical form, quoted. Fast (no
// crypto/rand per call) and safe for concurrent use.
func UUID(dst []byte) []byte { return dst }

// EntryHead appends the start of an entry line, up to and including
// `"data":` — that is `{"id":"…","timestamp":"…","type":"…","session_id":…,
// "user_id":…,"data":` with an empty id written as null.
// The caller then appends the data object, `,"metadata":`, the metadata
// object, and "}\n".
func EntryHead(dst []byte, ts time.Time, typ, sessionID, userID string) []byte { return dst }
