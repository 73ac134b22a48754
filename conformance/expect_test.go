package conformance

import (
	"fmt"
	"iter"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
)

// agentSpec is what the suite knows of one agent: how to find it and what
// its telemetry must become.
type agentSpec struct {
	name    string // capture directory prefix and run.json agent
	pkg     string // npm package
	version string // pinned npm version
	// shellTool is the tool_name of the agent's shell tool in tool_use entries.
	shellTool string
	// countsAux: the agent reports the tokens of auxiliary model requests
	// too (title generation and the like), so they count in the totals.
	countsAux bool
	// maxLinesPerPrompt is the noise budget: entries per prompt at most.
	maxLinesPerPrompt int
	// extra, when set, checks what is particular to the agent.
	extra func(t *testing.T, sc mockmodel.Scenario, c capture, entries []map[string]any)
	// scenarios, when set, are the only scenarios the agent runs (a GenAI
	// app scripted for one conversation); nil runs every scenario.
	scenarios []string
	// needsTraces: the agent's analytics come from its spans: a GenAI app,
	// whose spec pins the npm package it is instrumented with.
	needsTraces bool
	// unsentTokens are token kinds (token_usage fields) the agent's
	// telemetry does not carry although the API reported them: checkTokens
	// leaves them out, and the agent's extra check says what they must be.
	unsentTokens []string
}

// runs reports whether the agent runs the scenario.
func (s agentSpec) runs(scenario string) bool {
	return s.scenarios == nil || slices.Contains(s.scenarios, scenario)
}

// specs are the agents of the suite.
var specs = []agentSpec{claudeCode, geminiCLI, codex, openaiOTel, traceloopOpenAI, vercelAI}

func specFor(t *testing.T, name string) agentSpec {
	t.Helper()
	for _, s := range specs {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no agent spec named %q", name)
	return agentSpec{}
}

// check applies the expectations every agent must meet, then the agent's own.
func check(t *testing.T, spec agentSpec, c capture, entries []map[string]any) {
	t.Helper()
	sc := scenarioNamed(t, c.info.Scenario)
	if len(entries) == 0 {
		t.Fatal("no entries")
	}
	checkSessions(t, c, entries)
	checkTokens(t, spec, c, entries)
	checkTools(t, spec, c, entries)
	checkNoise(t, spec, sc, entries)
	if end := only(t, entries, "session_end"); end != nil {
		if got := num(end["data"].(map[string]any)["prompts"]); got != float64(len(sc.Prompts)) {
			t.Errorf("session_end prompts = %v, want %d", got, len(sc.Prompts))
		}
	}
	if spec.extra != nil {
		spec.extra(t, sc, c, entries)
	}
}

// checkSessions: a session id on every entry, one session, exactly one
// session_start and one session_end, and a session_end whose span covers
// every record the agent sent for the session.
func checkSessions(t *testing.T, c capture, entries []map[string]any) {
	t.Helper()
	ids := map[string]bool{}
	for _, e := range entries {
		sid, _ := e["session_id"].(string)
		if sid == "" {
			t.Errorf("entry without session_id: %v", e)
			continue
		}
		ids[sid] = true
	}
	if len(ids) != 1 {
		t.Errorf("sessions = %v, want exactly one", ids)
	}
	for _, typ := range []string{"session_start", "session_end"} {
		if n := len(ofType(entries, typ)); n != 1 {
			t.Errorf("%d %s entries, want 1", n, typ)
		}
	}
	end := only(t, entries, "session_end")
	if end == nil {
		return
	}
	data := end["data"].(map[string]any)
	start, err := time.Parse("2006-01-02T15:04:05.000000-07:00", str(data["start_timestamp"]))
	if err != nil {
		t.Errorf("session_end start_timestamp: %v", err)
		return
	}
	stop := start.Add(time.Duration(num(data["duration_seconds"]) * float64(time.Second)))
	first, last := recordSpan(t, c)
	if first.IsZero() {
		t.Error("the capture has no timed record of the session")
		return
	}
	const slack = 2 * time.Microsecond // timestamps are written to the microsecond, durations as floats
	if start.After(first.Add(slack)) || stop.Before(last.Add(-slack)) {
		t.Errorf("session_end covers %s .. %s, the agent's records span %s .. %s",
			start.Format(time.RFC3339Nano), stop.Format(time.RFC3339Nano),
			first.Format(time.RFC3339Nano), last.Format(time.RFC3339Nano))
	}
}

// recordSpan returns the earliest and latest time of the capture's log
// records and metric points (start times included) that carry a session id.
func recordSpan(t *testing.T, c capture) (first, last time.Time) {
	t.Helper()
	reqs := loadRequests(t, c.otlpDir())
	see := func(ts pcommon.Timestamp) {
		if ts == 0 {
			return
		}
		tt := ts.AsTime()
		if first.IsZero() || tt.Before(first) {
			first = tt
		}
		if tt.After(last) {
			last = tt
		}
	}
	for _, r := range reqs {
		switch r.Signal {
		case "logs":
			ld, err := r.Logs()
			if err != nil {
				t.Fatal(err)
			}
			logRecords(ld, func(res pcommon.Map, lr plog.LogRecord) {
				if !hasSession(lr.Attributes(), res) {
					return
				}
				ts := lr.Timestamp()
				if ts == 0 {
					ts = lr.ObservedTimestamp()
				}
				see(ts)
			})
		case "metrics":
			md, err := r.Metrics()
			if err != nil {
				t.Fatal(err)
			}
			eachPoint(md, func(res, attrs pcommon.Map, start, ts pcommon.Timestamp) {
				if hasSession(attrs, res) {
					see(start)
					see(ts)
				}
			})
		}
	}
	for _, ts := range sessionSpanTimes(t, reqs) {
		see(ts)
	}
	return first, last
}

// sessionAttrs are the attributes the agents put their session id in.
var sessionAttrs = []string{"session.id", "gen_ai.conversation.id", "conversation.id", "thread.id"}

func hasSession(attrs, res pcommon.Map) bool {
	for _, m := range []pcommon.Map{attrs, res} {
		for _, k := range sessionAttrs {
			if v, ok := m.Get(k); ok && v.AsString() != "" {
				return true
			}
		}
	}
	return false
}

// loadRequests loads the requests stored in dir (otlpcapture.Load).
func loadRequests(t *testing.T, dir string) []otlpcapture.Request {
	t.Helper()
	reqs, err := otlpcapture.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

// eachLogRecord calls fn with every log record of the logs requests of
// reqs, and the attributes of its resource.
func eachLogRecord(t *testing.T, reqs []otlpcapture.Request, fn func(res pcommon.Map, lr plog.LogRecord)) {
	t.Helper()
	for _, r := range reqs {
		if r.Signal != "logs" {
			continue
		}
		ld, err := r.Logs()
		if err != nil {
			t.Fatal(err)
		}
		logRecords(ld, fn)
	}
}

// logRecords calls fn with every log record of ld, and the attributes of
// its resource.
func logRecords(ld plog.Logs, fn func(res pcommon.Map, lr plog.LogRecord)) {
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				fn(res, lr)
			}
		}
	}
}

