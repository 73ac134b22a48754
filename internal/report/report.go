package report

import (
	"cmp"
	"math"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// Micros is an amount in millionths (of a dollar, of a second), written
// in JSON as a number with six decimals.
type Micros int64

// MarshalJSON writes m with six decimals, exactly.
func (m Micros) MarshalJSON() ([]byte, error) { return []byte(formatMicros(int64(m))), nil }

// String is m with six decimals.
func (m Micros) String() string { return formatMicros(int64(m)) }

// TokenFigures are token sums by kind.
type TokenFigures struct {
	Input         int64 `json:"input"`
	Output        int64 `json:"output"`
	CacheRead     int64 `json:"cache_read"`
	CacheCreation int64 `json:"cache_creation"`
	Reasoning     int64 `json:"reasoning"`
	Total         int64 `json:"total"`
	// CacheReadRatio is cache_read / input; null without input tokens.
	CacheReadRatio *float64 `json:"cache_read_ratio"`
}

// Figures are the figures of one group (the whole report, a day, a user...).
type Figures struct {
	Sessions int64 `json:"sessions"`
	// Prompts and ActiveSeconds are null when no session_end entry had them.
	Prompts       *int64  `json:"prompts"`
	ActiveSeconds *Micros `json:"active_seconds"`
	Requests      int64   `json:"requests"`
	// CostUSD is the cost the agents reported; null when none did.
	CostUSD *Micros `json:"cost_usd"`
	// CostUSDEstimated is the pricing table's cost of the requests that
	// reported none, over the models the table has; null when there is none.
	CostUSDEstimated *Micros `json:"cost_usd_estimated"`
	// UnpricedRequests and UnpricedTokens are the requests without a
	// reported cost whose model the table lacks (their cost is unknown).
	UnpricedRequests int64        `json:"unpriced_requests"`
	UnpricedTokens   int64        `json:"unpriced_tokens"`
	Tokens           TokenFigures `json:"tokens"`
	ToolUses         int64        `json:"tool_uses"`
	ToolFailures     int64        `json:"tool_failures"`
	Errors           int64        `json:"errors"`

	costPico *big.Int // reported + estimated, for sorting
}

// Group is the figures of one key.
type Group struct {
	Key string `json:"key"`
	Figures
}

// Block is one user's 5-hour block: it starts at the hour of the user's
// first entry after the previous block ended and lasts five hours.
type Block struct {
	User  string `json:"user"`
	Start string `json:"start"`
	End   string `json:"end"`
	Figures
}

// Model is one model's figures and API latency.
type Model struct {
	Model  string `json:"model"`
	Priced bool   `json:"priced"`
	Figures
	LatencyCount int64    `json:"latency_count"`
	LatencyP50   *float64 `json:"latency_p50_ms"`
	LatencyP95   *float64 `json:"latency_p95_ms"`
}

// Tool is one tool's uses, success rate and duration quantiles.
type Tool struct {
	Name      string `json:"name"`
	Uses      int64  `json:"uses"`
	Successes int64  `json:"successes"`
	Failures  int64  `json:"failures"`
	// SuccessRate is successes / (successes + failures); null when no use
	// recorded an outcome.
	SuccessRate *float64 `json:"success_rate"`
	P50         *float64 `json:"p50_ms"`
	P95         *float64 `json:"p95_ms"`
	Timed       int64    `json:"timed"` // uses with a duration
}

// ErrorType is the count of one error_type.
type ErrorType struct {
	Type  string `json:"type"`
	Count int64  `json:"count"`
}

// Session is one session's figures.
type Session struct {
	SessionID string   `json:"session_id"`
	Users     []string `json:"users"`
	Agent     string   `json:"agent"`
	Start     string   `json:"start"`
	End       string   `json:"end"`
	Models    []string `json:"models"`
	Figures
}

// Report is everything the command prints.
type Report struct {
	From    string `json:"from"` // first selected entry
	To      string `json:"to"`   // last selected entry
	Figures        // totals
	// UnpricedModels are the models whose unreported cost is unknown.
	UnpricedModels []string `json:"unpriced_models"`
	Models         []Model  `json:"models"`
	Tools          []Tool   `json:"tools"`
	// Errors lists the error_occurred entries by error_type; it hides the
	// count of Figures at the top level (the count is the sum of the list).
	Errors        []ErrorType `json:"errors"`
	Operations    []Tool      `json:"operations"`
	Days          []Group     `json:"days"`
	Months        []Group     `json:"months,omitempty"`
	Users         []Group     `json:"users,omitempty"`
	Agents        []Group     `json:"agents,omitempty"`
	Blocks        []Block     `json:"blocks,omitempty"`
	TopSessions   []Session   `json:"top_sessions,omitempty"`
	SessionsTotal int         `json:"-"`
	Input         Counts      `json:"input"`
	Problems      []Problem   `json:"problems,omitempty"`
	Pricing       struct {
		Date    string            `json:"date"`
		Sources map[string]string `json:"sources"`
	} `json:"pricing"`
	Quantiles struct {
		Sketch           string  `json:"sketch"`
		RelativeAccuracy float64 `json:"relative_accuracy"`
	} `json:"quantiles"`
}

// Grouping names what a report holds besides the totals, days, models,
// tools and errors.
type Grouping struct {
	Months, Users, Agents, Blocks, Sessions bool
	// Top is how many sessions to list (0: all); SortBy is "cost" or "tokens".
	Top    int
	SortBy string
}

// Build turns what Read produced into a Report.
func Build(res *Result, p *Pricing, g Grouping) *Report {
	a := res.agg
	r := &Report{}
	if a.first != math.MaxInt64 {
		r.From, r.To = stamp(a.first), stamp(a.last)
	}
	unpriced := map[string]bool{}
	r.Figures = figures(&a.total, p, unpriced)
	for m := range unpriced {
		r.UnpricedModels = append(r.UnpricedModels, display(m))
	}
	slices.Sort(r.UnpricedModels)
	if r.UnpricedModels == nil {
		r.UnpricedModels = []string{}
	}

	for name, b := range a.models {
		_, priced := p.Lookup(name)
		m := Model{Model: display(name), Priced: priced, Figures: figures(b, p, nil)}
		if t := a.latency[name]; t != nil {
			m.LatencyCount = t.uses
			m.LatencyP50 = quantile(&t.durations, 0.5)
			m.LatencyP95 = quantile(&t.durations, 0.95)
		}
		r.Models = append(r.Models, m)
	}
	slices.SortFunc(r.Models, func(x, y Model) int {
		return cmp.Or(cmp.Compare(y.Tokens.Total, x.Tokens.Total), cmp.Compare(x.Model, y.Model))
	})
	r.Tools = timedList(a.tools)
	r.Operations = timedList(a.ops)
	for t, n := range a.errors {
		r.Errors = append(r.Errors, ErrorType{Type: display(t), Count: n})
	}
	slices.SortFunc(r.Errors, func(x, y ErrorType) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Type, y.Type))
	})

	months := map[string]*bucket{}
	for d, b := range a.days {
		key := time.UnixMicro(d * microsPerDay).UTC().Format(time.DateOnly)
		r.Days = append(r.Days, Group{Key: key, Figures: figures(b, p, nil)})
		getBucket(months, key[:7]).merge(b)
	}
	sortByKey(r.Days)
	if g.Months {
		r.Months = groups(months, p, false)
	}
	if g.Users {
		r.Users = groups(a.users, p, true)
	}
	if g.Agents {
		r.Agents = groups(a.agents, p, true)
	}
	if g.Blocks && a.userHours != nil {
		r.Blocks = blocks(a.userHours, p)
	}
	if g.Sessions {
		r.TopSessions, r.SessionsTotal = topSessions(a.sessions, p, g)
	}
	r.Input = a.counts
	r.Problems = res.Problems
	r.Pricing.Date, r.Pricing.Sources = p.Date, p.Sources
	r.Quantiles.Sketch, r.Quantiles.RelativeAccuracy = "DDSketch", RelativeAccuracy
	if r.Tools == nil {
		r.Tools = []Tool{}
	}
	if r.Errors == nil {
		r.Errors = []ErrorType{}
	}
	if r.Models == nil {
		r.Models = []Model{}
	}
	if r.Days == nil {
		r.Days = []Group{}
	}
	if r.Operations == nil {
		r.Operations = []Tool{}
	}
	return r
}

