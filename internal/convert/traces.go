package convert

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"time"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// spanKeys are the key ids of the attributes spans are read by.
type spanKeys struct {
	service   int16 // resource service.name
	errorType int16 // a failed model call
}

// registerSpanKeys puts the keys of the span rules into the key table (a
// rule's condition or join attribute is then found without a scan).
func (c *Converter) registerSpanKeys() {
	t := &c.keys
	c.spanKeys.service = t.add(mapping.ServiceNameAttribute)
	c.spanKeys.errorType = t.add("error.type")
	for _, k := range StringOnlyIDAttributes {
		c.strIDs = append(c.strIDs, t.add(k))
	}
	for _, k := range mapping.SpanConditionKeys {
		t.cond = append(t.cond, t.add(k))
	}
	for _, r := range mapping.BuiltinSpans {
		if r.Join != "" {
			t.add(r.Join)
		}
	}
	for _, r := range mapping.BuiltinEvents {
		if r.Join != "" {
			t.add(r.Join)
		}
	}
}

// spanRec is the span being converted, for the derivations.
type spanRec struct {
	start, end  pcommon.Timestamp
	status      ptrace.StatusCode
	msg         string
	events      ptrace.SpanEventSlice
	failedChild bool
}

// spanCall is the per-call state of AppendTracesObserved.
type spanCall struct {
	// traceSID: the session of each trace, from its spans in this call.
	traceSID map[pcommon.TraceID]string
	// failed: spans that have a failed child span (parent span id).
	failed map[pcommon.SpanID]struct{}
	// bySession and byTrace: the time span of the spans that made no
	// entry, per session, and per trace for those whose session is not
	// known yet.
	bySession map[string]*timingHold
	byTrace   map[pcommon.TraceID]*timingHold
	deferred  []spanPos
	pass2     bool
	resSvc    string
	// The last trace learned, and the last session timed, and its timing:
	// consecutive spans mostly share them.
	lastTID  pcommon.TraceID
	lastSID  string
	lastTime *timingHold
}

type spanPos struct{ rs, ss, sp int32 }

func (s *spanCall) reset() {
	clear(s.traceSID)
	clear(s.failed)
	clear(s.bySession)
	clear(s.byTrace)
	s.deferred = s.deferred[:0]
	s.pass2 = false
	s.resSvc = ""
	s.lastTID, s.lastSID, s.lastTime = pcommon.TraceID{}, "", nil
}

// AppendTraces appends one line per span a rule maps to dst.
func (c *Converter) AppendTraces(dst []byte, td ptrace.Traces, st *Stats) []byte {
	return c.AppendTracesObserved(dst, td, st, nil, nil)
}

// AppendTracesObserved is AppendTraces with a per-call Observer (nil =
// none), as AppendLogsObserved, and a per-call JoinBatch of the exporter's
// JoinStore (nil = none: every span is converted on its own).
//
// A span's session is its own session attribute, else its resource's,
// else its trace's: the session of any span of the same trace in this
// call, else in an earlier one (jb). A span entry whose trace's session is
// not known yet is held by jb until it is, or until the wait runs out. A
// span that repeats a log event of the same call (mapping.SpanRule.Join)
// is held until the event comes, and dropped when it does. Spans that make
// no entry still tell obs their session's time span (one record per
// session and call).
func (c *Converter) AppendTracesObserved(dst []byte, td ptrace.Traces, st *Stats, obs Observer, jb *JoinBatch) []byte {
	sc := c.pool.get()
	defer c.pool.put(sc)
	sc.observe(obs)
	sc.jb = jb
	call := &sc.spans
	call.reset()
	n, start := td.SpanCount(), len(dst)
	dst = c.spanSize.reserve(dst, n)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		c.loadSpanResource(sc, rs.Resource())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			c.loadScope(sc, ss.Scope())
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				dst = c.appendSpan(dst, sc, spans.At(k), st, spanPos{int32(i), int32(j), int32(k)})
			}
		}
	}
	if len(call.deferred) > 0 {
		// Spans without a session whose trace's session came later in
		// the request, or is to be looked up in the store.
		call.pass2 = true
		last := spanPos{-1, -1, -1}
		for _, p := range call.deferred {
			rs := rss.At(int(p.rs))
			if p.rs != last.rs {
				c.loadSpanResource(sc, rs.Resource())
			}
			ss := rs.ScopeSpans().At(int(p.ss))
			if p.rs != last.rs || p.ss != last.ss {
				c.loadScope(sc, ss.Scope())
			}
			last = p
			dst = c.appendSpan(dst, sc, ss.Spans().At(int(p.sp)), st, p)
		}
	}
	if jb != nil {
		for tid, sid := range call.traceSID {
			jb.learn(tid, sid)
		}
		jb.takeLearned()
		dst = jb.AppendTaken(dst, obs, st)
	}
	c.observeSpanTiming(sc)
	c.spanSize.learn(len(dst)-start, n)
	return dst
}

