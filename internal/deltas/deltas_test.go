package deltas

import (
	"slices"
	"testing"
)

func sum(start, time uint64, v int64) *Point {
	return &Point{Kind: Sum, Start: start, Time: time, IsInt: true, Int: v}
}

func hist(start, time, count uint64, s float64, buckets ...uint64) *Point {
	return &Point{Kind: Histogram, Start: start, Time: time, Count: count, SumV: s, Buckets: buckets}
}

// run takes one batch of points of one stream and commits it.
func run(t *Table, key Key, ps ...*Point) []Delta {
	b := t.Begin()
	var out []Delta
	for _, p := range ps {
		d := b.Delta(key, p)
		d.Buckets = slices.Clone(d.Buckets)
		out = append(out, d)
	}
	b.Commit()
	return out
}

func TestSumIncrements(t *testing.T) {
	tb := New(0)
	k := Key{1, 2}
	cases := []struct {
		name string
		p    *Point
		want Delta
	}{
		{"first point is whole", sum(100, 110, 5), Delta{First: true, IsInt: true, Int: 5, Start: 100}},
		{"increment", sum(100, 120, 8), Delta{IsInt: true, Int: 3, Start: 110}},
		{"unchanged writes nothing", sum(100, 130, 8), Delta{Skip: true}},
		{"re-sent point writes nothing", sum(100, 130, 8), Delta{Skip: true}},
		{"older point writes nothing", sum(100, 125, 7), Delta{Skip: true}},
		{"after unchanged, from the last point", sum(100, 140, 10), Delta{IsInt: true, Int: 2, Start: 130}},
		{"a decrease is a reset", sum(100, 150, 4), Delta{Reset: true, IsInt: true, Int: 4, Start: 100}},
		{"a new start time is a reset", sum(145, 160, 9), Delta{Reset: true, IsInt: true, Int: 9, Start: 145}},
	}
	for _, c := range cases {
		got := run(tb, k, c.p)[0]
		if got.Skip != c.want.Skip || (!got.Skip && !sameSum(got, c.want)) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
	if st := tb.Stats(); st.Unchanged != 3 || st.Resets != 2 || st.Streams != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestHistogramIncrements(t *testing.T) {
	tb := New(0)
	k := Key{3, 4}
	d := run(tb, k, hist(1, 10, 2, 3.5, 1, 1, 0), hist(1, 20, 5, 10, 1, 3, 1), hist(1, 30, 5, 10, 1, 3, 1))
	if !d[0].First || d[0].Count != 2 || d[0].SumV != 3.5 {
		t.Errorf("first %+v", d[0])
	}
	if d[1].Count != 3 || d[1].SumV != 6.5 || !slices.Equal(d[1].Buckets, []uint64{0, 2, 1}) || d[1].Start != 10 {
		t.Errorf("increment %+v", d[1])
	}
	if !d[2].Skip {
		t.Errorf("unchanged %+v", d[2])
	}
	// A bucket that went down, or a new layout, starts over.
	d = run(tb, k, hist(1, 40, 6, 11, 0, 5, 1))
	if !d[0].Reset || d[0].Count != 6 {
		t.Errorf("bucket decrease %+v", d[0])
	}
	p := hist(1, 50, 7, 12, 0, 5, 2)
	p.Layout = 9
	if d = run(tb, k, p); !d[0].Reset {
		t.Errorf("layout change %+v", d[0])
	}
}

// TestAbortKeepsState: a batch that was not written leaves the state as it
// was, so its retry computes the same increments.
func TestAbortKeepsState(t *testing.T) {
	tb := New(0)
	k := Key{5, 6}
	run(tb, k, sum(1, 10, 10))
	b := tb.Begin()
	if d := b.Delta(k, sum(1, 20, 15)); d.Int != 5 {
		t.Fatalf("delta %+v", d)
	}
	b.Abort()
	if d := run(tb, k, sum(1, 20, 15))[0]; d.Int != 5 {
		t.Fatalf("retry delta %+v, want 5", d)
	}
}

// TestTwoPointsOfOneStreamInABatch: the second counts from the first.
func TestTwoPointsOfOneStreamInABatch(t *testing.T) {
	tb := New(0)
	k := Key{7, 8}
	d := run(tb, k, sum(1, 10, 4), sum(1, 20, 6))
	if d[0].Int != 4 || d[1].Int != 2 {
		t.Fatalf("got %+v", d)
	}
	if d := run(tb, k, sum(1, 30, 9))[0]; d.Int != 3 {
		t.Fatalf("after commit %+v", d)
	}
}

// TestBound: the least recently written stream is forgotten first; its
// next point counts whole again.
func TestBound(t *testing.T) {
	tb := New(2)
	for i := range uint64(3) {
		run(tb, Key{i, i}, sum(1, 10, 5))
	}
	st := tb.Stats()
	if st.Streams != 2 || st.Evicted != 1 {
		t.Fatalf("stats %+v", st)
	}
	if d := run(tb, Key{0, 0}, sum(1, 20, 7))[0]; !d.First || d.Int != 7 {
		t.Errorf("evicted stream: %+v", d)
	}
	if d := run(tb, Key{2, 2}, sum(1, 20, 7))[0]; d.First || d.Int != 2 {
		t.Errorf("kept stream: %+v", d)
	}
}

func TestHashKeys(t *testing.T) {
	h := NewHash()
	key := func(parts ...string) Key {
		h.Reset()
		for _, p := range parts {
			h.String(p)
		}
		return h.Key()
	}
	if key("ab", "c") == key("a", "bc") {
		t.Error("parts are not delimited")
	}
	if k1, k2 := key("a", "b"), key("a", "b"); k1 != k2 {
		t.Error("the same parts give different keys")
	}
}

func sameSum(a, b Delta) bool {
	return a.First == b.First && a.Reset == b.Reset && a.IsInt == b.IsInt && a.Int == b.Int && a.Float == b.Float && a.Start == b.Start
}