// display names the empty key (a null value in the data).
func display(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func stamp(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

func sortByKey(gs []Group) {
	slices.SortFunc(gs, func(x, y Group) int { return cmp.Compare(x.Key, y.Key) })
}

// groups lists the buckets of m by key, or by total cost then tokens when byCost.
func groups(m map[string]*bucket, p *Pricing, byCost bool) []Group {
	out := make([]Group, 0, len(m))
	for k, b := range m {
		out = append(out, Group{Key: display(k), Figures: figures(b, p, nil)})
	}
	if byCost {
		slices.SortFunc(out, func(x, y Group) int {
			return cmp.Or(y.costPico.Cmp(x.costPico), cmp.Compare(y.Tokens.Total, x.Tokens.Total), cmp.Compare(x.Key, y.Key))
		})
	} else {
		sortByKey(out)
	}
	return out
}

func timedList(m map[string]*timed) []Tool {
	out := make([]Tool, 0, len(m))
	for name, t := range m {
		tool := Tool{Name: display(name), Uses: t.uses, Successes: t.ok, Failures: t.fail,
			P50: quantile(&t.durations, 0.5), P95: quantile(&t.durations, 0.95), Timed: int64(t.durations.s.GetCount())}
		if t.ok+t.fail > 0 {
			rate := float64(t.ok) / float64(t.ok+t.fail)
			tool.SuccessRate = &rate
		}
		out = append(out, tool)
	}
	slices.SortFunc(out, func(x, y Tool) int { return cmp.Or(cmp.Compare(y.Uses, x.Uses), cmp.Compare(x.Name, y.Name)) })
	return out
}

// quantile returns the q-quantile rounded to 0.001 ms, nil when empty.
func quantile(s *sketch, q float64) *float64 {
	v, ok := s.quantile(q)
	if !ok {
		return nil
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'f', 3, 64), 64)
	return &v
}

// figures computes a bucket's printed figures; unpriced, when not nil,
// collects the models without a price.
func figures(b *bucket, p *Pricing, unpriced map[string]bool) Figures {
	f := Figures{
		Sessions:     b.sessions,
		Requests:     b.requests,
		ToolUses:     b.toolUses,
		ToolFailures: b.toolFail,
		Errors:       b.errors,
		Tokens: TokenFigures{
			Input: b.tok[kInput], Output: b.tok[kOutput], CacheRead: b.tok[kCacheRead],
			CacheCreation: b.tok[kCacheCreation], Reasoning: b.tok[kReasoning], Total: b.tok.Total(),
		},
	}
	if b.tok[kInput] != 0 {
		ratio := float64(b.tok[kCacheRead]) / float64(b.tok[kInput])
		f.Tokens.CacheReadRatio = &ratio
	}
	if b.promptsN > 0 {
		v := b.prompts
		f.Prompts = &v
	}
	if b.durN > 0 {
		v := Micros(b.durUs)
		f.ActiveSeconds = &v
	}
	total := big.NewInt(b.costNano)
	total.Mul(total, big.NewInt(1000))
	if b.costEntries > 0 {
		v := Micros(roundDiv(b.costNano, nanoPerMicro))
		f.CostUSD = &v
	}
	est := new(big.Int)
	priced := false
	for model, c := range b.noCost {
		pr, ok := p.Lookup(model)
		if !ok {
			f.UnpricedTokens += c.tok.Total()
			f.UnpricedRequests += c.reqs
			if unpriced != nil {
				unpriced[model] = true
			}
			continue
		}
		priced = true
		estimatePico(est, &c.tok, pr)
	}
	if priced {
		v := Micros(picoToMicros(est))
		f.CostUSDEstimated = &v
	}
	f.costPico = total.Add(total, est)
	return f
}

// blocks forms each user's 5-hour blocks from the user's active hours.
func blocks(hours map[userHour]*bucket, p *Pricing) []Block {
	byUser := map[string][]int64{}
	for k := range hours {
		byUser[k.user] = append(byUser[k.user], k.hour)
	}
	var out []Block
	for user, hs := range byUser {
		slices.Sort(hs)
		for i := 0; i < len(hs); {
			start := hs[i]
			var b bucket
			for ; i < len(hs) && hs[i] < start+5; i++ {
				b.merge(hours[userHour{user, hs[i]}])
			}
			out = append(out, Block{User: display(user), Start: stamp(start * microsPerHour),
				End: stamp((start + 5) * microsPerHour), Figures: figures(&b, p, nil)})
		}
	}
	slices.SortFunc(out, func(x, y Block) int { return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.User, y.User)) })
	return out
}