// loadSpanResource is loadResource plus the service name the span rules
// compare.
func (c *Converter) loadSpanResource(sc *scratch, r pcommon.Resource) {
	c.loadResource(sc, r)
	sc.spans.resSvc = ""
	if i := sc.res.find(c.spanKeys.service); i >= 0 && sc.res.val(i).Type() == pcommon.ValueTypeStr {
		sc.spans.resSvc = sc.res.val(i).Str()
	}
}

// appendSpan converts one span (see appendLog for the recover).
func (c *Converter) appendSpan(dst []byte, sc *scratch, sp ptrace.Span, st *Stats, pos spanPos) (out []byte) {
	start := len(dst)
	defer func() {
		if r := recover(); r != nil {
			out = dst[:start]
			st.DroppedInvalid++
		}
	}()
	call := &sc.spans
	a := sc.rec
	a.load(sp.Attributes())
	tid := sp.TraceID()
	sid, own := c.firstID(a, c.ids.session)
	if !own {
		sid = sc.resSID
	}
	if !call.pass2 && sid != "" && !tid.IsEmpty() && tid != call.lastTID {
		if call.traceSID == nil {
			call.traceSID = map[pcommon.TraceID]string{}
		}
		if _, ok := call.traceSID[tid]; !ok {
			call.traceSID[tid] = sid
		}
		call.lastTID = tid
	}
	status := sp.Status()
	if !call.pass2 && status.Code() == ptrace.StatusCodeError && !sp.ParentSpanID().IsEmpty() {
		if call.failed == nil {
			call.failed = map[pcommon.SpanID]struct{}{}
		}
		call.failed[sp.ParentSpanID()] = struct{}{}
	}
	sc.span = mapping.Span{Name: sp.Name(), Service: call.resSvc, Root: sp.ParentSpanID().IsEmpty(), Attrs: a, Resource: sc.res, Cond: a}
	res := c.resolver.ResolveSpan(&sc.span)
	begin, end := sp.StartTimestamp(), sp.EndTimestamp()
	if end == 0 || end < begin {
		end = begin
	}
	if res.Type < 0 {
		// Unmatched spans are the many: nothing more than their timing.
		countDropped(st, res.Type)
		st.InvalidOverride += int64(res.InvalidOverride)
		c.spanTiming(sc, sid, "", tid, begin, end)
		return dst
	}
	if sid == "" && !tid.IsEmpty() {
		if s, ok := call.traceSID[tid]; ok {
			sid = s
		} else if !call.pass2 {
			call.deferred = append(call.deferred, pos)
			return dst
		} else if sc.jb != nil {
			sid = sc.jb.sessionOf(tid)
		}
	}
	sc.priv.pend = sc.priv.res // the entry's redaction counts start with its resource's
	uid := c.userID(sc, a, &sc.priv.pend)
	if uid == "" {
		uid = sc.resUID
	}
	st.InvalidOverride += int64(res.InvalidOverride)
	c.consumeOverride(sc, res)
	if res.Inference && (status.Code() == ptrace.StatusCodeError || c.hasErrorType(sc)) {
		res.Type = mapping.ErrorOccurred
	}
	hold := false
	var key string
	if res.Join != "" && sc.jb != nil {
		if v, ok := a.Get(res.Join); ok {
			if id := idString(v); id != "" {
				key = joinKey(sc, res.Join, sid, id)
				switch sc.jb.claim(key, sideSecondary, true) {
				case verdictDuplicate:
					st.DroppedDuplicate++
					c.spanTiming(sc, sid, uid, tid, begin, end)
					return dst
				case verdictHold:
					hold = true
				}
			}
		}
	}
	prompt := res.Prompt && (sc.jb == nil || tid.IsEmpty() || sc.jb.claim(promptKey(tid), sideEqual, true) == verdictWrite)
	ts := end
	if ts == 0 {
		ts = begin
	}
	tm := c.recordTime(ts)
	dst = c.appendEntryHead(dst, sc, tm, res.Type, sid, uid)
	sc.sid = sid
	if sc.observing {
		sc.info = EntryInfo{Type: Types[res.Type], Time: tm, SessionID: sid, UserID: uid, Prompt: prompt}
		if begin != 0 && begin < ts {
			sc.info.Start = c.recordTime(begin)
		}
	}
	sc.ctx = recordCtx{span: true, name: sp.Name(), tokens: res.Tokens}
	_, sc.sp.failedChild = call.failed[sp.SpanID()]
	sc.sp.start, sc.sp.end, sc.sp.status, sc.sp.msg, sc.sp.events = begin, end, status.Code(), status.Message(), sp.Events()
	p := c.planFor(res)
	dst = c.appendData(dst, sc, p, st)
	dst = c.appendSpanMeta(dst, sc, sp)
	usage := res.Inference && res.Type == mapping.TokenUsage && c.hasTokens(sc, p)
	switch {
	case hold:
		c.holdEntry(sc, dst[start:], res.Type, waitTwin, key, tid, call.resSvc)
		c.spanTiming(sc, sid, uid, tid, begin, end)
		return dst[:start]
	case sid == "" && sc.jb != nil && !tid.IsEmpty():
		c.holdEntry(sc, dst[start:], res.Type, waitTrace, "", tid, call.resSvc)
		if usage {
			sc.jb.noteUsage(call.resSvc)
		}
		c.spanTiming(sc, sid, uid, tid, begin, end)
		return dst[:start]
	}
	if !c.written(sc, res.Type, st) {
		return dst[:start]
	}
	if usage && sc.jb != nil {
		sc.jb.noteUsage(call.resSvc)
	}
	return dst
}

