package mapping

import (
	"math/bits"
	"slices"
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
	// Cond, when set, reads the attributes the built-in rules test by
	// their index in SpanConditionKeys, cheaper than Attrs.Get.
	Cond CondAttrs
}

// CondAttrs reads a span's attribute SpanConditionKeys[i].
type CondAttrs interface {
	Cond(i int) (pcommon.Value, bool)
}

// SpanConditionKeys are the attributes the built-in span rules test (the
// Attr of every BuiltinSpans rule, once each).
var SpanConditionKeys = func() []string {
	var keys []string
	for _, r := range BuiltinSpans {
		if r.Attr != "" && !slices.Contains(keys, r.Attr) {
			keys = append(keys, r.Attr)
		}
	}
	return keys
}()

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
// an instrumented program match no rule. A rule is a candidate when its
// exact name is the span's, or it has no exact name and its condition
// attribute (if any) is on the span; the candidates are a bitset over the
// table, checked in table order.
type spanIndex struct {
	rules  []SpanRule
	cond   []int // per rule: the index of its Attr in SpanConditionKeys
	names  Index
	byName []ruleSet // per exact name: its rules
	plain  ruleSet   // rules with a glob name or none, and no attribute
	byCond []ruleSet // per condition key: the rules without an exact name on it
}

// ruleSet is a set of rule indexes (the table has fewer than 128 rules).
type ruleSet [2]uint64

func (r *ruleSet) add(i int)    { r[i>>6] |= 1 << (i & 63) }
func (r *ruleSet) or(o ruleSet) { r[0] |= o[0]; r[1] |= o[1] }
func (r *ruleSet) empty() bool  { return r[0]|r[1] == 0 }
func (r *ruleSet) next() (int, bool) {
	for w := range r {
		if r[w] != 0 {
			i := bits.TrailingZeros64(r[w])
			r[w] &= r[w] - 1
			return w<<6 | i, true
		}
	}
	return 0, false
}

// maxSpanRules bounds BuiltinSpans (the candidate bitset's size).
const maxSpanRules = 128

func newSpanIndex(rules []SpanRule) *spanIndex {
	if len(rules) > maxSpanRules {
		panic("mapping: more than 128 built-in span rules")
	}
	x := &spanIndex{rules: rules, cond: make([]int, len(rules)), byCond: make([]ruleSet, len(SpanConditionKeys))}
	for i, r := range rules {
		x.cond[i] = slices.Index(SpanConditionKeys, r.Attr)
		switch {
		case r.Name != "" && !strings.ContainsAny(r.Name, "*?"):
			id := x.names.Add(r.Name)
			if id == len(x.byName) {
				x.byName = append(x.byName, ruleSet{})
			}
			x.byName[id].add(i)
		case x.cond[i] >= 0:
			x.byCond[x.cond[i]].add(i)
		default:
			x.plain.add(i)
		}
	}
	x.names.Build()
	return x
}

// find returns the first rule that applies to s, or nil.
func (x *spanIndex) find(s *Span) *SpanRule {
	cand := x.plain
	if id := x.names.Lookup(s.Name); id >= 0 {
		cand.or(x.byName[id])
	}
	// The values of the condition attributes on the span.
	var vals [maxConds]attrValue
	for k := 0; k < len(x.byCond) && k < len(vals); k++ {
		if x.byCond[k].empty() {
			continue
		}
		vals[k].v, vals[k].ok = x.value(s, k)
		if vals[k].ok {
			cand.or(x.byCond[k])
		}
	}
	for {
		i, ok := cand.next()
		if !ok {
			return nil
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
		var v attrValue
		if k := x.cond[i]; k >= 0 && k < maxConds {
			v = vals[k]
			if x.byCond[k].empty() { // a named rule's attribute, not read above
				v.v, v.ok = x.value(s, k)
			}
		} else {
			v.v, v.ok = get(s.Attrs, rule.Attr)
		}
		if !v.ok {
			continue
		}
		if rule.Values == nil {
			return rule
		}
		for _, want := range rule.Values {
			if ValueEquals(v.v, want) {
				return rule
			}
		}
	}
}

// maxConds bounds the condition keys read into find's array; beyond it
// (not the case today) they are read by name.
const maxConds = 16

// value reads condition key k of s.
func (x *spanIndex) value(s *Span, k int) (pcommon.Value, bool) {
	if s.Cond != nil {
		return s.Cond.Cond(k)
	}
	return get(s.Attrs, SpanConditionKeys[k])
}

type attrValue struct {
	v  pcommon.Value
	ok bool
}
