package report

import (
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch"
)

// RelativeAccuracy is the DDSketch relative accuracy of every quantile the
// report prints: a p50 or p95 is within 1% of the true value at that rank.
const RelativeAccuracy = 0.01

// microsPerDay and microsPerHour are day and hour lengths in microseconds.
const (
	microsPerHour = 3600 * 1e6
	microsPerDay  = 24 * microsPerHour
)

// Filter selects entries. Zero values select everything.
type Filter struct {
	// Since and Until bound entry timestamps, in Unix microseconds:
	// Since <= t < Until. HasSince and HasUntil tell whether each is set.
	Since, Until       int64
	HasSince, HasUntil bool
	// Users, Sessions and Agents, when not empty, are the user_id,
	// session_id and agent (service.name) values to keep.
	Users, Sessions, Agents map[string]bool
}

// bucket holds the additive figures of one group.
type bucket struct {
	requests    int64 // token_usage entries
	tok         Tokens
	costNano    int64                // reported cost
	costEntries int64                // token_usage entries that reported a cost
	noCost      map[string]*costless // by model
	toolUses    int64
	toolFail    int64
	errors      int64
	prompts     int64
	promptsN    int64 // session_end entries with prompts
	durUs       int64 // active duration, microseconds
	durN        int64 // session_end entries with duration_seconds
	sessions    int64 // filled in by finish
}

func (b *bucket) merge(o *bucket) {
	b.requests += o.requests
	b.tok.add(&o.tok)
	b.costNano += o.costNano
	b.costEntries += o.costEntries
	for m, c := range o.noCost {
		d := b.costless(m)
		d.tok.add(&c.tok)
		d.reqs += c.reqs
	}
	b.toolUses += o.toolUses
	b.toolFail += o.toolFail
	b.errors += o.errors
	b.prompts += o.prompts
	b.promptsN += o.promptsN
	b.durUs += o.durUs
	b.durN += o.durN
	b.sessions += o.sessions
}

// costless is the tokens and count of a model's requests that reported no cost.
type costless struct {
	tok  Tokens
	reqs int64
}

func (b *bucket) costless(model string) *costless {
	if b.noCost == nil {
		b.noCost = map[string]*costless{}
	}
	c := b.noCost[model]
	if c == nil {
		c = new(costless)
		b.noCost[model] = c
	}
	return c
}

// sketch is a DDSketch with the count of values that could not be added.
type sketch struct {
	s *ddsketch.DDSketch
}

func newSketch() sketch {
	s, err := ddsketch.LogUnboundedDenseDDSketch(RelativeAccuracy)
	if err != nil {
		panic(err) // a constant accuracy in (0, 1) never fails
	}
	return sketch{s: s}
}

func (s *sketch) add(v float64) {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	_ = s.s.Add(v) // non-negative finite values are always accepted
}

func (s *sketch) merge(o sketch) { _ = s.s.MergeWith(o.s) }

// quantile returns the q-quantile, ok false when the sketch is empty.
func (s *sketch) quantile(q float64) (float64, bool) {
	if s.s.IsEmpty() {
		return 0, false
	}
	v, err := s.s.GetValueAtQuantile(q)
	return v, err == nil
}

// timed is a count with success/failure and a duration sketch: a tool, a
// model's API latency, a performance operation.
type timed struct {
	uses, ok, fail int64
	durations      sketch
}

func (t *timed) merge(o *timed) {
	t.uses += o.uses
	t.ok += o.ok
	t.fail += o.fail
	t.durations.merge(o.durations)
}

// deferred is a session line without a resource (the exporter's
// synthesized session_start and session_end): its agent is its session's,
// known only once every file was read.
type deferred struct {
	ts         int64
	user       string
	isEnd      bool
	prompts    int64
	hasPrompts bool
	durUs      int64
	hasDur     bool
}

// sess is one session_id.
type sess struct {
	first, last int64 // timestamps of its selected entries
	b           bucket
	users       []string
	agents      []string
	models      []string
	deferred    []deferred
	// agentTS and agent are the service.name of its earliest entry that
	// has one, over every entry read (selected or not).
	agentTS  int64
	agent    string
	hasAgent bool
}

func newSess() *sess { return &sess{first: math.MaxInt64, last: math.MinInt64} }

func (s *sess) selected() bool { return s.first != math.MaxInt64 }