// hasErrorType reports an error.type attribute that says there was one.
func (c *Converter) hasErrorType(sc *scratch) bool {
	i := sc.rec.find(c.spanKeys.errorType)
	return i >= 0 && isError(sc.rec.val(i))
}

// joinKey is the join store key of a call: the join attribute, the
// session and the call's id. It is built in the scratch and valid until
// the next call: the store copies what it keeps.
func joinKey(sc *scratch, attr, sid, id string) string {
	sc.joinBuf = append(sc.joinBuf[:0], 'j', 0)
	sc.joinBuf = append(sc.joinBuf, attr...)
	sc.joinBuf = append(sc.joinBuf, 0)
	sc.joinBuf = append(sc.joinBuf, sid...)
	sc.joinBuf = append(sc.joinBuf, 0)
	sc.joinBuf = append(sc.joinBuf, id...)
	return unsafe.String(unsafe.SliceData(sc.joinBuf), len(sc.joinBuf))
}

// promptKey is the join store key of a trace's user prompt.
func promptKey(tid pcommon.TraceID) string {
	var b [2 + 2*len(tid)]byte
	b[0], b[1] = 'p', 0
	appendHex(b[:2], tid[:])
	return string(b[:])
}

// appendIDMember appends member (`,"name":"`), id in lower-case hex and
// the closing quote: a trace or span id in a metadata object.
func appendIDMember(dst []byte, member string, id []byte) []byte {
	dst = append(dst, member...)
	dst = appendHex(dst, id)
	return append(dst, '"')
}

