package encode

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const pyLayout = `"2006-01-02T15:04:05.000000+00:00"`

func TestTimestampExact(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"epoch", time.Unix(0, 0), `"1970-01-01T00:00:00.000000+00:00"`},
		{"before epoch", time.Unix(-1, 0), `"1969-12-31T23:59:59.000000+00:00"`},
		{"micros truncated", time.Date(2026, 11, 26, 21, 50, 7, 123456999, time.UTC), `"2026-11-26T21:50:07.123456+00:00"`},
		{"other zone to UTC", time.Date(2026, 1, 1, 3, 0, 0, 0, ist), `"2025-12-31T21:30:00.000000+00:00"`},
		{"leap day 2024", time.Date(2024, 2, 29, 12, 0, 0, 1000, time.UTC), `"2024-02-29T12:00:00.000001+00:00"`},
		{"leap day 2000", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), `"2000-02-29T00:00:00.000000+00:00"`},
		{"no leap 1900", time.Date(1900, 2, 28, 23, 59, 59, 0, time.UTC).Add(time.Second), `"1900-03-01T00:00:00.000000+00:00"`},
		{"first day", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), `"0001-01-01T00:00:00.000000+00:00"`},
		{"zero time", time.Time{}, `"0001-01-01T00:00:00.000000+00:00"`},
		{"last microsecond", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), `"9999-12-31T23:59:59.999999+00:00"`},
		{"year 0 clamped", time.Date(0, 6, 1, 0, 0, 0, 5000, time.UTC), `"0001-01-01T00:00:00.000000+00:00"`},
		{"negative year clamped", time.Date(-300, 1, 1, 0, 0, 0, 0, time.UTC), `"0001-01-01T00:00:00.000000+00:00"`},
		{"year 10000 clamped", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `"9999-12-31T23:59:59.999999+00:00"`},
		{"far future clamped", time.Unix(1<<62, 0), `"9999-12-31T23:59:59.999999+00:00"`},
		{"pdata max", time.Unix(0, 1<<63-1), `"2262-04-11T23:47:16.854775+00:00"`},
	}
	for _, tt := range tests {
		if got := string(Timestamp(nil, tt.in)); got != tt.want {
			t.Errorf("%s: Timestamp = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestTimestampMatchesTimeFormat compares with the standard library over
// every day of 1900–2200 and random instants of the whole range.
func TestTimestampMatchesTimeFormat(t *testing.T) {
	check := func(ts time.Time) {
		want := ts.UTC().Format(pyLayout)
		if got := Timestamp(nil, ts); string(got) != want {
			t.Fatalf("Timestamp(%v) = %s, want %s", ts, got, want)
		}
	}
	day := time.Date(1900, 1, 1, 23, 59, 59, 999999000, time.UTC)
	for day.Year() < 2200 {
		check(day)
		day = day.AddDate(0, 0, 1)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		check(time.Unix(minUnix+r.Int64N(maxUnix-minUnix), r.Int64N(1e9)))
	}
}

// TestTimestampPythonAccepts runs Python's datetime.fromisoformat over
// extreme and random outputs: the seed engine parses timestamps with it.
func TestTimestampPythonAccepts(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: Python acceptance of timestamps not checked")
	}
	var lines bytes.Buffer
	add := func(ts time.Time) {
		lines.Write(Timestamp(nil, ts))
		lines.WriteByte('\n')
	}
	for _, ts := range []time.Time{{}, time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 1, 2, 3, 4000, time.UTC)} {
		add(ts)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 5000; i++ {
		add(time.Unix(minUnix+r.Int64N(maxUnix-minUnix), r.Int64N(1e9)))
	}
	file := filepath.Join(t.TempDir(), "ts.txt")
	if err := os.WriteFile(file, lines.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys, datetime
n = 0
for raw in open(sys.argv[1]):
    s = json.loads(raw)
    dt = datetime.datetime.fromisoformat(s)
    assert dt.utcoffset() == datetime.timedelta(0), s
    assert dt.isoformat(timespec="microseconds") == s, (s, dt.isoformat())
    n += 1
print(n)
`
	out, err := exec.Command(py, "-c", script, file).CombinedOutput()
	if err != nil {
		t.Fatalf("python rejected a timestamp: %v\n%s", err, out)
	}
	if got := string(bytes.TrimSpace(out)); got != "5004" {
		t.Fatalf("python checked %s timestamps, want 5004", got)
	}
}

// TestTimeCacheMatchesTimestamp runs one TimeCache over times that repeat a
// second, go back and forth, cross midnight and hit both clamps: every
// output must equal Timestamp's (a stale cached second would show).
func TestTimeCacheMatchesTimestamp(t *testing.T) {
	base := time.Date(2026, 11, 26, 23, 59, 58, 999999000, time.UTC)
	times := []time.Time{
		base, base, base.Add(time.Microsecond), base.Add(time.Second), base.Add(time.Second),
		base.Add(2 * time.Second), base, base.Add(-time.Hour * 24 * 365),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(minUnix, 0).UTC(),
		time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(maxUnix-1, 999999000).UTC(), base,
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		times = append(times, base.Add(time.Duration(r.Int64N(4e9))-2e9))
	}
	var c TimeCache
	for _, ts := range times {
		want := string(Timestamp(nil, ts))
		if got := string(c.Append([]byte("x"), ts)); got != "x"+want {
			t.Fatalf("TimeCache.Append(%v) = %s, want x%s", ts, got, want)
		}
	}
}
