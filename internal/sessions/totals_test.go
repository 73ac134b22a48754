package sessions

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// commit feeds es as one batch through Add and Commit and returns the lines.
func commit(t *testing.T, tr *Tracker, es ...*Entry) []byte {
	t.Helper()
	var b Batch
	for _, e := range es {
		tr.Add(&b, e)
	}
	return tr.Commit(nil, &b)
}

// endOf closes every span and returns the session_end of id.
func endOf(t *testing.T, tr *Tracker, id string) line {
	t.Helper()
	return one(t, checkLines(t, tr.CloseAll(nil)), "session_end", id)
}

// TestNoEntryRecordsCount: records that became no entry (a user prompt, an
// ignored metric point) count for the session's time span and its prompts,
// not for its records; a metric point's start time counts as its earliest.
func TestNoEntryRecordsCount(t *testing.T) {
	tr := newTracker(newClock(), 100)
	prompt := rec("", "s1", 2*time.Second)
	prompt.Prompt = true
	point := rec("", "s1", 9*time.Second)
	point.Start = t0.Add(time.Second)
	commit(t, tr, rec("token_usage", "s1", 3*time.Second), prompt, rec("tool_use", "s1", 4*time.Second), point)
	end := endOf(t, tr, "s1")
	for k, want := range map[string]float64{"duration_seconds": 8, "prompts": 1, "records": 2} {
		if got := num(t, end, k); got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if end.data["start_timestamp"] != "2026-03-14T09:26:54.589793+00:00" || !end.Timestamp.Equal(t0.Add(9*time.Second)) {
		t.Errorf("start %v end %v", end.data["start_timestamp"], end.Timestamp)
	}
}

// TestArrivalOrderDoesNotChangeTheSpan: the same records in two orders
// give the same start and duration.
func TestArrivalOrderDoesNotChangeTheSpan(t *testing.T) {
	mk := func() []*Entry {
		logs := []*Entry{rec("token_usage", "s1", 5*time.Second), rec("", "s1", 6*time.Second)}
		metric := rec("", "s1", 8*time.Second)
		metric.Start = t0.Add(time.Second)
		return append(logs, metric)
	}
	var got []string
	for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}} {
		tr := newTracker(newClock(), 100)
		es := mk()
		for _, i := range order {
			commit(t, tr, es[i])
		}
		end := endOf(t, tr, "s1")
		got = append(got, str(end.data["start_timestamp"])+" "+str(end.data["duration_seconds"]))
	}
	if got[0] != got[1] {
		t.Errorf("logs first: %s; metrics first: %s", got[0], got[1])
	}
}

func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	}
	return "?"
}

// TestTotalsByKind: token kinds, tool failures, prompts, and the model of
// the model calls (not of other records).
func TestTotalsByKind(t *testing.T) {
	tr := newTracker(newClock(), 100)
	a := rec("token_usage", "s1", 0)
	a.Model, a.InputTokens, a.OutputTokens, a.CacheReadTokens, a.CacheCreationTokens, a.ReasoningTokens = "main", 1000, 50, 300, 40, 7
	b := rec("token_usage", "s1", time.Second)
	b.Model, b.InputTokens, b.OutputTokens, b.CacheReadTokens = "router", 11, 3, 0
	c := rec("token_usage", "s1", 2*time.Second)
	c.Model, c.InputTokens, c.OutputTokens = "main", 2000, 100
	failed := rec("tool_use", "s1", 3*time.Second)
	failed.Failed = true
	other := rec("tool_use", "s1", 4*time.Second)
	other.Model = "config-auto"
	start := one(t, checkLines(t, commit(t, tr, a, b, c, failed, other, rec("tool_use", "s1", 5*time.Second))), "session_start", "s1")
	if start.data["model"] != "main" {
		t.Errorf("session_start model %v, want the first model call's", start.data["model"])
	}
	end := endOf(t, tr, "s1")
	want := map[string]float64{"input_tokens": 3011, "output_tokens": 153, "cache_read_tokens": 300,
		"cache_creation_tokens": 40, "reasoning_tokens": 7, "token_count": 3164, "tool_uses": 3, "tool_failures": 1}
	for k, w := range want {
		if got := num(t, end, k); got != w {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
	if end.data["model"] != "main" {
		t.Errorf("session_end model %v, want the last model call's", end.data["model"])
	}
	if v, ok := end.data["cost_usd"]; !ok || v != nil {
		t.Errorf("cost_usd = %#v, want null when no record had a cost", v)
	}
}

// TestCostIsExactToTheMicroDollar: sums that float64 addition gets wrong
// (0.00708 + 0.00708 is 0.014159999999999999) are written as the decimal
// sum.
func TestCostIsExactToTheMicroDollar(t *testing.T) {
	tr := newTracker(newClock(), 100)
	var es []*Entry
	for i, c := range []float64{0.00708, 0.00708, 0.0019500000000000001, 0} {
		e := rec("token_usage", "s1", time.Duration(i)*time.Second)
		e.CostUSD, e.HasCost = c, true
		es = append(es, e)
	}
	commit(t, tr, es...)
	end := endOf(t, tr, "s1")
	if got := end.data["cost_usd"]; str(got) != "0.01611" {
		t.Errorf("cost_usd = %v, want 0.01611", got)
	}
	tr = newTracker(newClock(), 100)
	zero := rec("token_usage", "s2", 0)
	zero.HasCost = true
	commit(t, tr, zero)
	if got := endOf(t, tr, "s2").data["cost_usd"]; str(got) != "0.0" {
		t.Errorf("cost_usd of a free call = %v, want 0.0 (a cost was reported)", got)
	}
}

// TestSnapshotV1IsRead: a snapshot written before the token kinds were
// kept still resumes its spans.
func TestSnapshotV1IsRead(t *testing.T) {
	b := []byte(snapshotMagicV1)
	for _, s := range []string{"s1", "u1", "m1", "/p"} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, v := range []int64{10, 20, 30, 100, 50} { // first, last, seen, input, output
		b = binary.AppendVarint(b, v)
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(0.25))
	for _, v := range []uint64{3, 2, 1} { // records, tools, errors
		b = binary.AppendUvarint(b, v)
	}
	b = append(b, 1)
	spans, err := decodeSnapshot(b)
	if err != nil || len(spans) != 1 {
		t.Fatalf("decode: %v, %d spans", err, len(spans))
	}
	s := spans[0]
	if s.id != "s1" || s.tok[tokInput] != 100 || s.tok[tokOutput] != 50 || s.costNano != 250_000_000 || !s.hasCost ||
		s.records != 3 || s.tools != 2 || s.errors != 1 || !s.explicitStart || s.first != 10 || s.last != 20 {
		t.Errorf("decoded %+v", s)
	}
	if _, err := decodeSnapshot(append(b[:len(b)-1], 7)); err == nil {
		t.Error("bad flags accepted")
	}
}