// appendHex appends id in lower-case hex: a trace or span id, four bytes
// at a time (hex.AppendEncode costs several times that per span).
func appendHex(dst, id []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(id))[:n+2*len(id)]
	out := dst[n:]
	for len(id) >= 4 {
		binary.BigEndian.PutUint64(out, hex4(binary.BigEndian.Uint32(id)))
		id, out = id[4:], out[8:]
	}
	const digits = "0123456789abcdef"
	for i, b := range id {
		out[2*i], out[2*i+1] = digits[b>>4], digits[b&15]
	}
	return dst
}

// hex4 is the eight hex digits of v, as ASCII bytes in a big-endian word:
// each nibble spread to a byte, then '0' added, and 'a'-'0'-10 more for
// the digits above 9.
func hex4(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	above9 := ((x + 0x0606060606060606) >> 4) & 0x0101010101010101
	return x + 0x3030303030303030 + above9*('a'-'0'-10)
}

// holdEntry gives the entry line just written to the call's JoinBatch to
// hold; the caller cuts it from dst.
func (c *Converter) holdEntry(sc *scratch, line []byte, t mapping.Type, reason holdReason, key string, tid pcommon.TraceID, svc string) {
	sidAt := -1
	if reason == waitTrace {
		if i := bytes.Index(line, []byte(`,"session_id":null`)); i >= 0 {
			sidAt = i + len(`,"session_id":`)
		}
	}
	if sc.observing {
		c.completeInfo(sc)
	}
	h := sc.jb.hold(line, sidAt, &sc.info, t, reason)
	h.key, h.trace, h.service, h.redacted = strings.Clone(key), tid, strings.Clone(svc), sc.priv.pend
}

// spanTiming notes the time span of a span that made no entry (or not yet
// one): per session, or per trace while the session is not known. uid ""
// is read from the span when the session or trace is new to the call.
func (c *Converter) spanTiming(sc *scratch, sid, uid string, tid pcommon.TraceID, begin, end pcommon.Timestamp) {
	if !sc.observing || end == 0 {
		return
	}
	if begin == 0 {
		begin = end
	}
	b, e := int64(begin), int64(end)
	call := &sc.spans
	if sid != "" {
		if t := call.lastTime; t != nil && sid == call.lastSID {
			t.start, t.end = min(t.start, b), max(t.end, e)
			return
		}
		if uid == "" {
			uid = c.spanUser(sc, sid, tid)
		}
		if call.bySession == nil {
			call.bySession = map[string]*timingHold{}
		}
		t := call.bySession[sid]
		if t != nil {
			t.start, t.end = min(t.start, b), max(t.end, e)
			if t.uid == "" {
				t.uid = uid
			}
		} else {
			t = &timingHold{start: b, end: e, uid: uid}
			call.bySession[sid] = t
		}
		call.lastSID, call.lastTime = sid, t
		return
	}
	if tid.IsEmpty() {
		return
	}
	if uid == "" {
		uid = c.spanUser(sc, sid, tid)
	}
	if call.byTrace == nil {
		call.byTrace = map[pcommon.TraceID]*timingHold{}
	}
	if t := call.byTrace[tid]; t != nil {
		t.start, t.end = min(t.start, b), max(t.end, e)
		if t.uid == "" {
			t.uid = uid
		}
		return
	}
	call.byTrace[tid] = &timingHold{start: b, end: e, uid: uid}
}

