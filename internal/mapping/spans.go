package mapping

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Span is a span as the resolver sees it.
type Span struct {
	Name string
	// Service is the resource's service.name ("" when it has none).
	Service string
	// Root: the span has no parent.
	Root     bool
	Attrs    Attrs // span attributes
	Resource Attrs // resource attributes
}

// ResolveSpan resolves the type of a span: the override attribute, user
// rules (span or attribute conditions; event, metric and severity rules
// never match a span), then BuiltinSpans. A span nothing maps is dropped
// whatever Config.Unmatched says: instrumented programs make many internal
// spans per call, and a type for all of them would flood the files.
func (r *Resolver) ResolveSpan(s *Span) Result {
	res := Result{Type: NoType, Rule: -1}
	if r.override(&res, s.Attrs, s.Resource) {
		return res
	}
	for i := range r.cfg.Rules {
		if r.matchSpan(&r.cfg.Rules[i], s) {
			return r.result(res, r.cfg.Rules[i].Type, FromRule, i)
		}
	}
	if r.cfg.Builtin {
		if rule := r.spans.find(s); rule != nil {
			res = r.result(res, rule.Type, FromBuiltin, -1)
			res.Tokens, res.Join, res.Inference = rule.Tokens, rule.Join, rule.Inference
			res.Prompt = rule.Prompt == PromptAlways || (rule.Prompt == PromptIfRoot && s.Root)
			return res
		}
	}
	return r.result(res, NoType, FromUnmatched, -1)
}

func (r *Resolver) matchSpan(rule *Rule, s *Span) bool {
	if rule.Event != "" || rule.Metric != "" || rule.SeverityMin != 0 {
		return false
	}
	if rule.Span != "" && (s.Name == "" || !MatchName(rule.Span, s.Name)) {
		return false
	}
	return matchAttrs(rule.Attributes, s.Attrs, s.Resource)
}

// spanIndex finds the BuiltinSpans rule of a span cheaply: most spans of
// an instrumented program match no rule, so the exact names are looked up
// by hash and the other rules are checked in table order, one attribute
// lookup per run of rules on the same attribute.
type spanIndex struct {
	rules   []SpanRule
	names   Index
	byName  [][]int // per exact name: its rules, table order
	generic []int   // rules with a glob name or none, table order
}

func newSpanIndex(rules []SpanRule) *spanIndex {
	x := &spanIndex{rules: rules}
	for i, r := range rules {
		if r.Name == "" || strings.ContainsAny(r.Name, "*?") {
			x.generic = append(x.generic, i)
			continue
		}
		id := x.names.Add(r.Name)
		if id == len(x.byName) {
			x.byName = append(x.byName, nil)
		}
		x.byName[id] = append(x.byName[id], i)
	}
	x.names.Build()
	return x
}

// find returns the first rule that applies to s, or nil.
func (x *spanIndex) find(s *Span) *SpanRule {
	var named []int
	if id := x.names.Lookup(s.Name); id >= 0 {
		named = x.byName[id]
	}
	gen := x.generic
	// The attribute of the last condition checked, and its value: the
	// generic rules come in runs on one attribute.
	var lastAttr string
	var lastVal attrValue
	for len(named) > 0 || len(gen) > 0 {
		var i int
		if len(gen) == 0 || (len(named) > 0 && named[0] < gen[0]) {
			i, named = named[0], named[1:]
		} else {
			i, gen = gen[0], gen[1:]
		}
		rule := &x.rules[i]
		if rule.Name != "" && !Match(rule.Name, s.Name) {
			continue
		}
		if rule.Service != "" && rule.Service != s.Service {
			continue
		}
		if rule.Attr == "" {
			return rule
		}
		if rule.Attr != lastAttr {
			lastAttr = rule.Attr
			lastVal.v, lastVal.ok = get(s.Attrs, rule.Attr)
		}
		if !lastVal.ok {
			continue
		}
		if rule.Values == nil {
			return rule
		}
		for _, want := range rule.Values {
			if ValueEquals(lastVal.v, want) {
				return rule
			}
		}
	}
	return nil
}

type attrValue struct {
	v  pcommon.Value
	ok bool
}