// eachPoint calls fn with every data point of md.
func eachPoint(md pmetric.Metrics, fn func(res, attrs pcommon.Map, start, ts pcommon.Timestamp)) {
	for _, rm := range md.ResourceMetrics().All() {
		res := rm.Resource().Attributes()
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeSum:
					points(m.Sum().DataPoints().All(), res, fn)
				case pmetric.MetricTypeGauge:
					points(m.Gauge().DataPoints().All(), res, fn)
				case pmetric.MetricTypeHistogram:
					points(m.Histogram().DataPoints().All(), res, fn)
				case pmetric.MetricTypeExponentialHistogram:
					points(m.ExponentialHistogram().DataPoints().All(), res, fn)
				case pmetric.MetricTypeSummary:
					points(m.Summary().DataPoints().All(), res, fn)
				}
			}
		}
	}
}

// dataPoint is what eachPoint reads of every kind of data point.
type dataPoint interface {
	Attributes() pcommon.Map
	StartTimestamp() pcommon.Timestamp
	Timestamp() pcommon.Timestamp
}

// points calls fn with every point of one metric.
func points[P dataPoint](all iter.Seq2[int, P], res pcommon.Map, fn func(res, attrs pcommon.Map, start, ts pcommon.Timestamp)) {
	for _, p := range all {
		fn(res, p.Attributes(), p.StartTimestamp(), p.Timestamp())
	}
}

// tokenKinds are the token fields of token_usage and session_end entries,
// with the part of mockmodel.Usage each must add up to.
var tokenKinds = []struct {
	field string
	of    func(mockmodel.Usage) int64
}{
	{"input_tokens", func(u mockmodel.Usage) int64 { return u.Input }},
	{"cache_read_tokens", func(u mockmodel.Usage) int64 { return u.CacheRead }},
	{"cache_creation_tokens", func(u mockmodel.Usage) int64 { return u.CacheCreation }},
	{"output_tokens", func(u mockmodel.Usage) int64 { return u.Output }},
	{"reasoning_tokens", func(u mockmodel.Usage) int64 { return u.Reasoning }},
}

// servedUsage is the usage the agent was told, summed over the answers it
// reports.
func servedUsage(spec agentSpec, c capture) mockmodel.Usage {
	var u mockmodel.Usage
	for _, s := range c.served {
		if s.Status == http.StatusOK && (!s.Aux || spec.countsAux) {
			u = u.Add(s.Usage)
		}
	}
	return u
}