// observeSpanTiming tells the Observer the time span of the call's spans
// that made no entry: one record per session. Spans of a trace whose
// session is not known yet wait for it in the JoinBatch.
func (c *Converter) observeSpanTiming(sc *scratch) {
	if !sc.observing {
		return
	}
	call := &sc.spans
	for tid, t := range call.byTrace {
		sid := call.traceSID[tid]
		if sid == "" && sc.jb != nil {
			sid = sc.jb.sessionOf(tid)
		}
		if sid == "" {
			if sc.jb != nil {
				sc.jb.holdTiming(tid, t.start, t.end, t.uid)
			}
			continue
		}
		c.spanTiming(sc, sid, t.uid, pcommon.TraceID{}, pcommon.Timestamp(t.start), pcommon.Timestamp(t.end))
	}
	for sid, t := range call.bySession {
		sc.info = EntryInfo{Time: time.Unix(0, t.end).UTC(), SessionID: sid, UserID: t.uid}
		if t.start < t.end {
			sc.info.Start = time.Unix(0, t.start).UTC()
		}
		sc.obs.Entry(&sc.info)
	}
	sc.info = EntryInfo{}
}

// spanKindNames are the JSON strings of the span kinds.
var spanKindNames = [...]string{
	ptrace.SpanKindUnspecified: `"unspecified"`, ptrace.SpanKindInternal: `"internal"`,
	ptrace.SpanKindServer: `"server"`, ptrace.SpanKindClient: `"client"`,
	ptrace.SpanKindProducer: `"producer"`, ptrace.SpanKindConsumer: `"consumer"`,
}

// appendSpanMeta writes the metadata object of a span entry and ends the
// line.
func (c *Converter) appendSpanMeta(dst []byte, sc *scratch, sp ptrace.Span) []byte {
	dst = append(dst, `,"metadata":{"signal":"span","span_name":`...)
	dst = sc.nameCache.appendID(dst, sp.Name())
	dst = append(dst, `,"span_kind":`...)
	if k := sp.Kind(); k >= 0 && int(k) < len(spanKindNames) {
		dst = append(dst, spanKindNames[k]...)
	} else {
		dst = append(dst, `"unspecified"`...)
	}
	tid, sid, pid := sp.TraceID(), sp.SpanID(), sp.ParentSpanID()
	if !tid.IsEmpty() {
		dst = appendIDMember(dst, `,"trace_id":"`, tid[:])
	}
	if !sid.IsEmpty() {
		dst = appendIDMember(dst, `,"span_id":"`, sid[:])
	}
	if !pid.IsEmpty() {
		dst = appendIDMember(dst, `,"parent_span_id":"`, pid[:])
	}
	switch sp.Status().Code() {
	case ptrace.StatusCodeOk:
		dst = append(dst, `,"status":{"code":"ok","message":`...)
		dst = encode.String(dst, sp.Status().Message())
		dst = append(dst, '}')
	case ptrace.StatusCodeError:
		dst = append(dst, `,"status":{"code":"error","message":`...)
		dst = encode.String(dst, sp.Status().Message())
		dst = append(dst, '}')
	}
	dst = append(dst, ',')
	dst = append(dst, scopeTail(sc)...)
	return append(dst, '}', '\n')
}

// deriveSpan returns the value of a span derivation, or derivedNone (also
// for every record that is not a span).
func (c *Converter) deriveSpan(sc *scratch, d derivation, def *fieldDef) derived {
	if !sc.ctx.span {
		return derived{}
	}
	sp := &sc.sp
	switch d {
	case derSpanStatus:
		switch {
		case sp.status == ptrace.StatusCodeError:
			return c.outcome(sc, def, false)
		case sp.status == ptrace.StatusCodeOk:
			return c.outcome(sc, def, true)
		case sp.failedChild && def.info == infoSuccess:
			return c.outcome(sc, def, false)
		}
	case derSpanOK:
		return c.outcome(sc, def, true)
	case derSpanDuration:
		if sp.start != 0 && sp.end >= sp.start {
			return derived{kind: derivedFloat, f: float64(sp.end-sp.start) / 1e6}
		}
	case derSpanMessage:
		if sp.status == ptrace.StatusCodeError && sp.msg != "" {
			return derived{kind: derivedString, s: sp.msg}
		}
		if v, ok := exceptionAttr(sp.events, "exception.message"); ok {
			return derived{kind: derivedString, s: v}
		}
	case derSpanException:
		key := "exception.type"
		if def.name == "stack_trace" {
			key = "exception.stacktrace"
		}
		if v, ok := exceptionAttr(sp.events, key); ok {
			return derived{kind: derivedString, s: v}
		}
	case derService:
		if s := sc.spans.resSvc; s != "" {
			return derived{kind: derivedString, s: s}
		}
	}
	return derived{}
}

