package convert

import (
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// typeJSON[t] is `,"type":"<name>","session_id":`, the fixed run after the
// timestamp.
var typeJSON = func() (out [NumTypes][]byte) {
	for t, name := range mapping.Names {
		b := append([]byte(`,"type":`), encode.String(nil, name)...)
		out[t] = append(b, `,"session_id":`...)
	}
	return out
}()

// idCache remembers the encoding of the last string written in one place
// (session id, user id, event name, severity): a batch is mostly one session
// and one user, and comparing a few bytes is cheaper than escaping them again.
// An empty string is written as null.
type idCache struct {
	raw string
	enc []byte
}

func (ic *idCache) appendID(dst []byte, id string) []byte {
	if id == "" {
		return append(dst, "null"...)
	}
	if id != ic.raw || len(ic.enc) == 0 {
		ic.raw = id
		ic.enc = encode.String(ic.enc[:0], id)
	}
	return append(dst, ic.enc...)
}

// appendEntryHead writes the line up to `"data":` (what encode.EntryHead
// writes, with the ids' encodings cached across the records of a call).
func (c *Converter) appendEntryHead(dst []byte, sc *scratch, tm time.Time, t mapping.Type, sid, uid string) []byte {
	dst = append(dst, `{"id":`...)
	idAt := len(dst) + 1
	dst = encode.UUID(dst)
	if c.fillID != nil {
		c.fillID(dst[idAt : idAt+36])
	}
	dst = append(dst, `,"timestamp":`...)
	dst = encode.Timestamp(dst, tm)
	dst = append(dst, typeJSON[t]...)
	dst = sc.sidCache.appendID(dst, sid)
	dst = append(dst, `,"user_id":`...)
	dst = sc.uidCache.appendID(dst, uid)
	return append(dst, `,"data":`...)
}
