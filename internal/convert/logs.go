package convert

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// AppendLogs appends one line per converted log record to dst.
func (c *Converter) AppendLogs(dst []byte, ld plog.Logs, st *Stats) []byte {
	return c.AppendLogsObserved(dst, ld, st, nil)
}

// AppendLogsObserved is AppendLogs with a per-call Observer (nil = none): obs
// sees every entry after its line was appended and may reject it.
func (c *Converter) AppendLogsObserved(dst []byte, ld plog.Logs, st *Stats, obs Observer) []byte {
	return c.AppendLogsJoined(dst, ld, st, obs, nil)
}

// AppendLogsJoined is AppendLogsObserved with a per-call JoinBatch of the
// exporter's JoinStore (nil = none): a log event of a call its sender also
// reports as a span (mapping.EventRule.Join) is written once, and a prompt
// event counts its trace's prompt once.
func (c *Converter) AppendLogsJoined(dst []byte, ld plog.Logs, st *Stats, obs Observer, jb *JoinBatch) []byte {
	sc := c.pool.get()
	defer c.pool.put(sc)
	sc.observe(obs)
	sc.jb = jb
	n, start := ld.LogRecordCount(), len(dst)
	dst = c.logSize.reserve(dst, n)
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
	c.logSize.learn(len(dst)-start, n)
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
		ev = a.val(evIdx)
	}
	name, fromAttr := mapping.EventName(lr.EventName(), ev, evIdx >= 0, lr.Body())
	sc.log = mapping.Log{Name: name, Severity: lr.SeverityNumber(), Attrs: a, Resource: sc.res}
	res := c.resolver.ResolveLog(&sc.log)
	st.InvalidOverride += int64(res.InvalidOverride)
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	if res.Type < 0 {
		countDropped(st, res.Type)
		c.observeRecord(sc, ts, 0, c.logPrompt(sc, lr, res.Prompt))
		return dst
	}
	if sc.jb != nil && res.Join != "" && c.logJoin(sc, res.Join) == verdictDuplicate {
		st.DroppedDuplicate++
		c.observeRecord(sc, ts, 0, c.logPrompt(sc, lr, res.Prompt))
		return dst
	}
	if fromAttr {
		a.use(evIdx)
	}
	c.consumeOverride(sc, res)
	sc.ctx = recordCtx{name: name, body: lr.Body(), tokens: res.Tokens}
	dst = c.appendHead(dst, sc, res.Type, ts)
	sc.info.Prompt = c.logPrompt(sc, lr, res.Prompt)
	dst = c.appendData(dst, sc, c.planFor(res), st)
	dst = append(dst, `,"metadata":{"signal":"log","event_name":`...)
	dst = sc.nameCache.appendID(dst, name)
	dst = append(dst, `,"severity":`...)
	dst = sc.sevCache.appendID(dst, severityText(lr))
	if tid := lr.TraceID(); !tid.IsEmpty() {
		dst = appendIDMember(dst, `,"trace_id":"`, tid[:])
	}
	if sid := lr.SpanID(); !sid.IsEmpty() {
		dst = appendIDMember(dst, `,"span_id":"`, sid[:])
	}
	dst = append(dst, ',')
	dst = append(dst, scopeTail(sc)...)
	dst = append(dst, '}', '\n')
	if !c.written(sc, res.Type, st) {
		return dst[:start]
	}
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
	if i := sc.rec.find(int16(c.keys.idx.Lookup(c.opts.TypeAttribute))); i >= 0 {
		sc.rec.use(i)
	}
}

// written reports an entry to the call's Observer and counts it. false:
// the entry is not kept (the Observer rejected it, or it is a session
// start or end without a session id) and the caller cuts the line back
// out.
func (c *Converter) written(sc *scratch, t mapping.Type, st *Stats) bool {
	if (t == mapping.SessionStart || t == mapping.SessionEnd) && sc.sid == "" {
		st.DroppedNoSession++
		return false
	}
	if sc.observing {
		c.completeInfo(sc)
		if !sc.obs.Entry(&sc.info) {
			st.DroppedDuplicate++
			return false
		}
	}
	sc.commitRedactions(st)
	st.Written[t]++ // after Entry: a panic there drops the line uncounted
	return true
}

// countDropped counts a record that resolved to no entry.
func countDropped(st *Stats, t mapping.Type) {
	if t == mapping.Ignore {
		st.DroppedIgnored++
	} else {
		st.DroppedUnmatched++
	}
}

// observeRecord tells the Observer of a record that became no entry, when
// it belongs to a session: the session's timing and prompts count it.
// start is the start of the interval a metric point covers (0: none).
func (c *Converter) observeRecord(sc *scratch, ts, start pcommon.Timestamp, prompt bool) {
	if !sc.observing {
		return
	}
	sid, ok := c.firstID(sc.rec, c.ids.session)
	if !ok {
		sid = sc.resSID
	}
	if sid == "" {
		return
	}
	var ignored counts // the record is written nowhere
	uid := c.userID(sc, sc.rec, &ignored)
	if uid == "" {
		uid = sc.resUID
	}
	sc.info = EntryInfo{Time: c.recordTime(ts), SessionID: sid, UserID: uid, Prompt: prompt}
	if start != 0 {
		sc.info.Start = c.recordTime(start)
	}
	c.completePath(sc) // no Model: only model calls name the session's model
	sc.obs.Entry(&sc.info)
}