// exceptionAttr reads a string attribute of a span's first exception
// event.
func exceptionAttr(evs ptrace.SpanEventSlice, key string) (string, bool) {
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if ev.Name() != "exception" {
			continue
		}
		if v, ok := ev.Attributes().Get(key); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
			return v.Str(), true
		}
		return "", false
	}
	return "", false
}

// logPrompt claims a prompt event's trace prompt: false when the trace's
// prompt was counted already (from its turn span).
func (c *Converter) logPrompt(sc *scratch, lr plog.LogRecord, prompt bool) bool {
	if !prompt || sc.jb == nil {
		return prompt
	}
	tid := lr.TraceID()
	if tid.IsEmpty() {
		return true
	}
	return sc.jb.claim(promptKey(tid), sideEqual, false) == verdictWrite
}

// logJoin claims the call of a log event that its sender also reports as
// a span.
func (c *Converter) logJoin(sc *scratch, attr string) verdict {
	v, ok := sc.rec.Get(attr)
	if !ok {
		return verdictWrite
	}
	id := idString(v)
	if id == "" {
		return verdictWrite
	}
	sid, ok := c.firstID(sc.rec, c.ids.session)
	if !ok {
		sid = sc.resSID
	}
	return sc.jb.claim(joinKey(sc, attr, sid, id), sidePreferred, false)
}

// yieldToSpans applies MetricRule.YieldsToSpans to a resolved point: it
// is ignored when inference spans of its service were written, and held
// for them (hold, with the service) when the exporter takes spans.
func (c *Converter) yieldToSpans(sc *scratch, res *mapping.Result) (svc string, hold bool) {
	if !res.YieldsToSpans || res.Type < 0 || sc.jb == nil {
		return "", false
	}
	if i := sc.res.find(c.spanKeys.service); i >= 0 && sc.res.val(i).Type() == pcommon.ValueTypeStr {
		svc = sc.res.val(i).Str() // holdEntry keeps a copy
	}
	if sc.jb.serviceHasSpans(svc) {
		res.Type = mapping.Ignore
		return "", false
	}
	return svc, true
}

// stringOnlyID reports whether an identity attribute names an id only as
// a string (StringOnlyIDAttributes).
func (c *Converter) stringOnlyID(id int16) bool {
	for _, s := range c.strIDs {
		if s == id {
			return true
		}
	}
	return false
}

// hasTokens reports whether a token_usage record has an input or an
// output count.
func (c *Converter) hasTokens(sc *scratch, p *plan) bool {
	if _, ok := c.tokenValue(sc, p, tokInput); ok {
		return true
	}
	_, ok := c.tokenValue(sc, p, tokOutput)
	return ok
}

// spanUser is the user id of the current span for a session or trace the
// call has no timing of yet ("" otherwise: the first span's stands).
func (c *Converter) spanUser(sc *scratch, sid string, tid pcommon.TraceID) string {
	call := &sc.spans
	if sid != "" {
		if _, ok := call.bySession[sid]; ok {
			return ""
		}
	} else if _, ok := call.byTrace[tid]; ok {
		return ""
	}
	var discard counts // no entry: nothing to count
	if uid := c.userID(sc, sc.rec, &discard); uid != "" {
		return uid
	}
	return sc.resUID
}

// Cond implements mapping.CondAttrs: attribute mapping.SpanConditionKeys[i].
func (s *attrSet) Cond(i int) (pcommon.Value, bool) {
	if j := s.find(s.tbl.cond[i]); j >= 0 {
		return s.vals[j], true
	}
	return pcommon.Value{}, false
}