func (s *sess) see(ts int64) {
	s.first = min(s.first, ts)
	s.last = max(s.last, ts)
}

func (s *sess) noteAgent(ts int64, svc []byte) {
	if !s.hasAgent || ts < s.agentTS || (ts == s.agentTS && string(svc) < s.agent) {
		s.agentTS, s.agent, s.hasAgent = ts, string(svc), true
	}
}

func (s *sess) merge(o *sess) {
	s.first = min(s.first, o.first)
	s.last = max(s.last, o.last)
	s.b.merge(&o.b)
	for _, u := range o.users {
		s.users = addString(s.users, u)
	}
	for _, a := range o.agents {
		s.agents = addString(s.agents, a)
	}
	for _, m := range o.models {
		s.models = addString(s.models, m)
	}
	s.deferred = append(s.deferred, o.deferred...)
	if o.hasAgent {
		s.noteAgent(o.agentTS, []byte(o.agent))
	}
}

// addString adds s to the small set list.
func addString(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func addBytes(list []string, b []byte) []string {
	for _, x := range list {
		if x == string(b) {
			return list
		}
	}
	return append(list, string(b))
}

type userHour struct {
	user string
	hour int64
}

// Counts are the input problems met: lines skipped, values ignored.
type Counts struct {
	Files          int   `json:"files"`
	FilesSkipped   int   `json:"files_skipped"`
	Lines          int64 `json:"lines"`
	Entries        int64 `json:"entries"`          // entries read (before filters)
	Selected       int64 `json:"entries_selected"` // entries the filters kept
	Foreign        int64 `json:"foreign_lines"`    // lines that are not entries
	Torn           int64 `json:"torn_lines"`       // a file's last line without '\n'
	LinesInSkipped int64 `json:"lines_in_skipped_files"`
	// InvalidValues counts values of the wrong kind (a token count that is
	// not an integer, a cost that is not a number), which are ignored.
	InvalidValues int64 `json:"invalid_values"`
	// CacheAboveInput counts token_usage entries whose cache reads plus
	// writes exceed input_tokens (input written without the cache).
	CacheAboveInput int64 `json:"cache_above_input"`
}

func (c *Counts) merge(o *Counts) {
	c.Files += o.Files
	c.FilesSkipped += o.FilesSkipped
	c.Lines += o.Lines
	c.Entries += o.Entries
	c.Selected += o.Selected
	c.Foreign += o.Foreign
	c.Torn += o.Torn
	c.LinesInSkipped += o.LinesInSkipped
	c.InvalidValues += o.InvalidValues
	c.CacheAboveInput += o.CacheAboveInput
}

// agg accumulates figures; one per file being read, merged into the total.
type agg struct {
	filter    *Filter
	blocks    bool
	counts    Counts
	first     int64
	last      int64
	total     bucket
	days      map[int64]*bucket
	users     map[string]*bucket
	agents    map[string]*bucket
	models    map[string]*bucket
	latency   map[string]*timed // per model, token_usage duration_ms
	tools     map[string]*timed
	ops       map[string]*timed // performance entries per operation
	errors    map[string]int64
	sessions  map[string]*sess
	userHours map[userHour]*bucket
}

func newAgg(f *Filter, blocks bool) *agg {
	a := &agg{
		filter:   f,
		blocks:   blocks,
		first:    math.MaxInt64,
		last:     math.MinInt64,
		days:     map[int64]*bucket{},
		users:    map[string]*bucket{},
		agents:   map[string]*bucket{},
		models:   map[string]*bucket{},
		latency:  map[string]*timed{},
		tools:    map[string]*timed{},
		ops:      map[string]*timed{},
		errors:   map[string]int64{},
		sessions: map[string]*sess{},
	}
	if blocks {
		a.userHours = map[userHour]*bucket{}
	}
	return a
}

func getBucket[K comparable](m map[K]*bucket, k K) *bucket {
	b := m[k]
	if b == nil {
		b = new(bucket)
		m[k] = b
	}
	return b
}

func getBucketB(m map[string]*bucket, k []byte) *bucket {
	b := m[string(k)]
	if b == nil {
		b = new(bucket)
		m[string(k)] = b
	}
	return b
}

func getTimed(m map[string]*timed, k []byte) *timed {
	t := m[string(k)]
	if t == nil {
		t = &timed{durations: newSketch()}
		m[string(k)] = t
	}
	return t
}

func (a *agg) session(id []byte) *sess {
	s := a.sessions[string(id)]
	if s == nil {
		s = newSess()
		a.sessions[string(id)] = s
	}
	return s
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) {
		q--
	}
	return q
}

