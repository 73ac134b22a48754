package mapping

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Attrs gives the resolver read access to a set of attributes. Get returns
// the value of key (the last one when the key repeats).
type Attrs interface {
	Get(key string) (pcommon.Value, bool)
}

// AttrCond is one attribute condition of a rule: the attribute Key is
// present and, unless Value is "*", its value (as text) equals Value.
type AttrCond struct {
	Key, Value string
}

// Rule is a user rule. Every set condition must hold; an Event
// rule never matches a metric and a Metric rule never matches a log.
type Rule struct {
	Event       string // glob on the event name, with or without tool prefix
	Metric      string // glob on the metric name, with or without tool prefix
	Span        string // glob on the span name, with or without tool prefix
	SeverityMin plog.SeverityNumber
	Attributes  []AttrCond
	Type        Type
}

// Config configures a Resolver.
type Config struct {
	TypeAttribute string // "" = no override attribute
	Rules         []Rule // user rules, first match wins
	Builtin       bool   // apply BuiltinEvents/BuiltinMetrics
	Unmatched     Type   // NoType = drop
}

// Resolver resolves entry types. Immutable; safe for concurrent use.
type Resolver struct {
	cfg    Config
	events *eventIndex // BuiltinEvents, then PromptEvents as rules of no type
	spans  *spanIndex  // BuiltinSpans
}

// Source says which step of the resolution decided a type: the override
// attribute, a user rule, a built-in rule, the generic error rule, or
// unmatched.
type Source int8

// The resolution steps, in order.
const (
	FromOverride Source = iota
	FromRule
	FromBuiltin
	FromGeneric
	FromUnmatched
)

// Result is the outcome of a resolution. Type is NoType for a dropped
// record; Rule is the index of the user rule that matched (FromRule only);
// InvalidOverride counts override values that name no type.
type Result struct {
	Type             Type
	Source           Source
	Rule             int
	InvalidOverride  int
	OverrideOnRecord bool // the override came from the record attributes
	// Prompt: the record is a user prompt (PromptEvents), whatever its type.
	Prompt bool
	// Tokens: how the built-in rule's sender counts tokens.
	Tokens TokenCounting
	// Join: the attribute that names the call in the sender's other
	// signal (EventRule.Join, SpanRule.Join).
	Join string
	// Inference: a span that is a model call (SpanRule.Inference).
	Inference bool
	// YieldsToSpans: a metric point that inference spans of its service
	// repeat (MetricRule.YieldsToSpans).
	YieldsToSpans bool
}

// NewResolver returns a Resolver for cfg.
func NewResolver(cfg Config) *Resolver {
	return &Resolver{cfg: cfg, events: newEventIndex(BuiltinEvents, PromptEvents), spans: newSpanIndex(BuiltinSpans)}
}

// Log is a log record as the resolver sees it.
type Log struct {
	Name     string // event name (EventName)
	Severity plog.SeverityNumber
	Attrs    Attrs // record attributes
	Resource Attrs // resource attributes
}

// Metric is a metric data point as the resolver sees it.
type Metric struct {
	Name, Unit string
	// Distribution is true for histograms, exponential histograms,
	// summaries and gauges: the kinds a duration rule applies to.
	Distribution bool
	Attrs        Attrs // data point attributes
	Resource     Attrs // resource attributes
}

// ResolveLog resolves the type of a log record.
func (r *Resolver) ResolveLog(l *Log) (res Result) {
	res = Result{Type: NoType, Rule: -1}
	var group []int // the built-in rules of the event's bare name
	bare := true
	if r.cfg.Builtin && l.Name != "" {
		if group, bare = r.events.rules(l.Name); group != nil {
			res.Prompt = r.events.prompt(group, l.Name, bare)
		}
	}
	if r.override(&res, l.Attrs, l.Resource) {
		return res
	}
	for i := range r.cfg.Rules {
		if r.matchLog(&r.cfg.Rules[i], l) {
			return r.result(res, r.cfg.Rules[i].Type, FromRule, i)
		}
	}
	if r.cfg.Builtin {
		if rule := r.builtinEvent(group, l.Name, bare, l.Attrs); rule != nil {
			res.Tokens, res.Join = rule.Tokens, rule.Join
			return r.result(res, rule.Type, FromBuiltin, -1)
		}
		if strings.HasSuffix(l.Name, exceptionSuffix) {
			return r.result(res, ErrorOccurred, FromBuiltin, -1)
		}
	}
	if isGenericError(l) {
		return r.result(res, ErrorOccurred, FromGeneric, -1)
	}
	return r.result(res, r.cfg.Unmatched, FromUnmatched, -1)
}

// ResolveMetric resolves the type of a metric data point.
func (r *Resolver) ResolveMetric(m *Metric) Result {
	res := Result{Type: NoType, Rule: -1}
	if r.override(&res, m.Attrs, m.Resource) {
		return res
	}
	for i := range r.cfg.Rules {
		if r.matchMetric(&r.cfg.Rules[i], m) {
			return r.result(res, r.cfg.Rules[i].Type, FromRule, i)
		}
	}
	if r.cfg.Builtin {
		if rule := builtinMetric(m); rule != nil {
			res.YieldsToSpans = rule.YieldsToSpans
			return r.result(res, rule.Type, FromBuiltin, -1)
		}
		if m.Distribution && isDurationMetric(m.Name, m.Unit) {
			return r.result(res, Performance, FromBuiltin, -1)
		}
	}
	return r.result(res, r.cfg.Unmatched, FromUnmatched, -1)
}