// topSessions lists the sessions by cost (reported plus estimated) or
// tokens, the first g.Top of them (all when g.Top is 0), and how many
// there are.
func topSessions(m map[string]*sess, p *Pricing, g Grouping) ([]Session, int) {
	out := make([]Session, 0, len(m))
	for id, s := range m {
		if !s.selected() {
			continue
		}
		agent := ""
		if s.hasAgent {
			agent = s.agent
		} else if len(s.agents) > 0 {
			agent = s.agents[0]
		}
		users := make([]string, len(s.users))
		for i, u := range s.users {
			users[i] = display(u)
		}
		models := make([]string, len(s.models))
		for i, x := range s.models {
			models[i] = display(x)
		}
		slices.Sort(users)
		slices.Sort(models)
		out = append(out, Session{SessionID: id, Users: users, Agent: display(agent), Start: stamp(s.first),
			End: stamp(s.last), Models: models, Figures: figures(&s.b, p, nil)})
	}
	byTokens := g.SortBy == "tokens"
	slices.SortFunc(out, func(x, y Session) int {
		c := y.costPico.Cmp(x.costPico)
		t := cmp.Compare(y.Tokens.Total, x.Tokens.Total)
		if byTokens {
			c, t = t, c
		}
		return cmp.Or(c, t, cmp.Compare(x.SessionID, y.SessionID))
	})
	n := len(out)
	if g.Top > 0 && len(out) > g.Top {
		out = out[:g.Top]
	}
	return out, n
}
