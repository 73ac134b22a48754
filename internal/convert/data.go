package convert

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// appendData writes the data object: the named fields of p, then (metrics)
// the point's own numbers, then every attribute not consumed. A named field
// and an attribute with the same key are written once, as the named field;
// likewise a point's number wins over an attribute called value, count...
func (c *Converter) appendData(dst []byte, sc *scratch, p *plan, st *Stats) []byte {
	dst = append(dst, '{')
	comma := false
	for i := range p.fields {
		dst, comma = c.appendField(dst, sc, &p.fields[i], comma, st)
	}
	if sc.ctx.metric {
		dst, comma = c.appendPointValues(dst, sc, comma), true
	}
	a := sc.rec
	i := -1
	for k, v := range a.m.All() {
		i++
		id := a.ids[i]
		if a.flags[i] != 0 || p.names.has(id) || (sc.ctx.metric && c.special.metricKeys.has(id)) {
			continue
		}
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		if id >= 0 {
			dst = append(dst, c.keys.enc[id]...)
		} else {
			dst = encode.Key(dst, k)
		}
		dst = encode.Value(dst, v)
	}
	return append(dst, '}')
}

// appendField writes one named field from its first present source, else
// its first derivation that applies, else null (optional fields: nothing).
func (c *Converter) appendField(dst []byte, sc *scratch, f *planField, comma bool, st *Stats) ([]byte, bool) {
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
		dst, ok = appendCoerced(dst, f.def.kind, a.val(i))
		if !ok {
			st.CoercionFailed++
		}
		c.noteInfo(sc, f.def.info, a.val(i))
		return dst, comma
	}
	for _, d := range f.def.derive {
		mark := len(dst)
		out, _ := fieldKey(dst, f, comma)
		out, ok := c.derive(out, sc, d, f.def)
		if ok {
			return out, true
		}
		dst = out[:mark]
	}
	if f.def.optional {
		return dst, comma
	}
	dst, comma = fieldKey(dst, f, comma)
	return append(dst, "null"...), comma
}

func fieldKey(dst []byte, f *planField, comma bool) ([]byte, bool) {
	if comma {
		dst = append(dst, ',')
	}
	return append(dst, f.key...), true
}

// derive appends the value of derivation d, or reports false.
func (c *Converter) derive(dst []byte, sc *scratch, d derivation, def *fieldDef) ([]byte, bool) {
	ctx := &sc.ctx
	switch d {
	case derDecision:
		v, ok := sc.rec.Get("decision")
		if !ok {
			return dst, false
		}
		for _, r := range mapping.RejectDecisions {
			if mapping.ValueEquals(v, r) {
				return encode.Bool(dst, false), true
			}
		}
		if mapping.ValueEquals(v, "accept") {
			return encode.Bool(dst, true), true
		}
	case derErrorPresent:
		for _, id := range c.special.errors {
			if sc.rec.find(id) >= 0 {
				return encode.Bool(dst, false), true
			}
		}
	case derMetricOK:
		if ctx.metric {
			return encode.Bool(dst, true), true
		}
	case derOperation:
		return c.appendOperation(dst, sc)
	case derMetricDuration:
		if !ctx.metric {
			return dst, false
		}
		f := unitToMillis(ctx.unit)
		if ctx.hasMean {
			return encode.Float(dst, ctx.mean*f), true
		}
		if ctx.hasValue {
			return encode.Float(dst, ctx.value*f), true
		}
	case derTokenValue:
		if ctx.metric && ctx.hasValue && (ctx.tokenField == def.name || (ctx.isCost && def.name == "cost_usd")) {
			c.noteNumber(sc, def.info, ctx.value)
			return appendNumber(dst, ctx.value), true
		}
	case derBody:
		// A dotted-name body is the event name (Claude Code), not a message.
		if !ctx.metric && ctx.body.Type() == pcommon.ValueTypeStr && ctx.body.Str() != "" && !mapping.IsDottedName(ctx.body.Str()) {
			return encode.String(dst, ctx.body.Str()), true
		}
	}
	return dst, false
}

// appendOperation writes the event name, or the metric name plus the tool
// or agent name ("gen_ai.execute_tool.duration:search_kb").
func (c *Converter) appendOperation(dst []byte, sc *scratch) ([]byte, bool) {
	ctx := &sc.ctx
	if ctx.name == "" {
		return dst, false
	}
	if ctx.metric {
		for _, id := range c.special.opNames {
			if i := sc.rec.find(id); i >= 0 && sc.rec.val(i).Type() == pcommon.ValueTypeStr {
				return encode.Joined(dst, ctx.name, ':', sc.rec.val(i).Str()), true
			}
		}
	}
	return encode.String(dst, ctx.name), true
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

// noteInfo records a named field's value for the call's Observer.
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
	default:
		if f, ok := numberOf(v); ok {
			c.noteNumber(sc, slot, f)
		}
	}
}

func (c *Converter) noteNumber(sc *scratch, slot infoSlot, f float64) {
	switch slot {
	case infoInput:
		sc.info.InputTokens = int64(f)
	case infoOutput:
		sc.info.OutputTokens = int64(f)
	case infoCost:
		sc.info.CostUSD = f
	}
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
	if sc.info.ProjectPath == "" {
		for _, id := range c.special.projectPath {
			if i := sc.rec.find(id); i >= 0 {
				if p := pathOf(sc.rec.val(i)); p != "" {
					sc.info.ProjectPath = p
					break
				}
			}
		}
	}
}