// add takes one parsed entry.
func (a *agg) add(e *entry) {
	a.counts.Entries++
	f := a.filter
	var s *sess
	if e.session.kind == 's' {
		s = a.session(e.session.text)
		if e.svc.kind == 's' {
			s.noteAgent(e.ts, e.svc.text)
		}
	}
	if f.HasSince && e.ts < f.Since || f.HasUntil && e.ts >= f.Until {
		return
	}
	if len(f.Users) > 0 && (e.user.kind != 's' || !f.Users[string(e.user.text)]) {
		return
	}
	if len(f.Sessions) > 0 && (s == nil || !f.Sessions[string(e.session.text)]) {
		return
	}
	if e.svc.kind != 's' && s != nil && (e.typ == typeSessionStart || e.typ == typeSessionEnd) {
		d := deferred{ts: e.ts, user: string(e.user.text), isEnd: e.typ == typeSessionEnd}
		if d.isEnd {
			d.prompts, d.hasPrompts, d.durUs, d.hasDur = a.sessionEndFigures(e)
		}
		s.deferred = append(s.deferred, d)
		return
	}
	if len(f.Agents) > 0 && !f.Agents[string(e.svc.text)] {
		return
	}
	a.counts.Selected++
	a.first = min(a.first, e.ts)
	a.last = max(a.last, e.ts)

	var bs [7]*bucket
	n := 0
	bs[n] = &a.total
	n++
	bs[n] = getBucket(a.days, floorDiv(e.ts, microsPerDay))
	n++
	bs[n] = getBucketB(a.users, e.user.text)
	n++
	bs[n] = getBucketB(a.agents, e.svc.text)
	n++
	if s != nil {
		s.see(e.ts)
		s.users = addBytes(s.users, e.user.text)
		s.agents = addBytes(s.agents, e.svc.text)
		bs[n] = &s.b
		n++
	}
	if a.blocks {
		bs[n] = getBucket(a.userHours, userHour{string(e.user.text), floorDiv(e.ts, microsPerHour)})
		n++
	}
	buckets := bs[:n]

	switch e.typ {
	case typeTokenUsage:
		a.tokenUsage(e, s, buckets)
	case typeToolUse:
		t := getTimed(a.tools, e.toolName.text)
		t.uses++
		ok, fail := int64(0), int64(0)
		switch e.success.kind {
		case 't':
			ok = 1
		case 'f':
			fail = 1
		case 'n', 0:
		default:
			a.counts.InvalidValues++
		}
		t.ok += ok
		t.fail += fail
		a.duration(e.durationMs, &t.durations)
		for _, b := range buckets {
			b.toolUses++
			b.toolFail += fail
		}
	case typeErrorOccurred:
		a.errors[string(e.errorType.text)]++
		for _, b := range buckets {
			b.errors++
		}
	case typePerformance:
		t := getTimed(a.ops, e.operation.text)
		t.uses++
		switch e.success.kind {
		case 't':
			t.ok++
		case 'f':
			t.fail++
		}
		a.duration(e.durationMs, &t.durations)
	case typeSessionEnd:
		p, hasP, d, hasD := a.sessionEndFigures(e)
		for _, b := range buckets {
			if hasP {
				b.prompts += p
				b.promptsN++
			}
			if hasD {
				b.durUs += d
				b.durN++
			}
		}
	}
}

func (a *agg) duration(f field, s *sketch) {
	v, present, ok := f.floatValue()
	if !ok {
		a.counts.InvalidValues++
	}
	if present && ok {
		s.add(v)
	}
}

func (a *agg) sessionEndFigures(e *entry) (prompts int64, hasPrompts bool, durUs int64, hasDur bool) {
	p, present, ok := e.prompts.intValue()
	if !ok {
		a.counts.InvalidValues++
	}
	hasPrompts = present && ok
	if e.durationSec.present() {
		if e.durationSec.kind == '0' || e.durationSec.kind == 's' && isNumberText(e.durationSec.text) {
			durUs, hasDur = parseDecimal(e.durationSec.text, 6)
		}
		if !hasDur {
			a.counts.InvalidValues++
		}
	}
	return p, hasPrompts, durUs, hasDur
}

