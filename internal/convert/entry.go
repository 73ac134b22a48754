package convert

import (
	"math"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

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

// idSlots is the number of strings an idCache remembers (a power of two).
const idSlots = 16

// idCache remembers the encodings of the strings written in one place
// (session id, user id, event name, severity), in slots chosen by a cheap
// hash: a batch holds a few sessions, users and event names, and comparing a
// few bytes is cheaper than escaping them again. A gateway's batch may
// interleave several sessions, and an agent's alternates event names, so one
// remembered string would miss on every record. An empty string is written
// as null.
type idCache struct {
	slots [idSlots]struct {
		raw string
		enc []byte
	}
}

func (ic *idCache) appendID(dst []byte, id string) []byte {
	if id == "" {
		return append(dst, "null"...)
	}
	h := mapping.Hash(id)
	sl := &ic.slots[(h^h>>8)&(idSlots-1)]
	if id != sl.raw || len(sl.enc) == 0 {
		sl.raw = id
		sl.enc = encode.String(sl.enc[:0], id)
	}
	return append(dst, sl.enc...)
}

// reset forgets the strings (they belong to the caller's pdata) and keeps
// the buffers.
func (ic *idCache) reset() {
	for i := range ic.slots {
		ic.slots[i].raw, ic.slots[i].enc = "", ic.slots[i].enc[:0]
	}
}

// appendEntryHead writes the line up to `"data":` (what encode.EntryHead
// writes, with the ids' encodings cached across the records of a call).
func (c *Converter) appendEntryHead(dst []byte, sc *scratch, tm time.Time, t mapping.Type, sid, uid string) []byte {
	dst = append(dst, `{"id":`...)
	dst = encode.UUID(dst)
	dst = append(dst, `,"timestamp":`...)
	dst = sc.times.Append(dst, tm)
	dst = append(dst, typeJSON[t]...)
	dst = sc.sidCache.appendID(dst, sid)
	dst = append(dst, `,"user_id":`...)
	dst = sc.uidCache.appendID(dst, uid)
	return append(dst, `,"data":`...)
}

// appendHead writes the entry up to `"data":`, resolving the ids (record
// attributes first, then the resource) and the timestamp (ts, else now).
func (c *Converter) appendHead(dst []byte, sc *scratch, t mapping.Type, ts pcommon.Timestamp) []byte {
	sid, ok := c.firstID(sc.rec, c.ids.session)
	if !ok {
		sid = sc.resSID
	}
	sc.priv.pend = sc.priv.res // the entry's redaction counts start with its resource's
	uid := c.userID(sc, sc.rec, &sc.priv.pend)
	if uid == "" {
		uid = sc.resUID
	}
	tm := c.recordTime(ts)
	dst = c.appendEntryHead(dst, sc, tm, t, sid, uid)
	sc.sid = sid
	if sc.observing {
		sc.info = EntryInfo{Type: Types[t], Time: tm, SessionID: sid, UserID: uid}
	}
	return dst
}

// recordTime is the time of an OTLP timestamp, or now for 0.
func (c *Converter) recordTime(ts pcommon.Timestamp) time.Time {
	switch {
	case ts == 0:
		return c.now()
	case ts > math.MaxInt64:
		// OTLP times are uint64 nanoseconds; pcommon's AsTime converts to
		// int64 and would wrap these into 1969. Keep them at the latest
		// time Go can hold (2262-04-11), still far in the future.
		return time.Unix(0, math.MaxInt64).UTC()
	}
	return ts.AsTime()
}

// firstID returns the first present identity attribute of a, marking it
// consumed (so a record's id is not repeated in data; the resource object
// is written whole). Empty strings count as absent; other kinds are
// stringified.
func (c *Converter) firstID(a *attrSet, keys []int16) (string, bool) {
	for _, id := range keys {
		i := a.find(id)
		if i < 0 {
			continue
		}
		if a.val(i).Type() != pcommon.ValueTypeStr && c.stringOnlyID(id) {
			continue
		}
		if s := idString(a.val(i)); s != "" {
			a.use(i)
			return s, true
		}
	}
	return "", false
}

func idString(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeEmpty:
		return ""
	}
	return v.AsString()
}

