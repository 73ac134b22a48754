//go:build scale

package scale

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/replay"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// Environment of the scale test (make scale, make scale-short).
const (
	// capturesEnv is the capture root replayed; default testdata/agents,
	// the real agents' captures.
	capturesEnv = "SCALE_CAPTURES"
	// outEnv keeps the run's directories there instead of a temporary one.
	outEnv = "SCALE_OUT"
	// sessionsEnv overrides the number of sessions.
	sessionsEnv = "SCALE_SESSIONS"
)

// shape is the size and pace of a run.
type shape struct {
	sessions int
	spread   time.Duration // sessions are launched evenly over this time
	gap      time.Duration // pause between two requests of one session
	killAt   float64       // fraction of the requests acknowledged when one backend is killed
	restart  float64       // fraction acknowledged when it is started again
}

func runShape(t *testing.T) shape {
	s := shape{sessions: 4800, spread: 15 * time.Second, gap: 300 * time.Millisecond, killAt: 0.35, restart: 0.55}
	if testing.Short() {
		s = shape{sessions: 480, spread: 3 * time.Second, gap: 250 * time.Millisecond, killAt: 0.35, restart: 0.55}
	}
	if v := os.Getenv(sessionsEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive integer", sessionsEnv, v)
		}
		s.sessions = n
	}
	return s
}

// outDir is $SCALE_OUT/name (emptied first) or a temporary directory.
func outDir(t *testing.T, name string) string {
	base := os.Getenv(outEnv)
	if base == "" {
		return t.TempDir()
	}
	dir := filepath.Join(base, name)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run replays the plan against endpoint and fails the test unless every
// request of every session was acknowledged in full. mid, when set, runs
// alongside with the runner (to act at some point of the replay).
func run(t *testing.T, plan *replay.Plan, endpoint string, mid func(*replay.Runner, <-chan struct{})) (time.Duration, int) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: len(plan.Sessions)}}
	defer client.CloseIdleConnections()
	r := &replay.Runner{Sender: &replay.Sender{Client: client, Endpoint: "http://" + endpoint}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	done := make(chan struct{})
	var outcomes []replay.Outcome
	begin := time.Now()
	go func() {
		defer close(done)
		outcomes = r.Run(ctx, plan)
	}()
	if mid != nil {
		mid(r, done)
	}
	<-done
	took := time.Since(begin)
	attempts, items := 0, 0
	for i, o := range outcomes {
		s := plan.Sessions[i]
		if o.Err != nil || o.Acked != len(s.Capture.Requests) || o.Rejected != 0 {
			t.Fatalf("session %d (%s, %s): %d of %d requests acknowledged, %d rejected: %v",
				i, s.Capture.Name, s.SessionID(), o.Acked, len(s.Capture.Requests), o.Rejected, o.Err)
		}
		attempts += o.Attempts
		items += o.Items
	}
	t.Logf("FIGURE replay: %d sessions (at most %d at once), %d requests (%d attempts), %d records, data points and spans acknowledged in %v",
		len(plan.Sessions), r.MaxActive.Load(), plan.Requests(), attempts, items, took.Round(time.Millisecond))
	return took, items
}

// perItem is CPU time per record, data point or span, in microseconds.
func perItem(cpu time.Duration, items int) float64 {
	return float64(cpu.Microseconds()) / float64(max(items, 1))
}

// waitDelivered polls the directories until they hold every reference
// entry (the gateway acknowledges on enqueue, so the senders finishing does
// not mean the backends have it all), and fails after timeout.
func waitDelivered(t *testing.T, dirs []string, ref map[string]int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		o := readOutput(t, dirs)
		got := multiset(o.entries...)
		if covers(got, ref) {
			return
		}
		if time.Now().After(deadline) {
			missing := 0
			for k, n := range ref {
				missing += max(n-got[k], 0)
			}
			t.Fatalf("%d acknowledged entries still missing from the backends after %v", missing, timeout)
		}
		time.Sleep(250 * time.Millisecond) // polling other processes' files: no event to wait on
	}
}

