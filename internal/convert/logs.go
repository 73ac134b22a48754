package convert

import (
	"encoding/hex"

	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// AppendLogs appends one line per converted log record to dst.
func (c *Converter) AppendLogs(dst []byte, ld plog.Logs, st *Stats) []byte {
	sc := c.pool.get()
	defer c.pool.put(sc)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		c.loadResource(sc, rl.Resource())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			c.loadScope(sc, sl.Scope())
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				dst = c.appendLog(dst, sc, lrs.At(k), st)
			}
		}
	}
	return dst
}

// appendLog converts one record. A panic (a bug, or pdata broken in a way
// the accessors do not survive) drops the record, counted, and never leaves
// half a line behind.
func (c *Converter) appendLog(dst []byte, sc *scratch, lr plog.LogRecord, st *Stats) (out []byte) {
	start := len(dst)
	defer func() {
		if r := recover(); r != nil {
			out = dst[:start]
			st.DroppedInvalid++
		}
	}()
	a := sc.rec
	a.load(lr.Attributes())
	evIdx := a.find(c.special.eventName)
	var ev pcommon.Value
	if evIdx >= 0 {
		ev = a.list[evIdx].val
	}
	name, fromAttr := mapping.EventName(lr.EventName(), ev, evIdx >= 0, lr.Body())
	sc.log = mapping.Log{Name: name, Severity: lr.SeverityNumber(), Attrs: a, Resource: sc.res}
	res := c.resolver.ResolveLog(&sc.log)
	st.InvalidOverride += int64(res.InvalidOverride)
	if res.Type == mapping.NoType {
		st.DroppedUnmatched++
		return dst
	}
	if fromAttr {
		a.list[evIdx].used = true
	}
	c.consumeOverride(sc, res)
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	sc.ctx = recordCtx{name: name, body: lr.Body()}
	dst = c.appendHead(dst, sc, res.Type, ts)
	dst = c.appendData(dst, sc, c.planFor(res), st)
	dst = append(dst, `,"metadata":{"signal":"log","event_name":`...)
	dst = sc.nameCache.appendID(dst, name)
	dst = append(dst, `,"severity":`...)
	dst = sc.sevCache.appendID(dst, severityText(lr))
	if tid := lr.TraceID(); !tid.IsEmpty() {
		dst = append(dst, `,"trace_id":"`...)
		dst = hex.AppendEncode(dst, tid[:])
		dst = append(dst, '"')
	}
	if sid := lr.SpanID(); !sid.IsEmpty() {
		dst = append(dst, `,"span_id":"`...)
		dst = hex.AppendEncode(dst, sid[:])
		dst = append(dst, '"')
	}
	dst = append(dst, ',')
	dst = append(dst, sc.tail...)
	dst = append(dst, '}', '\n')
	c.written(sc, res.Type, st)
	return dst
}

// severityText is the record's severity text, else the name of its
// severity number, else "" (written as null).
func severityText(lr plog.LogRecord) string {
	if t := lr.SeverityText(); t != "" {
		return t
	}
	if n := lr.SeverityNumber(); n != plog.SeverityNumberUnspecified {
		return n.String()
	}
	return ""
}

// planFor returns the named-field plan of a resolution.
func (c *Converter) planFor(res mapping.Result) *plan {
	if res.Source == mapping.FromRule && c.rules[res.Rule] != nil {
		return c.rules[res.Rule]
	}
	return c.plans[res.Type]
}

// consumeOverride keeps a valid override attribute out of data (the type
// says it already).
func (c *Converter) consumeOverride(sc *scratch, res mapping.Result) {
	if res.Source != mapping.FromOverride || !res.OverrideOnRecord {
		return
	}
	for i := len(sc.rec.list) - 1; i >= 0; i-- {
		if sc.rec.list[i].key == c.opts.TypeAttribute {
			sc.rec.list[i].used = true
			return
		}
	}
}

// appendHead writes the entry up to `"data":`, resolving the ids (record
// attributes first, then the resource) and the timestamp (ts, else now).
func (c *Converter) appendHead(dst []byte, sc *scratch, t mapping.Type, ts pcommon.Timestamp) []byte {
	sid, ok := c.recordID(sc.rec, c.ids.session)
	if !ok {
		sid = sc.resSID
	}
	uid, ok := c.recordID(sc.rec, c.ids.user)
	if !ok {
		uid = sc.resUID
	}
	var tm time.Time
	if ts == 0 {
		tm = c.now()
	} else {
		tm = ts.AsTime()
	}
	dst = c.appendEntryHead(dst, sc, tm, t, sid, uid)
	if c.opts.Observe != nil {
		sc.info = EntryInfo{Type: Types[t], Time: tm, SessionID: sid, UserID: uid}
	}
	return dst
}

// recordID returns the first present identity attribute of a, marking it
// consumed. Empty strings count as absent; other kinds are stringified.
func (c *Converter) recordID(a *attrSet, keys []int16) (string, bool) {
	for _, id := range keys {
		i := a.find(id)
		if i < 0 {
			continue
		}
		if s := idString(a.list[i].val); s != "" {
			a.list[i].used = true
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

// written counts an entry and reports it to Observe.
func (c *Converter) written(sc *scratch, t mapping.Type, st *Stats) {
	if c.opts.Observe != nil {
		c.completeInfo(sc)
		c.opts.Observe(&sc.info)
	}
	st.Written[t]++ // after Observe: a panic there drops the line uncounted
}

// loadResource reads a resource once per ResourceLogs/ResourceMetrics: its
// ids and its attributes as JSON for every entry's metadata.
func (c *Converter) loadResource(sc *scratch, r pcommon.Resource) {
	sc.res.load(r.Attributes())
	sc.resSID, _ = c.resourceID(sc.res, c.ids.session)
	sc.resUID, _ = c.resourceID(sc.res, c.ids.user)
	sc.resJSON = appendAttrObject(sc.resJSON[:0], sc.res)
}

func (c *Converter) resourceID(a *attrSet, keys []int16) (string, bool) {
	for _, id := range keys {
		if i := a.find(id); i >= 0 {
			if s := idString(a.list[i].val); s != "" {
				return s, true
			}
		}
	}
	return "", false
}

// loadScope encodes the metadata tail shared by every entry of a scope.
func (c *Converter) loadScope(sc *scratch, s pcommon.InstrumentationScope) {
	t := append(sc.tail[:0], `"scope":{"name":`...)
	t = encode.String(t, s.Name())
	t = append(t, `,"version":`...)
	t = encode.String(t, s.Version())
	t = append(t, `},"resource":`...)
	t = append(t, sc.resJSON...)
	sc.tail = append(t, '}')
}

// appendAttrObject writes the live attributes of a as a JSON object.
func appendAttrObject(dst []byte, a *attrSet) []byte {
	dst = append(dst, '{')
	first := true
	for i := range a.list {
		if a.list[i].dead {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = encode.Key(dst, a.list[i].key)
		dst = encode.Value(dst, a.list[i].val)
	}
	return append(dst, '}')
}
