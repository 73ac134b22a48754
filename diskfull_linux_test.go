package analyticsexporter

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/tmpfs"
)

// TestDiskFullIsRetryable: on a full disk the export fails with an error
// exporterhelper retries (never permanent), nothing of the batch is left in
// the file, and once space is back the same data is written.
func TestDiskFullIsRetryable(t *testing.T) {
	dir := tmpfs.Mount(t, 256<<10)
	cfg := testConfig(dir)
	cfg.BackOffConfig.Enabled = false // show the error itself, not the retries
	p := newPipelines(t, "diskfull", cfg, nopSettings())
	startAll(t, p.logs)

	filler, _ := tmpfs.Fill(t, dir)
	err := p.logs.ConsumeLogs(context.Background(), claudeLogs())
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ENOSPC), "got %v", err)
	assert.False(t, consumererror.IsPermanent(err), "a full disk must be retried")
	assert.Contains(t, err.Error(), dir)
	assert.Empty(t, sinktest.ReadMaps(t, dir), "the failed batch left nothing behind")

	require.NoError(t, os.Remove(filler))
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), claudeLogs()))
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "session_end"}, sinktest.Types(sinktest.ReadMaps(t, dir)),
		"the batch and its session, once")
}

// signalCore is a zap core that closes retried when exporterhelper logs
// that it will retry, so the test frees the disk only after a real failed
// attempt, without polling.
type signalCore struct {
	zapcore.LevelEnabler
	once    *sync.Once
	retried chan struct{}
}

func (c signalCore) With([]zapcore.Field) zapcore.Core { return c }

func (c signalCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}

func (c signalCore) Write(e zapcore.Entry, _ []zapcore.Field) error {
	if strings.HasPrefix(e.Message, "Exporting failed. Will retry") {
		c.once.Do(func() { close(c.retried) })
	}
	return nil
}

func (signalCore) Sync() error { return nil }

// TestDiskFullIsRetriedUntilWritten: with retry_on_failure on (the
// default), an export that hits a full disk is retried by exporterhelper and
// succeeds once space is freed; the caller sees success and the data is
// written once.
func TestDiskFullIsRetriedUntilWritten(t *testing.T) {
	dir := tmpfs.Mount(t, 256<<10)
	cfg := testConfig(dir)
	cfg.BackOffConfig.InitialInterval = time.Millisecond
	cfg.BackOffConfig.MaxInterval = 5 * time.Millisecond
	retried := make(chan struct{})
	set := nopSettings()
	set.Logger = zap.New(signalCore{LevelEnabler: zapcore.DebugLevel, once: &sync.Once{}, retried: retried})
	p := newPipelines(t, "diskfull_retry", cfg, set)
	startAll(t, p.logs)

	filler, _ := tmpfs.Fill(t, dir)
	done := make(chan error, 1)
	go func() { done <- p.logs.ConsumeLogs(context.Background(), claudeLogs()) }()
	// Bounded waits: a regression that never retries, or never succeeds,
	// fails here instead of hanging the package until go test's timeout.
	const bound = time.Minute
	select {
	case <-retried: // at least one attempt failed on the full disk
	case err := <-done:
		t.Fatalf("the export returned (%v) without a retry on the full disk", err)
	case <-time.After(bound):
		t.Fatalf("no retry logged within %v", bound)
	}
	require.NoError(t, os.Remove(filler))
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(bound):
		t.Fatalf("the export did not succeed within %v of the disk being freed", bound)
	}

	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))
	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start", "session_end"}, sinktest.Types(entries),
		"the batch and its session, once")
	end := sinktest.OfType(entries, "session_end", "sess-1")
	require.Len(t, end, 1)
	assert.Equal(t, 150.0, end[0]["data"].(map[string]any)["token_count"], "the retries did not count the tokens again")
}