// checkTokens: the token_usage entries and the session_end add up, kind by
// kind, to the usage the mock reported.
func checkTokens(t *testing.T, spec agentSpec, c capture, entries []map[string]any) {
	t.Helper()
	want := servedUsage(spec, c)
	sums := map[string]float64{}
	for _, e := range ofType(entries, "token_usage") {
		d := e["data"].(map[string]any)
		for _, k := range tokenKinds {
			sums[k.field] += num(d[k.field])
		}
	}
	end := only(t, entries, "session_end")
	for _, k := range tokenKinds {
		if slices.Contains(spec.unsentTokens, k.field) {
			checkUnsent(t, k.field, entries, end)
			continue
		}
		w := float64(k.of(want))
		if sums[k.field] != w {
			t.Errorf("token_usage %s sum to %v, the mock reported %v", k.field, sums[k.field], w)
		}
		if end != nil {
			if got := num(end["data"].(map[string]any)[k.field]); got != w {
				t.Errorf("session_end %s = %v, the mock reported %v", k.field, got, w)
			}
		}
	}
	if end != nil {
		if got, w := num(end["data"].(map[string]any)["token_count"]), float64(want.Input+want.Output); got != w {
			t.Errorf("session_end token_count = %v, want input+output %v", got, w)
		}
	}
}

// checkUnsent: a token kind the agent cannot report is unknown (null) on
// every token_usage entry, never a made-up 0, and adds 0 to session_end.
func checkUnsent(t *testing.T, field string, entries []map[string]any, end map[string]any) {
	t.Helper()
	for _, e := range ofType(entries, "token_usage") {
		if v, ok := e["data"].(map[string]any)[field]; ok && v != nil {
			t.Errorf("token_usage %s = %v, want null: the agent does not report it", field, v)
		}
	}
	if end != nil {
		if got := num(end["data"].(map[string]any)[field]); got != 0 {
			t.Errorf("session_end %s = %v, want 0 (nothing reported)", field, got)
		}
	}
}

// checkTools: one tool_use per command the mock asked for, named as the
// agent's shell tool, successful exactly when the command succeeds.
func checkTools(t *testing.T, spec agentSpec, c capture, entries []map[string]any) {
	t.Helper()
	var commands []string
	for _, s := range c.served {
		if s.Command != "" {
			commands = append(commands, s.Command)
		}
	}
	tools := ofType(entries, "tool_use")
	if len(tools) != len(commands) {
		// Errorf, not Fatalf: the checks after this one still run.
		t.Errorf("%d tool_use entries, the mock asked for %d commands", len(tools), len(commands))
		return
	}
	for i, e := range tools {
		d := e["data"].(map[string]any)
		if d["tool_name"] != spec.shellTool {
			t.Errorf("tool_use %d: tool_name %v, want %q", i, d["tool_name"], spec.shellTool)
		}
		wantOK := !isFailCommand(commands[i])
		if d["success"] != wantOK {
			t.Errorf("tool_use %d (%s): success %v, want %v", i, commands[i], d["success"], wantOK)
		}
	}
}

func isFailCommand(cmd string) bool {
	for _, s := range mockmodel.ToolFail.Steps {
		if s.Command == cmd {
			return true
		}
	}
	return false
}

// checkNoise: at most maxLinesPerPrompt entries per prompt.
func checkNoise(t *testing.T, spec agentSpec, sc mockmodel.Scenario, entries []map[string]any) {
	t.Helper()
	if limit := spec.maxLinesPerPrompt * len(sc.Prompts); len(entries) > limit {
		t.Errorf("%d entries for %d prompts, the budget is %d: %v", len(entries), len(sc.Prompts), limit, typeCounts(entries))
	}
}

func ofType(entries []map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, e := range entries {
		if e["type"] == typ {
			out = append(out, e)
		}
	}
	return out
}

// only returns the single entry of typ, or nil (the count is checked
// elsewhere).
func only(t *testing.T, entries []map[string]any, typ string) map[string]any {
	t.Helper()
	es := ofType(entries, typ)
	if len(es) != 1 {
		return nil
	}
	return es[0]
}

func typeCounts(entries []map[string]any) map[string]int {
	out := map[string]int{}
	for _, e := range entries {
		out[fmt.Sprint(e["type"])]++
	}
	return out
}

// num reads a JSON number (nil, absent or not a number: NaN, so it never
// equals a wanted figure).
func num(v any) float64 {
	f, ok := v.(float64)
	if !ok {
		return math.NaN()
	}
	return f
}

func str(v any) string { s, _ := v.(string); return s }