// loadResource reads a resource once per ResourceLogs/ResourceMetrics: its
// ids and its attributes as JSON for every entry's metadata.
func (c *Converter) loadResource(sc *scratch, r pcommon.Resource) {
	sc.res.load(r.Attributes())
	sc.resSID, _ = c.firstID(sc.res, c.ids.session)
	c.loadResourceIDs(sc) // resUID and resJSON, with the privacy rules

}

// loadScope starts a scope. Its metadata tail is encoded when the scope's
// first entry is written (scopeTail): a batch of many empty scopes under a
// large resource would otherwise copy the resource once per scope.
func (c *Converter) loadScope(sc *scratch, s pcommon.InstrumentationScope) {
	sc.scope = s
	sc.tail = sc.tail[:0]
}

// scopeTail returns `"scope":{…},"resource":{…}}`, the metadata tail shared
// by every entry of the current scope.
func scopeTail(sc *scratch) []byte {
	if len(sc.tail) > 0 {
		return sc.tail
	}
	sc.tail = append(sc.tail, `"scope":{"name":`...)
	sc.tail = encode.String(sc.tail, sc.scope.Name())
	sc.tail = append(sc.tail, `,"version":`...)
	sc.tail = encode.String(sc.tail, sc.scope.Version())
	sc.tail = append(sc.tail, `},"resource":`...)
	sc.tail = append(sc.tail, sc.resJSON...)
	sc.tail = append(sc.tail, '}')
	return sc.tail
}

// appendAttrObject writes the live attributes of a as a JSON object.
func appendAttrObject(dst []byte, a *attrSet) []byte {
	dst = append(dst, '{')
	first := true
	i := -1
	for k, v := range a.m.All() {
		i++
		if a.flags[i]&attrDead != 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = encode.Key(dst, k)
		dst = encode.Value(dst, v)
	}
	return append(dst, '}')
}

// maxResourceBytes bounds the resource object written into every entry's
// metadata. Every entry of a resource repeats it, so a resource of a few
// thousand attributes over many small records would otherwise make the
// output hundreds of times the input.
const maxResourceBytes = 4096

// resourceOmitted is the member an oversized resource object ends with.
const resourceOmitted = `"analytics.resource_omitted":`

// capObject cuts the JSON object obj (as the encoder writes it, owned by
// the caller) to at most limit bytes: it keeps its first members whole
// while they fit and ends it with resourceOmitted: {"attributes": the
// members left out, "bytes": the size of the whole object}. It reports
// whether it cut. Linear in len(obj).
func capObject(obj []byte, limit int) ([]byte, bool) {
	if len(obj) <= limit {
		return obj, false
	}
	// ends[i] is the offset of the comma or brace after member i.
	var ends []int
	depth, inStr, esc := 0, false, false
	for i, ch := range obj {
		if inStr {
			switch {
			case esc:
				esc = false
			case ch == '\\':
				esc = true
			case ch == '"':
				inStr = false
			}
			continue
		}
		switch ch {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 && i > 1 {
				ends = append(ends, i)
			}
		case ',':
			if depth == 1 {
				ends = append(ends, i)
			}
		}
	}
	room := limit - len(resourceOmitted) - len(`{"attributes":,"bytes":}}`) - 2*20 - 1
	keep, kept := 1, 0
	for kept < len(ends) && ends[kept] <= room {
		keep = ends[kept]
		kept++
	}
	out := obj[:keep]
	if kept > 0 {
		out = append(out, ',')
	}
	out = append(out, resourceOmitted...)
	out = append(out, `{"attributes":`...)
	out = strconv.AppendInt(out, int64(len(ends)-kept), 10)
	out = append(out, `,"bytes":`...)
	out = strconv.AppendInt(out, int64(len(obj)), 10)
	return append(out, "}}"...), true
}