// isGenericError is the last rule before unmatched: severity ERROR or
// above, or an exception attribute.
func isGenericError(l *Log) bool {
	if l.Severity >= GenericErrorSeverity {
		return true
	}
	for _, k := range GenericErrorAttributes {
		if has(l.Attrs, k) {
			return true
		}
	}
	return false
}

func (r *Resolver) result(res Result, t Type, src Source, rule int) Result {
	res.Type, res.Source, res.Rule = t, src, rule
	return res
}

// override reads the override attribute, record first, then resource,
// into res, and reports whether it named a type. An invalid value is
// counted and resolution goes on with the next place.
func (r *Resolver) override(res *Result, rec, resource Attrs) bool {
	if r.cfg.TypeAttribute == "" {
		return false
	}
	for i, attrs := range [2]Attrs{rec, resource} {
		if attrs == nil {
			continue
		}
		v, ok := attrs.Get(r.cfg.TypeAttribute)
		if !ok {
			continue
		}
		if t, ok := ParseType(v.Str()); ok && v.Type() == pcommon.ValueTypeStr { // Str() is "" for other kinds
			res.Type, res.Source, res.OverrideOnRecord = t, FromOverride, i == 0
			return true
		}
		res.InvalidOverride++
	}
	return false
}

func (r *Resolver) matchLog(rule *Rule, l *Log) bool {
	if rule.Metric != "" || rule.Span != "" {
		return false
	}
	if rule.Event != "" && (l.Name == "" || !MatchName(rule.Event, l.Name)) {
		return false
	}
	if rule.SeverityMin != 0 && l.Severity < rule.SeverityMin {
		return false
	}
	return matchAttrs(rule.Attributes, l.Attrs, l.Resource)
}

func (r *Resolver) matchMetric(rule *Rule, m *Metric) bool {
	if rule.Event != "" || rule.Span != "" || rule.SeverityMin != 0 {
		return false
	}
	if rule.Metric != "" && !MatchName(rule.Metric, m.Name) {
		return false
	}
	return matchAttrs(rule.Attributes, m.Attrs, m.Resource)
}

// matchAttrs checks each condition on the record attributes, then on the
// resource attributes.
func matchAttrs(conds []AttrCond, rec, resource Attrs) bool {
	for _, c := range conds {
		v, ok := get(rec, c.Key)
		if !ok {
			v, ok = get(resource, c.Key)
		}
		if !ok || (c.Value != "*" && !ValueEquals(v, c.Value)) {
			return false
		}
	}
	return true
}

// builtinEvent returns the first BuiltinEvents rule of group that applies
// to a record named name (bare: without a tool prefix), or nil.
func (r *Resolver) builtinEvent(group []int, name string, bare bool, attrs Attrs) *EventRule {
	for _, i := range group {
		if i >= len(BuiltinEvents) {
			break // the prompt rules follow the typed ones
		}
		if !r.events.applies(i, name, bare) {
			continue
		}
		rule := &BuiltinEvents[i]
		if rule.Attr == "" {
			return rule
		}
		v, ok := get(attrs, rule.Attr)
		if !ok {
			continue
		}
		if rule.Values == nil {
			return rule
		}
		for _, want := range rule.Values {
			if ValueEquals(v, want) {
				return rule
			}
		}
	}
	return nil
}

// builtinMetric returns the first BuiltinMetrics rule that applies to a
// metric point, or nil.
func builtinMetric(m *Metric) *MetricRule {
	for i := range BuiltinMetrics {
		rule := &BuiltinMetrics[i]
		if !Match(rule.Name, m.Name) {
			continue
		}
		if rule.Service != "" {
			v, ok := get(m.Resource, ServiceNameAttribute)
			if !ok || !ValueEquals(v, rule.Service) {
				continue
			}
		}
		return rule
	}
	return nil
}

func get(a Attrs, key string) (pcommon.Value, bool) {
	if a == nil {
		return pcommon.Value{}, false
	}
	return a.Get(key)
}

func has(a Attrs, key string) bool {
	_, ok := get(a, key)
	return ok
}

// ValueEquals reports whether v, as text, equals s (strings exactly,
// booleans as true/false, numbers in their shortest decimal form). It does
// not allocate for strings, booleans and integers.
func ValueEquals(v pcommon.Value, s string) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str() == s
	case pcommon.ValueTypeBool:
		return strconv.FormatBool(v.Bool()) == s
	case pcommon.ValueTypeInt:
		var buf [24]byte
		return string(strconv.AppendInt(buf[:0], v.Int(), 10)) == s
	case pcommon.ValueTypeDouble:
		var buf [32]byte
		return string(strconv.AppendFloat(buf[:0], v.Double(), 'g', -1, 64)) == s
	}
	return false
}
