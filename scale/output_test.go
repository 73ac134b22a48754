//go:build scale

package scale

import (
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// entry is one line read back from an output directory.
type entry struct {
	id, typ, session string
	noSession        bool // session_id is null
	synthesized      bool // a line the session tracker made
	// signal is metadata.signal (log, metric, span, session), service the
	// resource's service.name.
	signal, service string
	// joins are the call ids the exporter joins a log event and a span by,
	// as "key=value" (data.request_id, tool_use_id, call_id).
	joins []string
	// key is the whole entry but its random id: two runs of the same
	// replay write the same keys.
	key string
}

// lifecycle tells whether the entry is a session_start or session_end of a
// session: the tracker decides those per process (synthesized, or an
// explicit one kept or cut as a duplicate), so they are counted per
// session instead of compared line by line.
func (e entry) lifecycle() bool {
	return !e.noSession && (e.typ == "session_start" || e.typ == "session_end")
}

// joinKeys are the data fields by which the exporter joins a call reported
// both as a log event and as a span (docs/traces.md, "One call, one
// entry"): Claude Code's request_id and tool_use_id, Codex's call_id.
var joinKeys = []string{"request_id", "tool_use_id", "call_id"}

// readDir returns every entry of an output directory; a line that fails
// the entry contract fails the test.
func readDir(t testing.TB, dir string) []entry {
	t.Helper()
	r, err := jsonl.NewReader(dir, jsonl.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []entry
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		e, err := schema.CheckLine(line)
		if err != nil {
			t.Fatalf("%s: bad line %.200q: %v", dir, line, err)
		}
		md, err := e.MetadataMap()
		if err != nil {
			t.Fatalf("%s: metadata: %v", dir, err)
		}
		synth, _ := md["synthesized"].(bool)
		signal, _ := md["signal"].(string)
		res, _ := md["resource"].(map[string]any)
		service, _ := res["service.name"].(string)
		data, err := e.DataMap()
		if err != nil {
			t.Fatalf("%s: data: %v", dir, err)
		}
		var joins []string
		for _, k := range joinKeys {
			if v, ok := data[k].(string); ok && v != "" {
				joins = append(joins, k+"="+v)
			}
		}
		out = append(out, entry{
			id: e.ID, typ: e.Type, session: e.SessionID, noSession: e.SessionIDNull, synthesized: synth,
			signal: signal, service: service, joins: joins,
			key: strings.Join([]string{e.Type, e.SessionID, e.UserID, e.Timestamp.Format(time.RFC3339Nano), string(e.Data), string(e.Metadata)}, "\x00"),
		})
	}
}

// multiset counts the keys of the entries that are not lifecycle lines.
func multiset(entries ...[]entry) map[string]int {
	m := map[string]int{}
	for _, es := range entries {
		for _, e := range es {
			if !e.lifecycle() {
				m[e.key]++
			}
		}
	}
	return m
}

// covers reports whether got holds every key of want at least as often.
func covers(got, want map[string]int) bool {
	for k, n := range want {
		if got[k] < n {
			return false
		}
	}
	return true
}

// counts are the lifecycle lines of one session in some set of entries.
type counts struct {
	starts, ends, synthEnds, explicitEnds, lines int
}

// perSession tallies the entries of each session id (null ids left out).
func perSession(entries []entry) map[string]*counts {
	m := map[string]*counts{}
	for _, e := range entries {
		if e.noSession {
			continue
		}
		c := m[e.session]
		if c == nil {
			c = &counts{}
			m[e.session] = c
		}
		c.lines++
		switch e.typ {
		case "session_start":
			c.starts++
		case "session_end":
			c.ends++
			if e.synthesized {
				c.synthEnds++
			} else {
				c.explicitEnds++
			}
		}
	}
	return m
}

// output is the entries of the backend directories of one run.
type output struct {
	dirs    []string
	entries [][]entry // per directory
}

func readOutput(t testing.TB, dirs []string) *output {
	t.Helper()
	o := &output{dirs: dirs}
	for _, d := range dirs {
		o.entries = append(o.entries, readDir(t, d))
	}
	return o
}

// checkRouting asserts that every session id has all its entries in one
// directory, that the entries without a session id are all in one
// directory too (they share one routing key), that the output holds the
// replayed sessions and no other, and that no directory holds more than 1.5
// times its fair share of the sessions. want[i] are the fresh session ids
// of replayed session i (usually one; none for a capture without any). It
// returns the number of sessions per directory.
func (o *output) checkRouting(t *testing.T, want [][]string) []int {
	t.Helper()
	where := map[string]int{}
	split := map[string]bool{}
	noSession := map[int]int{}
	for i, es := range o.entries {
		for _, e := range es {
			if e.noSession {
				noSession[i]++
				continue
			}
			if d, ok := where[e.session]; ok && d != i {
				if !split[e.session] && len(split) < 5 {
					t.Logf("session %s has entries in %s and %s", e.session, o.dirs[d], o.dirs[i])
				}
				split[e.session] = true
			}
			where[e.session] = i
		}
	}
	if len(split) > 0 {
		t.Errorf("%d sessions have entries in more than one directory", len(split))
	}
	if len(noSession) > 1 {
		t.Errorf("entries without a session id are in %d directories, want one: %v", len(noSession), noSession)
	}
	known := map[string]bool{}
	for _, ids := range want {
		for _, id := range ids {
			known[id] = true
		}
	}
	for id := range where {
		if !known[id] {
			t.Errorf("session %s in the output was not replayed", id)
		}
	}
	perDir := make([]int, len(o.dirs))
	absent, sessions := 0, 0
	for _, ids := range want {
		if len(ids) == 0 {
			continue
		}
		sessions++
		found := slices.IndexFunc(ids, func(id string) bool { _, ok := where[id]; return ok })
		if found < 0 {
			if absent++; absent <= 5 {
				t.Logf("session %v: no entry in any directory", ids)
			}
			continue
		}
		perDir[where[ids[found]]]++
	}
	if absent > 0 {
		t.Errorf("%d sessions of the replay have no entry in any directory", absent)
	}
	fair := float64(sessions) / float64(len(o.dirs))
	for i, n := range perDir {
		if float64(n) > 1.5*fair {
			t.Errorf("%s: %d sessions, more than 1.5 x the fair share %.1f", o.dirs[i], n, fair)
		}
	}
	return perDir
}

// checkOneSpan asserts exactly one session_start and one session_end for
// every session of the entries.
func checkOneSpan(t *testing.T, where string, entries []entry) {
	t.Helper()
	sessions := perSession(entries)
	for _, id := range slices.Sorted(maps.Keys(sessions)) {
		c := sessions[id]
		if c.starts != 1 || c.ends != 1 {
			t.Errorf("%s: session %s has %d session_start and %d session_end, want 1 and 1", where, id, c.starts, c.ends)
		}
	}
}
