package analyticsexporter

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

// fakeTracker stands in for the session tracker. It records
// what the exporter hands it; AppendPending adds one line and, when block is
// set, waits there until released (an export held in flight).
type fakeTracker struct {
	mu        sync.Mutex
	observed  []string
	requeued  []byte
	events    []string
	starts    int
	commits   int
	shutdowns int
	onCommit  func(dst []byte) []byte // nil: Commit adds nothing

	block   bool
	entered chan struct{}
	release chan struct{}
}

const syntheticLine = `{"id":"6f1c2d3e-4a5b-4c6d-8e7f-901234567890","timestamp":"2026-11-26T12:00:00.000000+00:00","type":"session_start","session_id":"sess-1","user_id":null,"data":{"synthesized":true},"metadata":{}}` + "\n"

func (f *fakeTracker) Start(context.Context, component.Host) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	return nil
}

func (f *fakeTracker) Batch() sessionBatch { return fakeBatch{f} }

// fakeBatch keeps every entry and records its type.
type fakeBatch struct{ f *fakeTracker }

func (b fakeBatch) Entry(info *convert.EntryInfo) bool {
	b.f.mu.Lock()
	defer b.f.mu.Unlock()
	b.f.observed = append(b.f.observed, info.Type)
	return true
}

func (b fakeBatch) Commit(dst []byte) []byte {
	b.f.mu.Lock()
	b.f.commits++
	onCommit := b.f.onCommit
	b.f.mu.Unlock()
	if onCommit != nil {
		return onCommit(dst)
	}
	return dst
}

func (fakeBatch) Release() {}

func (f *fakeTracker) AppendPending(dst []byte) []byte {
	if f.block {
		f.entered <- struct{}{}
		<-f.release
	}
	f.mu.Lock()
	f.events = append(f.events, "export")
	f.mu.Unlock()
	return append(dst, syntheticLine...)
}

func (f *fakeTracker) Requeue(lines []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requeued = append(f.requeued, lines...)
}

func (f *fakeTracker) Shutdown(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shutdowns++
	f.events = append(f.events, "tracker shutdown")
	return nil
}

// startWithTracker starts e with f in the place of its session tracker.
func startWithTracker(t *testing.T, e *analyticsExporter, f *fakeTracker) {
	t.Helper()
	e.cfg.Sessions.Enabled = false // no tracker of its own
	require.NoError(t, e.start(context.Background(), nil))
	e.shared.Load().sessions = f
}

// TestOneTrackerPerExporterID: the logs and metrics pipelines of an ID
// share one tracker, fed every converted entry, its lines written with the
// batches, shut down once, after the last pipeline (a tracker shut down
// with the logs pipeline would end the session then, and the next export
// would open a second one).
func TestOneTrackerPerExporterID(t *testing.T) {
	dir := t.TempDir()
	p := newPipelines(t, "sessions", testConfig(dir), nopSettings())
	startAll(t, p.logs, p.metrics)

	require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), tokenMetrics()))
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "token_usage"},
		sinktest.Types(sinktest.ReadMaps(t, dir)), "no session_end while the metrics pipeline runs")
	require.NoError(t, p.metrics.Shutdown(context.Background()))

	lines := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "token_usage", "session_end"}, sinktest.Types(lines))
	end := sinktest.Only(t, lines, "session_end", "sess-1")
	assert.Equal(t, "shutdown", end["end_reason"])
}

// TestTrackerLinesOfAFailedWriteAreRequeued: the lines the tracker added to
// a batch that could not be written go back to it, and the batch is not
// committed.
func TestTrackerLinesOfAFailedWriteAreRequeued(t *testing.T) {
	tracker := &fakeTracker{}
	e, err := newExporter(nopSettings(), testConfig(t.TempDir()))
	require.NoError(t, err)
	startWithTracker(t, e, tracker)
	require.NoError(t, e.shared.Load().sink.Close()) // every Append fails now

	require.Error(t, e.pushLogs(context.Background(), claudeLogs()))
	assert.Equal(t, syntheticLine, string(tracker.requeued), "only the tracker's own lines go back to it")
	assert.Zero(t, tracker.commits, "a batch that was not written is not committed")
	require.NoError(t, e.shutdown(context.Background()))
}

// TestShutdownDrainsInFlightExports holds an export inside the exporter,
// shuts down, and checks the sink is given back (the tracker shut down and
// the sink closed) only after that export has written. synctest.Wait
// returns once every goroutine is blocked, so no sleep is needed to know
// Shutdown is waiting.
func TestShutdownDrainsInFlightExports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tracker := &fakeTracker{block: true, entered: make(chan struct{}), release: make(chan struct{})}
		dir := t.TempDir()
		e, err := newExporter(nopSettings(), testConfig(dir))
		require.NoError(t, err)
		startWithTracker(t, e, tracker)

		exported := make(chan error)
		go func() { exported <- e.pushLogs(context.Background(), claudeLogs()) }()
		<-tracker.entered // the export is in flight

		shutDown := make(chan error)
		go func() { shutDown <- e.shutdown(context.Background()) }()
		synctest.Wait() // Shutdown is blocked waiting for the export
		select {
		case err := <-shutDown:
			t.Fatalf("Shutdown returned while an export was in flight: %v", err)
		default:
		}
		require.ErrorIs(t, e.pushLogs(context.Background(), claudeLogs()), errNotStarted,
			"no new export begins once Shutdown started")

		close(tracker.release)
		require.NoError(t, <-exported, "the in-flight export wrote to an open sink")
		require.NoError(t, <-shutDown)
		assert.Equal(t, []string{"export", "tracker shutdown"}, tracker.events)
		assert.Equal(t, []string{"tool_use", "token_usage", "session_start"}, sinktest.Types(sinktest.ReadMaps(t, dir)))
	})
}

// TestSessionLinesOfACommitThatCannotBeWrittenAreRequeued: the batch was
// written, so the export succeeds; the lines its commit caused go back to
// the tracker's outbox when their own Append fails.
func TestSessionLinesOfACommitThatCannotBeWrittenAreRequeued(t *testing.T) {
	tracker := &fakeTracker{}
	dir := t.TempDir()
	e, err := newExporter(nopSettings(), testConfig(dir))
	require.NoError(t, err)
	startWithTracker(t, e, tracker)
	tracker.onCommit = func(dst []byte) []byte {
		require.NoError(t, e.shared.Load().sink.Close()) // the second Append fails
		return append(dst, syntheticLine...)
	}
	require.NoError(t, e.pushLogs(context.Background(), claudeLogs()), "the batch itself was written")
	assert.Equal(t, syntheticLine, string(tracker.requeued))
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start"}, sinktest.Types(sinktest.ReadMaps(t, dir)),
		"the batch with the line AppendPending added, not the committed one")
	require.NoError(t, e.shutdown(context.Background()))
}