func (a *agg) tokenUsage(e *entry, s *sess, buckets []*bucket) {
	var t Tokens
	var known [numKinds]bool
	for k := range t {
		v, present, ok := e.tok[k].intValue()
		if !ok {
			a.counts.InvalidValues++
		}
		if present && ok {
			t[k] = v
			known[k] = true
		}
	}
	if known[kInput] && known[kCacheRead] && known[kCacheCreation] && t[kCacheRead]+t[kCacheCreation] > t[kInput] {
		a.counts.CacheAboveInput++
	}
	var cost int64
	hasCost := false
	if e.cost.present() {
		if e.cost.kind == '0' || e.cost.kind == 's' && isNumberText(e.cost.text) {
			cost, hasCost = parseDecimal(e.cost.text, 9)
		}
		if !hasCost {
			a.counts.InvalidValues++
		}
	}
	model := e.model.text
	if e.model.kind != 's' {
		model = nil
	}
	mb := getBucketB(a.models, model)
	buckets = append(buckets, mb)
	if s != nil {
		s.models = addBytes(s.models, model)
	}
	for _, b := range buckets {
		b.requests++
		b.tok.add(&t)
		if hasCost {
			b.costNano += cost
			b.costEntries++
		} else {
			c := b.costless(string(model))
			c.tok.add(&t)
			c.reqs++
		}
	}
	lat := getTimed(a.latency, model)
	v, present, ok := e.durationMs.floatValue()
	if present && ok {
		lat.uses++
		lat.durations.add(v)
	}
}

// merge adds o (another file's figures) into a.
func (a *agg) merge(o *agg) {
	a.counts.merge(&o.counts)
	a.first = min(a.first, o.first)
	a.last = max(a.last, o.last)
	a.total.merge(&o.total)
	mergeBuckets(a.days, o.days)
	mergeBuckets(a.users, o.users)
	mergeBuckets(a.agents, o.agents)
	mergeBuckets(a.models, o.models)
	if a.blocks {
		mergeBuckets(a.userHours, o.userHours)
	}
	mergeTimed(a.latency, o.latency)
	mergeTimed(a.tools, o.tools)
	mergeTimed(a.ops, o.ops)
	for k, v := range o.errors {
		a.errors[k] += v
	}
	for k, s := range o.sessions {
		if mine := a.sessions[k]; mine != nil {
			mine.merge(s)
		} else {
			a.sessions[k] = s
		}
	}
}

func mergeBuckets[K comparable](dst, src map[K]*bucket) {
	for k, b := range src {
		if d := dst[k]; d != nil {
			d.merge(b)
		} else {
			dst[k] = b
		}
	}
}

func mergeTimed(dst, src map[string]*timed) {
	for k, t := range src {
		if d := dst[k]; d != nil {
			d.merge(t)
		} else {
			dst[k] = t
		}
	}
}

// finish resolves the deferred session lines and counts sessions; a is
// complete after it.
func (a *agg) finish() {
	f := a.filter
	for _, s := range a.sessions {
		agent := ""
		if s.hasAgent {
			agent = s.agent
		}
		if len(f.Agents) == 0 || f.Agents[agent] {
			for _, d := range s.deferred {
				a.counts.Selected++
				a.first = min(a.first, d.ts)
				a.last = max(a.last, d.ts)
				s.see(d.ts)
				s.users = addString(s.users, d.user)
				s.agents = addString(s.agents, agent)
				bs := []*bucket{&a.total, getBucket(a.days, floorDiv(d.ts, microsPerDay)), getBucket(a.users, d.user), getBucket(a.agents, agent), &s.b}
				if a.blocks {
					bs = append(bs, getBucket(a.userHours, userHour{d.user, floorDiv(d.ts, microsPerHour)}))
				}
				for _, b := range bs {
					if d.hasPrompts {
						b.prompts += d.prompts
						b.promptsN++
					}
					if d.hasDur {
						b.durUs += d.durUs
						b.durN++
					}
				}
			}
		}
		s.deferred = nil
		if !s.selected() {
			continue
		}
		a.total.sessions++
		s.b.sessions = 1
		getBucket(a.days, floorDiv(s.first, microsPerDay)).sessions++
		for _, u := range s.users {
			getBucket(a.users, u).sessions++
		}
		for _, ag := range s.agents {
			getBucket(a.agents, ag).sessions++
		}
		for _, m := range s.models {
			getBucket(a.models, m).sessions++
		}
	}
}
