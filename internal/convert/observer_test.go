package convert

import (
	"bytes"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// rejectObserver records what it sees and rejects the entries for which
// reject returns true.
type rejectObserver struct {
	seen   []EntryInfo
	reject func(*EntryInfo) bool
}

func (o *rejectObserver) Entry(info *EntryInfo) bool {
	o.seen = append(o.seen, *info)
	return !o.reject(info)
}

// TestObserverRejectCutsExactlyThatLine: keep=false removes the rejected
// entry's line and nothing else; the batch stays valid, Written counts only
// the kept lines, DroppedDuplicate the rejected one.
func TestObserverRejectCutsExactlyThatLine(t *testing.T) {
	recs := []logRec{
		{eventName: "session.start", time: at(0)},
		{eventName: "claude_code.tool_result", time: at(1), attrs: []kv{{"tool_name", "Bash"}}},
		{eventName: "session.end", time: at(2)},
		{eventName: "claude_code.api_request", time: at(3), attrs: []kv{{"input_tokens", "5"}}},
	}
	ld := logBatch([]kv{{"session.id", "s-1"}}, "s", recs...)

	var refSt Stats
	ref := testConverter(t, Options{TypeAttribute: "analytics.type", BuiltinRules: true}).AppendLogs(nil, ld, &refSt)
	refLines := bytes.SplitAfter(ref, []byte("\n"))

	c := testConverter(t, defaultOptions())
	obs := &rejectObserver{reject: func(e *EntryInfo) bool { return e.Type == "session_end" }}
	var st Stats
	prefix := []byte("kept\n")
	out := c.AppendLogsObserved(append([]byte(nil), prefix...), ld, &st, obs)
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("the caller's bytes before dst were touched: %q", out[:len(prefix)])
	}
	want := bytes.Join([][]byte{prefix, refLines[0], refLines[1], refLines[3]}, nil)
	want = (&testConv{}).sequentialIDs(want, len(prefix)) // the ids of the lines kept
	if !bytes.Equal(out, want) {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	entries := checkLines(t, out[len(prefix):])
	if len(entries) != 3 || entries[2].Type != "token_usage" {
		t.Fatalf("entries %+v", entries)
	}
	if len(obs.seen) != 4 || obs.seen[2].Type != "session_end" || obs.seen[2].SessionID != "s-1" || obs.seen[3].InputTokens != 5 {
		t.Errorf("observer saw %+v", obs.seen)
	}
	if st.DroppedDuplicate != 1 || st.Written[mapping.SessionEnd] != 0 || st.Written[mapping.SessionStart] != 1 || st.Written[mapping.ToolUse] != 1 || st.Written[mapping.TokenUsage] != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestMetricsObserverReject: the same for data points.
func TestMetricsObserverReject(t *testing.T) {
	c := testConverter(t, Options{BuiltinRules: true, Rules: []Rule{claudeUsageRule}})
	var refSt Stats
	ref := checkLines(t, c.AppendMetrics(nil, claudeMetrics(), &refSt))
	first := true
	obs := &rejectObserver{reject: func(e *EntryInfo) bool {
		r := first && e.Type == "token_usage"
		first = first && !r
		return r
	}}
	var st Stats
	got := checkLines(t, c.AppendMetricsObserved(nil, claudeMetrics(), &st, obs, nil))
	seen := 0
	for _, e := range obs.seen {
		if e.Type != "" { // records of the session that became no entry are seen too
			seen++
		}
	}
	if len(got) != len(ref)-1 || seen != len(ref) {
		t.Fatalf("%d lines, %d entries seen; want %d and %d", len(got), seen, len(ref)-1, len(ref))
	}
	if st.DroppedDuplicate != 1 || st.Written[mapping.TokenUsage] != refSt.Written[mapping.TokenUsage]-1 {
		t.Errorf("stats %+v, reference %+v", st, refSt)
	}
}

// TestNilObserverIsAppendLogs: no Observer gives the same bytes and Stats
// as AppendLogs.
func TestNilObserverIsAppendLogs(t *testing.T) {
	c := testConverter(t, defaultOptions())
	ld := claudeBatch(100, false)
	var refSt, st Stats
	ref := c.AppendLogs(nil, ld, &refSt)
	c = testConverter(t, defaultOptions()) // the same ids again
	buf := c.AppendLogsObserved(nil, ld, &st, nil)
	if !bytes.Equal(buf, ref) || st != refSt {
		t.Fatalf("AppendLogsObserved(nil) differs from AppendLogs: %+v vs %+v", st, refSt)
	}
}

// TestConversionAllocatesNothing: a steady stream of batches converts into
// a reused buffer without allocating, logs with and without an Observer,
// and metrics (whose performance entries join the metric and tool names).
// The race detector makes sync.Pool drop what it is given, so this runs
// without it (make test-norace).
func TestConversionAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race; make test-norace runs this")
	}
	c := newConverter(t, Options{TypeAttribute: "analytics.type", BuiltinRules: true, Rules: []Rule{claudeUsageRule}})
	ld := claudeBatch(100, false)
	md := pmetric.NewMetrics()
	genaiMetrics().ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	claudeMetrics().ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	var st Stats
	var buf []byte
	for _, tc := range []struct {
		name string
		run  func()
	}{
		{"logs", func() { buf = c.AppendLogs(buf[:0], ld, &st) }},
		{"logs observed", func() { buf = c.AppendLogsObserved(buf[:0], ld, &st, keepAll{}) }},
		{"metrics", func() { buf = c.AppendMetrics(buf[:0], md, &st) }},
	} {
		tc.run() // size the buffer
		if allocs := testing.AllocsPerRun(20, tc.run); allocs > 0 {
			t.Errorf("%s: %v allocations per call", tc.name, allocs)
		}
	}
	if st.Written[mapping.Performance] == 0 {
		t.Error("no performance entry: the metric operation names went untested")
	}
}

// BenchmarkAppendLogsObserved is BenchmarkAppendLogs with a per-call
// Observer that keeps everything (the exporter's sessions path).
func BenchmarkAppendLogsObserved(b *testing.B) {
	const n = 1000
	ld := claudeBatch(n, true)
	c := mustNew(b, defaultOptions())
	obs := keepAll{}
	var st Stats
	dst := c.AppendLogsObserved(nil, ld, &st, obs)
	b.SetBytes(int64(len(dst)))
	benchLoop(b, n, func() { dst = c.AppendLogsObserved(dst[:0], ld, &st, obs) })
}

type keepAll struct{}

func (keepAll) Entry(*EntryInfo) bool { return true }

// observeFunc is an Observer that calls itself and keeps every entry.
type observeFunc func(*EntryInfo)

func (f observeFunc) Entry(info *EntryInfo) bool {
	f(info)
	return true
}