// TestScale replays hundreds of concurrent agent sessions (one capture
// each, fresh ids and timestamps) three ways: into one otelcol-analytics
// (the reference), through otelcol-gateway into three backends, and the
// same again with one backend killed by SIGKILL and restarted mid-run.
func TestScale(t *testing.T) {
	analytics := testbinary.Path(t)
	gatewayBin := testbinary.Lookup(t, "OTELCOL_GATEWAY_BINARY", "_build/gateway/otelcol-gateway", "gateway")
	root := os.Getenv(capturesEnv)
	if root == "" {
		root = filepath.Join(testbinary.RepoRoot(t), "testdata", "agents")
	}
	caps, err := replay.Load(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	caps = dropUnroutedTraces(t, caps)
	sh := runShape(t)
	plan := replay.NewPlan(caps, sh.sessions, time.Now().Truncate(time.Millisecond), sh.spread, sh.gap, 1)
	ids := make([][]string, len(plan.Sessions))
	for i, s := range plan.Sessions {
		ids[i] = s.SessionIDs()
	}
	t.Logf("captures %s: %d, %d sessions over %v, %v between requests", root, len(caps), sh.sessions, sh.spread, sh.gap)

	// The reference: the same replay into one otelcol-analytics. Its
	// entries are what the exporter's mapping makes of everything sent. It
	// runs outside the subtests, so -run TestScale/kill still has it.
	ref := reference(t, analytics, plan, ids)

	t.Run("gateway", func(t *testing.T) {
		bs, g, dirs := topology(t, analytics, gatewayBin, outDir(t, "gateway"))
		took, items := run(t, plan, g.http, nil)
		waitDelivered(t, dirs, ref, time.Minute)
		gcpu, grss := g.p.busy(), g.p.peakRSS()
		var bcpu time.Duration
		for _, b := range bs {
			bcpu += b.p.busy()
		}
		g.p.stop()
		for _, b := range bs {
			b.p.stop()
		}
		t.Logf("FIGURE gateway CPU: %.1f µs per record, data point or span; the three backends together %.1f µs; gateway peak RSS %.0f MiB",
			perItem(gcpu, items), perItem(bcpu, items), grss)
		o := readOutput(t, dirs)
		perDir := o.checkRouting(t, ids)
		for i, es := range o.entries {
			checkOneSpan(t, bs[i].name, es)
		}
		if got := multiset(o.entries...); !maps.Equal(got, ref) {
			reportDiff(t, got, ref)
		}
		t.Logf("FIGURE gateway: sessions per backend %v (fair share %d), %d entries in %v",
			perDir, sh.sessions/len(bs), total(ref), took.Round(time.Millisecond))
	})

	t.Run("kill", func(t *testing.T) {
		bs, g, dirs := topology(t, analytics, gatewayBin, outDir(t, "kill"))
		victim := bs[1]
		var snapshot map[string]bool // entry ids the killed process wrote
		killAt, restartAt := int64(sh.killAt*float64(plan.Requests())), int64(sh.restart*float64(plan.Requests()))
		_, _ = run(t, plan, g.http, func(r *replay.Runner, done <-chan struct{}) {
			select {
			case <-r.At(killAt):
			case <-done:
				t.Fatal("the replay ended before the kill point")
			}
			victim.p.kill()
			snapshot = map[string]bool{}
			for _, e := range readDir(t, victim.dir) {
				snapshot[e.id] = true
			}
			select {
			case <-r.At(restartAt):
			case <-done:
			}
			victim.restart(t)
		})
		waitDelivered(t, dirs, ref, 2*time.Minute)
		grss := g.p.peakRSS()
		g.p.stop()
		for _, b := range bs {
			b.p.stop()
		}
		o := readOutput(t, dirs)
		perDir := o.checkRouting(t, ids)
		for i, es := range o.entries {
			if bs[i] != victim {
				checkOneSpan(t, bs[i].name, es)
			}
		}
		vi := slices.Index(bs, victim)
		dups := checkKilled(t, o.entries[vi], snapshot)
		checkNoLoss(t, o, ref, vi, snapshot)
		t.Logf("FIGURE kill: sessions per backend %v; killed %s after %d of %d requests, restarted after %d; %s; gateway peak RSS %.0f MiB",
			perDir, victim.name, killAt, plan.Requests(), restartAt, dups, grss)
	})
}

// untracedSenders are the senders whose traces the gateway cannot route by
// session, by the prefix of their captures' names, and why. Their captures
// are replayed without their traces (in the reference run too, so that the
// runs compare): behind the gateway these senders must not export traces
// (docs/scaling.md).
var untracedSenders = map[string]string{
	"codex-": "most of Codex's spans carry no session attribute, or thread.id as an OS thread number, " +
		"and the load-balancing exporter keys each trace's part of a request by its first span: " +
		"its tool and turn spans would land on another backend than its log events",
}

// dropUnroutedTraces returns caps with the captures of untracedSenders
// without their traces, saying so.
func dropUnroutedTraces(t *testing.T, caps []*replay.Capture) []*replay.Capture {
	t.Helper()
	out := make([]*replay.Capture, 0, len(caps))
	dropped := map[string]int{}
	for _, c := range caps {
		for prefix := range untracedSenders {
			if strings.HasPrefix(c.Name, prefix) {
				name := c.Name
				if c = c.Without(replay.Traces); c == nil {
					t.Fatalf("%s: nothing left to replay without its traces", name)
				}
				dropped[prefix]++
			}
		}
		out = append(out, c)
	}
	for _, prefix := range slices.Sorted(maps.Keys(untracedSenders)) {
		if dropped[prefix] > 0 {
			t.Logf("%d captures %s* replayed without their traces: %s", dropped[prefix], prefix, untracedSenders[prefix])
		}
	}
	return out
}

// reference replays the plan into one otelcol-analytics and returns the
// multiset of its entries besides the session lifecycle lines.
func reference(t *testing.T, analytics string, plan *replay.Plan, ids [][]string) map[string]int {
	t.Helper()
	dir := outDir(t, "reference")
	b := newBackend(t, analytics, dir, "reference", testproc.FreeAddr(t), true)
	took, items := run(t, plan, b.http, nil)
	cpu := b.p.busy()
	b.p.stop()
	t.Logf("FIGURE reference CPU: %v for %d records, data points and spans in %d OTLP/HTTP requests = %.1f µs each (%.0f%% of one core over %v)",
		cpu, items, plan.Requests(), perItem(cpu, items), 100*cpu.Seconds()/took.Seconds(), took.Round(time.Millisecond))
	o := readOutput(t, []string{b.dir})
	o.checkRouting(t, ids)
	checkOneSpan(t, b.name, o.entries[0])
	if t.Failed() {
		t.FailNow()
	}
	ref := multiset(o.entries...)
	t.Logf("FIGURE reference: %d entries besides session_start/session_end", total(ref))
	return ref
}

// topology starts three backends (own directories) and the gateway in
// front of them.
func topology(t *testing.T, analytics, gatewayBin, dir string) ([]*backend, *gateway, []string) {
	t.Helper()
	var bs []*backend
	var dirs []string
	for i, addr := range backendEndpoints(t) {
		b := newBackend(t, analytics, dir, "backend-"+strconv.Itoa(i+1), addr, false)
		bs = append(bs, b)
		dirs = append(dirs, b.dir)
	}
	return bs, newGateway(t, gatewayBin, dir, bs), dirs
}

// checkKilled asserts what happens to the sessions of the backend that was
// killed and restarted. Its entries split in two: those the killed process
// wrote (their ids are in the snapshot read right after the kill) and
// those of the restarted process. Without sessions::storage the restarted
// process knows nothing of the sessions the killed one had open, so:
//
//   - the killed process wrote one session_start for each of its sessions
//     and no synthesized session_end (its spans were never ended; only an
//     explicit session_end the agent sent may be there);
//   - the restarted process wrote, for each session it got records of, one
//     session_start of its own (none if the first thing it saw was the
//     session's explicit end) and one session_end (at its SIGTERM, or the
//     explicit one);
//   - so a session with records on both sides of the restart has two
//     session_starts, and a session that only the killed process saw has
//     no session_end unless the agent sent one.
func checkKilled(t *testing.T, entries []entry, snapshot map[string]bool) string {
	t.Helper()
	var before, after []entry
	seen := 0
	for _, e := range entries {
		if snapshot[e.id] {
			before = append(before, e)
			seen++
		} else {
			after = append(after, e)
		}
	}
	if seen != len(snapshot) {
		t.Errorf("%d lines read right after the kill, %d of them still there at the end", len(snapshot), seen)
	}
	b, a := perSession(before), perSession(after)
	twoStarts, noEnd := 0, 0
	for id, c := range b {
		if c.starts != 1 || c.synthEnds != 0 || c.explicitEnds > 1 {
			t.Errorf("killed process, session %s: %d session_start, %d synthesized and %d explicit session_end; want 1, 0, at most 1",
				id, c.starts, c.synthEnds, c.explicitEnds)
		}
		if _, ok := a[id]; ok {
			twoStarts++
		} else if c.ends == 0 {
			noEnd++
		}
	}
	for id, c := range a {
		if c.ends != 1 || (c.starts != 1 && (c.starts != 0 || c.explicitEnds != 1)) {
			t.Errorf("restarted process, session %s: %d session_start, %d session_end; want 1 and 1", id, c.starts, c.ends)
		}
	}
	all := perSession(entries)
	for id, c := range all {
		_, inB := b[id]
		_, inA := a[id]
		if inB && inA && c.starts != 2 {
			t.Errorf("session %s on both sides of the restart has %d session_start, want 2", id, c.starts)
		}
	}
	if twoStarts == 0 || noEnd == 0 {
		t.Errorf("the kill split %d sessions and left %d without an end; the run did not exercise both", twoStarts, noEnd)
	}
	return fmt.Sprintf("on the killed backend %d sessions had records on both sides of the restart (two session_starts), "+
		"%d sessions seen only by the killed process have no session_end, %d sessions only after the restart",
		twoStarts, noEnd, len(a)-twoStarts)
}

// checkNoLoss asserts that every entry of the reference is in the output
// at least as often, and that every entry beyond the reference is on the
// killed backend (directory vi) and one of:
//
//   - a copy of an entry the killed process wrote: a request the killed
//     process had written but not yet answered, which the gateway sent
//     again after the restart;
//   - an entry the restarted process wrote from a span whose log event
//     (same session, type and call id) the killed process had written, or
//     from a GenAI metric point whose service's spans the killed process
//     had written: the exporter writes one entry per call across signals by
//     remembering what it wrote, and that memory died with the process.
func checkNoLoss(t *testing.T, o *output, ref map[string]int, vi int, snapshot map[string]bool) {
	t.Helper()
	got := multiset(o.entries...)
	if !covers(got, ref) {
		reportDiff(t, got, ref)
		return
	}
	killed := map[string]int{}
	events := map[[3]string]bool{} // session, type, call id of the killed process's log events
	spanServices := map[string]bool{}
	for _, e := range o.entries[vi] {
		if !snapshot[e.id] || e.lifecycle() {
			continue
		}
		killed[e.key]++
		if e.signal == "log" {
			for _, j := range e.joins {
				events[[3]string{e.session, e.typ, j}] = true
			}
		}
		if e.signal == "span" {
			spanServices[e.service] = true
		}
	}
	unjoined := map[string]int{}
	for _, e := range o.entries[vi] {
		if snapshot[e.id] || e.lifecycle() {
			continue
		}
		joinedEvent := slices.ContainsFunc(e.joins, func(j string) bool { return events[[3]string{e.session, e.typ, j}] })
		if (e.signal == "span" && joinedEvent) || (e.signal == "metric" && spanServices[e.service]) {
			unjoined[e.key]++
		}
	}
	others := multiset(slices.Delete(slices.Clone(o.entries), vi, vi+1)...)
	dups, unjoins := 0, 0
	for k, n := range got {
		extra := n - ref[k]
		if extra <= 0 {
			continue
		}
		if others[k] > ref[k] || killed[k]+unjoined[k] < extra {
			t.Errorf("entry written %d times, %d in the reference, %d by the killed process, %d after the restart unjoined: %.200q",
				n, ref[k], killed[k], unjoined[k], k)
		}
		u := min(extra, unjoined[k])
		unjoins += u
		dups += extra - u
	}
	t.Logf("FIGURE kill: %d entries written twice (sent again after the restart), %d written from a span or point whose "+
		"log event or spans the killed process had written, %d in the reference", dups, unjoins, total(ref))
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// reportDiff fails the test with what is missing from or extra in got.
func reportDiff(t *testing.T, got, ref map[string]int) {
	t.Helper()
	shown := 0
	// surplus counts what a has beyond b, logging the first few (up to
	// shown == upTo over both calls).
	surplus := func(a, b map[string]int, what string, upTo int) int {
		n := 0
		for k, c := range a {
			if d := c - b[k]; d > 0 {
				n += d
				if shown < upTo {
					t.Logf("%s %dx: %.300q", what, d, k)
					shown++
				}
			}
		}
		return n
	}
	missing, extra := surplus(ref, got, "missing", 5), surplus(got, ref, "extra", 10)
	t.Errorf("the output differs from the reference: %d entries missing, %d extra", missing, extra)
}
