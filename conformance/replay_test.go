package conformance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter"
	"github.com/analyticsexporter/analyticsexporter/internal/capturetest"
	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

// order says in which order a replay feeds the stored requests.
type order int

const (
	asSent       order = iota // arrival order
	logsFirst                 // every logs request, then the rest, each in arrival order
	metricsFirst              // every metrics request, then the rest
	noTraces                  // arrival order without the traces requests
)

// replay feeds the requests stored in dir, in order o, through one
// analytics exporter (default configuration but for the directory and plain
// files, changed by edit if not nil), shuts it down and returns its
// entries.
func replay(t *testing.T, dir string, o order, edit func(*analyticsexporter.Config)) []map[string]any {
	t.Helper()
	reqs := loadRequests(t, dir)
	out := t.TempDir()
	capturetest.Replay(t, reorder(reqs, o), out, edit)
	return sinktest.ReadMaps(t, out)
}

func reorder(reqs []otlpcapture.Request, o order) []otlpcapture.Request {
	if o == noTraces {
		var out []otlpcapture.Request
		for _, r := range reqs {
			if r.Signal != "traces" {
				out = append(out, r)
			}
		}
		return out
	}
	first := map[order]string{logsFirst: "logs", metricsFirst: "metrics"}[o]
	if first == "" {
		return reqs
	}
	var a, b []otlpcapture.Request
	for _, r := range reqs {
		if r.Signal == first {
			a = append(a, r)
		} else {
			b = append(b, r)
		}
	}
	return append(a, b...)
}

// TestReplay replays every stored capture and checks the scenario's
// expectations on the entries.
func TestReplay(t *testing.T) {
	caps := loadCaptures(t)
	if len(caps) == 0 {
		t.Fatalf("no captures under %s", capturesDir)
	}
	for _, c := range caps {
		t.Run(c.name(), func(t *testing.T) {
			spec := specFor(t, c.info.Agent)
			entries := replay(t, c.otlpDir(), asSent, nil)
			check(t, spec, c, entries)
		})
	}
}

// TestArrivalOrderChangesNothing replays every capture three ways, as sent,
// all logs first and all metrics first: the session_end, and the entries
// of each type, are the same whichever signal reaches the exporter first.
func TestArrivalOrderChangesNothing(t *testing.T) {
	for _, c := range loadCaptures(t) {
		spec := specFor(t, c.info.Agent)
		if !spec.runs(c.info.Scenario) {
			continue
		}
		t.Run(c.name(), func(t *testing.T) {
			var ref string
			for _, o := range []order{asSent, logsFirst, metricsFirst} {
				got := summary(replay(t, c.otlpDir(), o, nil))
				if o == asSent {
					ref = got
				} else if got != ref {
					t.Errorf("order %d gives\n%s\nas sent:\n%s", o, got, ref)
				}
			}
		})
	}
}

// summary is what must not depend on the arrival order: the session_end's
// data and the number of entries of each type.
func summary(entries []map[string]any) string {
	var b strings.Builder
	for _, e := range ofType(entries, "session_end") {
		d, _ := json.Marshal(e["data"])
		b.Write(d)
		b.WriteByte('\n')
	}
	counts, _ := json.Marshal(typeCounts(entries))
	b.Write(counts)
	return b.String()
}
