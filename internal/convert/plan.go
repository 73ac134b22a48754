package convert

import (
	"fmt"
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// plan is how to write the named fields of one type (or of one user rule
// with a fields mapping), with every key resolved to a key id at New.
type plan struct {
	typ         mapping.Type
	fields      []planField
	names       bitset                        // key ids of the field names: attributes with these keys are not written again
	tokenFields [numTokenKinds + 1]*planField // token_usage: the field of each token kind
	skip        bitset                        // names and the keys the privacy rules redact: the data loop's one test
}

type planField struct {
	def  *fieldDef
	key  []byte // `"name":`
	srcs []planSrc
}

type planSrc struct {
	id   int16
	keep bool
}

// bitset is a set of key ids.
type bitset []uint64

func newBitset(n int) bitset       { return make(bitset, (n+63)/64) }
func (b bitset) set(id int16)      { b[id>>6] |= 1 << (id & 63) }
func (b bitset) has(id int16) bool { return id >= 0 && b[id>>6]&(1<<(id&63)) != 0 }
func ids(t *keyTable, keys []string) []int16 {
	out := make([]int16, len(keys))
	for i, k := range keys {
		out[i] = t.add(k)
	}
	return out
}

// idKeys are the identity attributes in priority order.
type idKeys struct{ session, user []int16 }

// specialKeys are the key ids of attributes with a role of their own.
type specialKeys struct {
	eventName   int16
	errors      []int16 // any of them present: not a success
	status      []int16 // an outcome as text
	exitCode    []int16 // exitCodeKeys
	tokenType   []int16
	opNames     []int16 // tool or agent name appended to a metric operation
	projectPath []int16
	model       []int16
	metricKeys  bitset // data keys of a metric point's own numbers
}

// New validates opts (errors name the config key) and returns a Converter.
func New(opts Options) (*Converter, error) {
	unmatched := mapping.NoType
	if opts.Unmatched != "" && opts.Unmatched != "drop" {
		t, ok := mapping.ParseType(opts.Unmatched)
		if !ok {
			return nil, fmt.Errorf("unmatched: %q is neither drop nor one of the ten types", opts.Unmatched)
		}
		unmatched = t
	}
	if opts.SessionIDAttributes == nil {
		opts.SessionIDAttributes = DefaultSessionIDAttributes
	}
	if opts.UserIDAttributes == nil {
		opts.UserIDAttributes = DefaultUserIDAttributes
	}
	if err := checkIDList("session_id_attributes", opts.SessionIDAttributes); err != nil {
		return nil, err
	}
	if err := checkIDList("user_id_attributes", opts.UserIDAttributes); err != nil {
		return nil, err
	}
	rules, err := compileRules(opts.Rules)
	if err != nil {
		return nil, err
	}
	priv, err := newPrivacy(opts.Privacy)
	if err != nil {
		return nil, err
	}
	c := &Converter{opts: opts, now: opts.Now, priv: priv}
	if c.now == nil {
		c.now = time.Now
	}
	c.resolver = mapping.NewResolver(mapping.Config{
		TypeAttribute: opts.TypeAttribute, Rules: rules, Builtin: opts.BuiltinRules, Unmatched: unmatched,
	})
	c.registerKeys(rules)
	for t := range c.plans {
		c.plans[t] = c.newPlan(mapping.Type(t), nil)
	}
	c.rules = make([]*plan, len(opts.Rules))
	for i, r := range opts.Rules {
		if len(r.Fields) > 0 {
			c.rules[i] = c.newPlan(rules[i].Type, r.Fields)
		}
	}
	c.keys.build()
	c.buildPrivacy()
	c.pool.init(&c.keys)
	return c, nil
}

func checkIDList(key string, list []string) error {
	for i, k := range list {
		if k == "" {
			return fmt.Errorf("%s[%d]: empty attribute name", key, i)
		}
	}
	return nil
}

// compileRules validates user rules and converts them for the resolver.
func compileRules(in []Rule) ([]mapping.Rule, error) {
	out := make([]mapping.Rule, len(in))
	for i, r := range in {
		t, ok := mapping.ParseType(r.Type)
		if !ok {
			return nil, fmt.Errorf("rules[%d].type: %q is not one of the ten types", i, r.Type)
		}
		if r.Event == "" && r.Metric == "" && r.Span == "" && r.SeverityMin == 0 && len(r.Attributes) == 0 {
			return nil, fmt.Errorf("rules[%d].match: needs at least one of event, metric, span, severity_min, attributes", i)
		}
		if r.Event != "" && r.Metric != "" {
			return nil, fmt.Errorf("rules[%d].match: event and metric exclude each other (a record is a log or a metric)", i)
		}
		if r.Span != "" && (r.Event != "" || r.Metric != "") {
			return nil, fmt.Errorf("rules[%d].match: span excludes event and metric (a record is a log, a metric or a span)", i)
		}
		if r.SeverityMin < 0 || r.SeverityMin > plog.SeverityNumberFatal4 {
			return nil, fmt.Errorf("rules[%d].match.severity_min: %d is outside 1..24", i, r.SeverityMin)
		}
		for field, key := range r.Fields {
			if !isNamedField(t, field) {
				return nil, fmt.Errorf("rules[%d].fields.%s: not a named field of %s", i, field, r.Type)
			}
			if key == "" {
				return nil, fmt.Errorf("rules[%d].fields.%s: empty attribute name", i, field)
			}
		}
		out[i] = mapping.Rule{Event: r.Event, Metric: r.Metric, Span: r.Span, SeverityMin: r.SeverityMin, Type: t}
		for k, v := range r.Attributes {
			out[i].Attributes = append(out[i].Attributes, mapping.AttrCond{Key: k, Value: v})
		}
		// Map order is random; a fixed order makes matching cost repeatable.
		sort.Slice(out[i].Attributes, func(a, b int) bool { return out[i].Attributes[a].Key < out[i].Attributes[b].Key })
	}
	return out, nil
}

func isNamedField(t mapping.Type, name string) bool {
	for _, f := range namedFields[t] {
		if f.name == name {
			return true
		}
	}
	return false
}

// registerKeys puts every key the converter reads into the key table.
func (c *Converter) registerKeys(rules []mapping.Rule) {
	t := &c.keys
	c.ids.session = ids(t, c.opts.SessionIDAttributes)
	c.ids.user = ids(t, c.opts.UserIDAttributes)
	c.special.eventName = t.add(mapping.EventNameAttribute)
	c.special.errors = ids(t, errorKeys)
	c.special.status = ids(t, statusKeys)
	c.special.exitCode = ids(t, exitCodeKeys)
	c.special.tokenType = ids(t, tokenTypeKeys)
	c.special.opNames = ids(t, []string{"gen_ai.tool.name", "gen_ai.agent.name", "tool_name", "agent_name", "operation"})
	c.special.projectPath = ids(t, projectPathKeys)
	c.special.model = ids(t, modelKeys)
	metricIDs := ids(t, metricValueKeys)
	// Keys the resolver asks for: a table hit avoids a linear scan.
	for _, r := range mapping.BuiltinEvents {
		if r.Attr != "" {
			t.add(r.Attr)
		}
	}
	for _, k := range mapping.GenericErrorAttributes {
		t.add(k)
	}
	c.registerSpanKeys()
	if c.opts.TypeAttribute != "" {
		t.add(c.opts.TypeAttribute)
	}
	for _, r := range rules {
		for _, a := range r.Attributes {
			t.add(a.Key)
		}
	}
	for _, fields := range namedFields {
		for _, f := range fields {
			t.add(f.name)
			for _, s := range f.sources {
				t.add(s.key)
			}
		}
	}
	for _, r := range c.opts.Rules {
		for _, key := range r.Fields {
			t.add(key)
		}
	}
	c.priv.register(t)
	t.endRoles()
	for _, k := range commonKeys {
		t.add(k)
	}
	// Every key is known now (newPlan only finds existing ones), so the
	// bitsets can be sized.
	c.special.metricKeys = newBitset(t.len())
	for _, id := range metricIDs {
		c.special.metricKeys.set(id)
	}
}

// newPlan compiles the named fields of t; fields maps named fields to the
// attribute a user rule reads them from first.
func (c *Converter) newPlan(t mapping.Type, fields map[string]string) *plan {
	p := &plan{typ: t, names: newBitset(c.keys.len())}
	for i := range namedFields[t] {
		def := &namedFields[t][i]
		pf := planField{def: def, key: encode.Key(nil, def.name)}
		seen := map[int16]bool{}
		addSrc := func(key string, keep bool) {
			id := c.keys.add(key)
			if !seen[id] {
				seen[id] = true
				pf.srcs = append(pf.srcs, planSrc{id: id, keep: keep})
			}
		}
		if k, ok := fields[def.name]; ok {
			addSrc(k, false)
		}
		addSrc(def.name, false)
		for _, s := range def.sources {
			addSrc(s.key, s.keep)
		}
		p.names.set(c.keys.add(def.name))
		p.fields = append(p.fields, pf)
	}
	for i := range p.fields {
		if k := p.fields[i].def.tok; k != tokNone {
			p.tokenFields[k] = &p.fields[i]
		}
	}
	return p
}
