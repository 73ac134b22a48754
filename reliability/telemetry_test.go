//go:build reliability

package reliability

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sample is one Prometheus text-format sample.
type sample struct {
	name   string
	labels string // the raw {...} part, "" when none
	value  float64
}

// scrape reads the Collector's internal telemetry (Prometheus text format).
func scrape(t testing.TB, c *collector) []sample {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.ports.metrics+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	// No keep-alive: the scrape leaves no idle connection goroutine behind (goleak).
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("scrape %s: %v", c.ports.metrics, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: %s", c.ports.metrics, resp.Status)
	}
	var out []sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err != nil {
			continue
		}
		head := line[:sp]
		s := sample{name: head, value: v}
		if i := strings.IndexByte(head, '{'); i >= 0 {
			s.name, s.labels = head[:i], head[i:]
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return out
}

// sum adds the samples named name (or name + "_total") whose labels
// contain every one of want (each like `reason="unmatched"`).
func sum(samples []sample, name string, want ...string) float64 {
	var total float64
	for _, s := range samples {
		if s.name != name && s.name != name+"_total" {
			continue
		}
		ok := true
		for _, w := range want {
			if !strings.Contains(s.labels, w) {
				ok = false
				break
			}
		}
		if ok {
			total += s.value
		}
	}
	return total
}

// has reports whether a metric of that name (or name_total) was exported.
func has(samples []sample, name string) bool {
	for _, s := range samples {
		if s.name == name || s.name == name+"_total" {
			return true
		}
	}
	return false
}

// describe lists the samples of the analytics exporter, for failure messages.
func describe(samples []sample) string {
	var b strings.Builder
	for _, s := range samples {
		if strings.Contains(s.name, "analytics") {
			fmt.Fprintf(&b, "%s%s %v\n", s.name, s.labels, s.value)
		}
	}
	return b.String()
}
