package convert

import (
	"math"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// appendData writes the data object: the named fields of p, then (metrics)
// the point's own numbers, then every attribute not consumed. A named field
// and an attribute with the same key are written once, as the named field;
// likewise a point's number wins over an attribute called value, count...
//
// The privacy rules (privacy.go) redact the attributes p.skip marks and
// unknown keys a prefix rule matches; appendData (privacy.go) writes the
// object again, every value cut to the limit (sc.priv.cutting), when it
// came out longer than the limit.
func (c *Converter) appendDataObject(dst []byte, sc *scratch, p *plan, st *Stats) []byte {
	dst = append(dst, '{')
	comma := false
	if p.typ == mapping.TokenUsage && sc.ctx.tokens != mapping.TokensStandard {
		c.readTokens(sc, p)
	} else {
		sc.tok.have, sc.tok.read = [numTokenKinds + 1]bool{}, [numTokenKinds + 1]bool{}
	}
	for i := range p.fields {
		dst, comma = c.appendField(dst, sc, &p.fields[i], comma, st)
	}
	if sc.ctx.hasExit && sc.rec.find(c.special.exitCode[0]) < 0 {
		// Read from a text that the privacy rules may leave out.
		if comma {
			dst = append(dst, ',')
		}
		dst = append(dst, `"exit_code":`...)
		dst, comma = encode.Int(dst, sc.ctx.exitCode), true
	}
	if sc.ctx.metric {
		dst, comma = c.appendPointValues(dst, sc, comma), true
	}
	a := sc.rec
	i := -1
	for k, v := range a.m.All() {
		i++
		id := a.ids[i]
		if a.flags[i] != 0 || p.skip.has(id) || (sc.ctx.metric && c.special.metricKeys.has(id)) {
			if a.flags[i] == 0 && !p.names.has(id) {
				dst, comma = c.redactSkipped(dst, sc, id, k, v, comma)
			}
			continue
		}
		if id >= 0 {
			if comma {
				dst = append(dst, ',')
			}
			dst = append(dst, c.keys.enc[id]...)
		} else {
			if c.priv.unknownClass(k) != classNone { // a prefix rule's
				dst, comma = c.appendRedacted(dst, sc, a, id, k, v, classContent, comma, &sc.priv.pend)
				continue
			}
			if comma {
				dst = append(dst, ',')
			}
			dst = encode.Key(dst, k)
		}
		comma = true
		if sc.priv.cutting {
			dst = c.appendLimited(dst, sc, v, &sc.priv.pend)
		} else {
			dst = encode.Value(dst, v)
		}
	}
	return append(dst, '}')
}

// appendField writes one named field: from its first derivation of first
// that applies, else its first present source, else its first derivation
// that applies, else null (optional fields: nothing). A token count comes
// from readTokens, normalized.
func (c *Converter) appendField(dst []byte, sc *scratch, f *planField, comma bool, st *Stats) ([]byte, bool) {
	if len(f.def.first) > 0 {
		if dst, comma, ok := c.appendDerived(dst, sc, f, f.def.first, comma); ok {
			return dst, comma
		}
	}
	if k := f.def.tok; k != tokNone && sc.tok.have[k] {
		c.useSource(sc, f)
		dst, comma = fieldKey(dst, f, comma)
		n := sc.tok.n[k]
		c.noteToken(sc, k, n)
		return encode.Int(dst, n), comma
	}
	a := sc.rec
	for _, s := range f.srcs {
		i := a.find(s.id)
		if i < 0 {
			continue
		}
		if !s.keep {
			a.use(i)
		}
		dst, comma = fieldKey(dst, f, comma)
		var ok bool
		if sc.priv.cutting {
			dst, ok = c.appendFieldValue(dst, sc, f.def.kind, a.val(i))
		} else {
			dst, ok = appendCoerced(dst, f.def.kind, a.val(i))
		}
		if !ok {
			st.CoercionFailed++
		}
		if f.def.tok != tokNone {
			if sc.observing {
				c.noteTokenValue(sc, f.def.tok, a.val(i))
			}
		} else {
			c.noteInfo(sc, f.def.info, a.val(i))
		}
		return dst, comma
	}
	if len(f.def.derive) > 0 {
		if dst, comma, ok := c.appendDerived(dst, sc, f, f.def.derive, comma); ok {
			return dst, comma
		}
	}
	if f.def.optional {
		return dst, comma
	}
	dst, comma = fieldKey(dst, f, comma)
	return append(dst, "null"...), comma
}

// useSource marks the field's first present source consumed.
func (c *Converter) useSource(sc *scratch, f *planField) {
	for _, s := range f.srcs {
		if j := sc.rec.find(s.id); j >= 0 {
			if !s.keep {
				sc.rec.use(j)
			}
			return
		}
	}
}

// appendDerived writes the field from the first of ds that applies.
func (c *Converter) appendDerived(dst []byte, sc *scratch, f *planField, ds []derivation, comma bool) ([]byte, bool, bool) {
	for _, d := range ds {
		v := c.derive(sc, d, f.def)
		if v.kind == derivedNone {
			continue
		}
		dst, comma = fieldKey(dst, f, comma)
		switch v.kind {
		case derivedBool:
			dst = encode.Bool(dst, v.b)
		case derivedFloat:
			dst = encode.Float(dst, v.f)
		case derivedNumber:
			dst = appendNumber(dst, v.f)
		case derivedString:
			dst = c.appendString(dst, sc, v.s)
		case derivedOperation:
			dst = c.appendOperation(dst, sc)
		}
		return dst, comma, true
	}
	return dst, comma, false
}

// derived is the value a derivation gives, before it is written.
type derived struct {
	kind derivedKind
	b    bool
	f    float64
	s    string
}

type derivedKind uint8

const (
	derivedNone      derivedKind = iota
	derivedBool                  // b
	derivedFloat                 // f, as a float
	derivedNumber                // f, as an int when integral
	derivedString                // s
	derivedOperation             // written by appendOperation
)

// tokens is the count of a token_usage record that its sender's counting
// changes (have): Claude Code's input leaves out the cache, Gemini CLI's
// output the thoughts. The other counts are written as they came; those
// read to compute it are kept too (read), so they are parsed once.
type tokens struct {
	n    [numTokenKinds + 1]int64
	have [numTokenKinds + 1]bool
	read [numTokenKinds + 1]bool
}

// noteTokenValue notes token count k for the session tracker, from what
// readTokens parsed, else from v.
func (c *Converter) noteTokenValue(sc *scratch, k tokenKind, v pcommon.Value) {
	if sc.tok.read[k] {
		c.noteToken(sc, k, sc.tok.n[k])
		return
	}
	if n, ok := wholeNumber(v); ok {
		c.noteToken(sc, k, n)
	}
}

// readTokens computes, for a sender whose counts differ from the entries'
// meaning (input counts cached tokens, output reasoning), the count to
// write instead: input + cache read + cache creation, or output +
// reasoning. A count that is not a whole number is left as it came.
func (c *Converter) readTokens(sc *scratch, p *plan) {
	sc.tok = tokens{}
	var target tokenKind
	var parts []tokenKind
	switch sc.ctx.tokens {
	case mapping.TokensInputExcludesCache:
		target, parts = tokInput, inputParts[:]
	case mapping.TokensOutputExcludesReasoning:
		target, parts = tokOutput, outputParts[:]
	default:
		return
	}
	n, ok := c.tokenValue(sc, p, target)
	if !ok {
		return
	}
	for _, k := range parts {
		if v, ok := c.tokenValue(sc, p, k); ok {
			n += v
			sc.tok.n[k], sc.tok.read[k] = v, true
		}
	}
	sc.tok.n[target], sc.tok.have[target] = n, true
}

// The counts added to the sender's input or output count.
var (
	inputParts  = [...]tokenKind{tokCacheRead, tokCacheCreation}
	outputParts = [...]tokenKind{tokReasoning}
)

// tokenValue reads token count k of the record from its field's first
// present source, when that holds a whole number.
func (c *Converter) tokenValue(sc *scratch, p *plan, k tokenKind) (int64, bool) {
	f := p.tokenFields[k]
	if f == nil {
		return 0, false
	}
	for _, s := range f.srcs {
		if j := sc.rec.find(s.id); j >= 0 {
			return wholeNumber(sc.rec.val(j))
		}
	}
	return 0, false
}

// wholeNumber reads an int, an integral double or a decimal string of one.
func wholeNumber(v pcommon.Value) (int64, bool) {
	f, ok := numberOf(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func fieldKey(dst []byte, f *planField, comma bool) ([]byte, bool) {
	if comma {
		dst = append(dst, ',')
	}
	return append(dst, f.key...), true
}

// derive returns the value of derivation d for the current record, or
// derivedNone when it does not apply.
func (c *Converter) derive(sc *scratch, d derivation, def *fieldDef) derived {
	ctx := &sc.ctx
	switch d {
	case derDecision:
		v, ok := sc.rec.Get("decision")
		if !ok {
			break
		}
		for _, r := range mapping.RejectDecisions {
			if mapping.ValueEquals(v, r) {
				return c.outcome(sc, def, false)
			}
		}
		if mapping.ValueEquals(v, "accept") {
			return c.outcome(sc, def, true)
		}
	case derErrorPresent:
		for _, id := range c.special.errors {
			if i := sc.rec.find(id); i >= 0 && isError(sc.rec.val(i)) {
				return c.outcome(sc, def, false)
			}
		}
	case derStatus:
		for _, id := range c.special.status {
			if i := sc.rec.find(id); i >= 0 {
				if ok, known := statusOutcome(sc.rec.val(i)); known {
					return c.outcome(sc, def, ok)
				}
			}
		}
	case derExitCode:
		if code, ok := c.exitCode(sc); ok {
			sc.ctx.exitCode, sc.ctx.hasExit = code, true
			return c.outcome(sc, def, code == 0)
		}
	case derMetricOperation:
		if ctx.metric && ctx.name != "" {
			return derived{kind: derivedOperation}
		}
	case derMetricOK:
		if ctx.metric {
			return derived{kind: derivedBool, b: true}
		}
	case derOperation:
		if ctx.name != "" {
			return derived{kind: derivedOperation}
		}
	case derMetricDuration:
		if !ctx.metric {
			break
		}
		f := unitToMillis(ctx.unit)
		if ctx.hasMean {
			return derived{kind: derivedFloat, f: ctx.mean * f}
		}
		if ctx.hasValue {
			return derived{kind: derivedFloat, f: ctx.value * f}
		}
	case derTokenValue:
		if ctx.metric && ctx.hasValue && (ctx.tokenField == def.name || (ctx.isCost && def.name == "cost_usd")) {
			if def.tok != tokNone {
				c.noteToken(sc, def.tok, int64(ctx.value))
			} else {
				c.noteNumber(sc, def.info, ctx.value)
			}
			return derived{kind: derivedNumber, f: ctx.value}
		}
	case derBody:
		// A dotted-name body is the event name (Claude Code), not a message.
		if !ctx.metric && !ctx.span && ctx.body.Type() == pcommon.ValueTypeStr && ctx.body.Str() != "" && !mapping.IsDottedName(ctx.body.Str()) {
			return derived{kind: derivedString, s: ctx.body.Str()}
		}
	default:
		return c.deriveSpan(sc, d, def)
	}
	return derived{}
}

// appendOperation writes the event name, or the metric name plus the tool
// or agent name ("gen_ai.execute_tool.duration:search_kb").
func (c *Converter) appendOperation(dst []byte, sc *scratch) []byte {
	ctx := &sc.ctx
	if ctx.metric {
		for _, id := range c.special.opNames {
			if i := sc.rec.find(id); i >= 0 && sc.rec.val(i).Type() == pcommon.ValueTypeStr {
				return encode.Joined(dst, ctx.name, ':', sc.rec.val(i).Str())
			}
		}
	}
	return encode.String(dst, ctx.name)
}

// unitToMillis is the factor from a metric unit to milliseconds; unknown
// units are taken as milliseconds already.
func unitToMillis(unit string) float64 {
	switch strings.TrimSpace(unit) {
	case "s":
		return 1000
	case "us", "µs", "μs":
		return 1e-3
	case "ns":
		return 1e-6
	case "min":
		return 60000
	case "h":
		return 3.6e6
	}
	return 1
}

// outcome is a derived success value, noted for the session tracker.
func (c *Converter) outcome(sc *scratch, def *fieldDef, ok bool) derived {
	if def.info == infoSuccess && sc.observing {
		sc.info.Failed = !ok
	}
	return derived{kind: derivedBool, b: ok}
}

// noteInfo records a named field's value for the session tracker.
func (c *Converter) noteInfo(sc *scratch, slot infoSlot, v pcommon.Value) {
	if slot == infoNone || sc.obs == nil {
		return
	}
	switch slot {
	case infoModel:
		if v.Type() == pcommon.ValueTypeStr {
			sc.info.Model = v.Str()
		}
	case infoPath:
		sc.info.ProjectPath = pathOf(v)
	case infoSuccess:
		switch v.Type() {
		case pcommon.ValueTypeBool:
			sc.info.Failed = !v.Bool()
		case pcommon.ValueTypeStr:
			sc.info.Failed = strings.EqualFold(strings.TrimSpace(v.Str()), "false")
		}
	default:
		if f, ok := numberOf(v); ok {
			c.noteNumber(sc, slot, f)
		}
	}
}

func (c *Converter) noteNumber(sc *scratch, slot infoSlot, f float64) {
	if slot == infoCost && sc.observing {
		sc.info.CostUSD, sc.info.HasCost = f, true
	}
}

func (c *Converter) noteToken(sc *scratch, k tokenKind, n int64) {
	if !sc.observing {
		return
	}
	switch k {
	case tokInput:
		sc.info.InputTokens = n
	case tokOutput:
		sc.info.OutputTokens = n
	case tokCacheRead:
		sc.info.CacheReadTokens = n
	case tokCacheCreation:
		sc.info.CacheCreationTokens = n
	case tokReasoning:
		sc.info.ReasoningTokens = n
	}
}

// isError reports whether an error attribute's value says there was one
// (Codex sends error="none" on success).
func isError(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return false
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(v.Str())
		for _, no := range noErrorValues {
			if strings.EqualFold(s, no) {
				return false
			}
		}
	}
	return true
}

// statusOutcome reads a status attribute: success/ok is true,
// error/failed false; anything else is unknown.
func statusOutcome(v pcommon.Value) (ok, known bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return false, false
	}
	s := strings.TrimSpace(v.Str())
	for _, w := range successStatuses {
		if strings.EqualFold(s, w) {
			return true, true
		}
	}
	for _, w := range failureStatuses {
		if strings.EqualFold(s, w) {
			return false, true
		}
	}
	return false, false
}

// exitCode finds a shell command's exit status: an exit_code attribute,
// else "exitCode":N in a metadata JSON string (Gemini CLI), else "exited
// with code N" near the start of an output string (Codex). The texts are
// only searched in their first exitCodeWindow bytes.
func (c *Converter) exitCode(sc *scratch) (int64, bool) {
	a := sc.rec
	if i := a.find(c.special.exitCode[0]); i >= 0 {
		return wholeNumber(a.val(i))
	}
	for k, marker := range exitCodeMarkers {
		i := a.find(c.special.exitCode[k+1])
		if i < 0 || a.val(i).Type() != pcommon.ValueTypeStr {
			continue
		}
		if n, ok := numberAfter(a.val(i).Str(), marker); ok {
			return n, true
		}
	}
	return 0, false
}

// exitCodeMarkers precede the exit code in the texts of exitCodeKeys[1:].
var exitCodeMarkers = [...]string{`"exitCode":`, "exited with code "}

// exitCodeWindow bounds how far into a text the exit code is looked for.
const exitCodeWindow = 512

// numberAfter reads the integer that follows marker (spaces allowed) in the
// first exitCodeWindow bytes of s.
func numberAfter(s, marker string) (int64, bool) {
	s = s[:min(len(s), exitCodeWindow)]
	i := strings.Index(s, marker)
	if i < 0 {
		return 0, false
	}
	s = strings.TrimLeft(s[i+len(marker):], " ")
	n, digits := int64(0), 0
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	for digits < len(s) && digits < 9 && s[digits] >= '0' && s[digits] <= '9' {
		n = n*10 + int64(s[digits]-'0')
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// pathOf reads a project path: a string, or the first string of a list
// (Gemini CLI's workspace.host_paths).
func pathOf(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str()
	case pcommon.ValueTypeSlice:
		if v.Slice().Len() > 0 && v.Slice().At(0).Type() == pcommon.ValueTypeStr {
			return v.Slice().At(0).Str()
		}
	}
	return ""
}

// completeInfo fills Model and ProjectPath from the attributes for entries
// whose type has no such named field.
func (c *Converter) completeInfo(sc *scratch) {
	if sc.info.Model == "" {
		for _, id := range c.special.model {
			if i := sc.rec.find(id); i >= 0 && sc.rec.val(i).Type() == pcommon.ValueTypeStr {
				sc.info.Model = sc.rec.val(i).Str()
				break
			}
		}
	}
	c.completePath(sc)
}

// completePath fills ProjectPath from the attributes when it is not set.
func (c *Converter) completePath(sc *scratch) {
	if sc.info.ProjectPath != "" {
		return
	}
	for _, id := range c.special.projectPath {
		if i := sc.rec.find(id); i >= 0 {
			if p := pathOf(sc.rec.val(i)); p != "" {
				sc.info.ProjectPath = p
				return
			}
		}
	}
}
