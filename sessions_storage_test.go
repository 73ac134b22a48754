package analyticsexporter

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
)

// memStorage is an in-memory storage extension: clients of one
// (kind, id, name) share a key space that outlives the client, as the
// file_storage extension's does across a restart. contribtest/ runs the
// same scenario against the real file_storage extension.
type memStorage struct {
	mu      sync.Mutex
	spaces  map[string]map[string][]byte
	clients map[string]int // GetClient calls per key space
}

func newMemStorage() *memStorage {
	return &memStorage{spaces: map[string]map[string][]byte{}, clients: map[string]int{}}
}

func (*memStorage) Start(context.Context, component.Host) error { return nil }
func (*memStorage) Shutdown(context.Context) error              { return nil }

func (m *memStorage) GetClient(_ context.Context, kind component.Kind, id component.ID, name string) (storage.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	space := kind.String() + "/" + id.String() + "/" + name
	if m.spaces[space] == nil {
		m.spaces[space] = map[string][]byte{}
	}
	m.clients[space]++
	return &memClient{m: m, space: space}, nil
}

type memClient struct {
	m     *memStorage
	space string
}

func (c *memClient) Get(_ context.Context, key string) ([]byte, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	return bytes.Clone(c.m.spaces[c.space][key]), nil
}

func (c *memClient) Set(_ context.Context, key string, v []byte) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.m.spaces[c.space][key] = bytes.Clone(v)
	return nil
}

func (c *memClient) Delete(_ context.Context, key string) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	delete(c.m.spaces[c.space], key)
	return nil
}

func (c *memClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		var err error
		switch op.Type {
		case storage.Get:
			op.Value, err = c.Get(ctx, op.Key)
		case storage.Set:
			err = c.Set(ctx, op.Key, op.Value)
		case storage.Delete:
			err = c.Delete(ctx, op.Key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (*memClient) Close(context.Context) error { return nil }

// extHost is a host that returns the given extensions.
type extHost map[component.ID]component.Component

func (h extHost) GetExtensions() map[component.ID]component.Component { return h }

// TestStorageResumesAcrossRestart: with sessions.storage, Shutdown saves
// the open session instead of ending it; after the restart it goes on (no
// second session_start), and its eventual end covers both runs. The key
// space is the exporter's own.
func TestStorageResumesAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	store := newMemStorage()
	sid := component.MustNewID("file_storage")
	host := extHost{sid: store}
	cfg := testConfig(dir)
	cfg.Sessions.Storage = &sid
	cfg.Sessions.MaxTracked = 1 // the second run's new session evicts s-1: its end, with no wait
	ctx := context.Background()

	first := newPipelines(t, "restart", cfg, nopSettings())
	require.NoError(t, first.logs.Start(ctx, host))
	require.NoError(t, first.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-1", 0), apiRequest("s-1", time.Second, "100", "20", "0.25"))))
	require.NoError(t, first.logs.Shutdown(ctx))
	require.NoError(t, first.metrics.Shutdown(ctx))
	entries := sinktest.ReadMaps(t, dir)
	assert.Equal(t, []string{"tool_use", "token_usage", "session_start"}, sinktest.Types(entries), "saved, not ended")
	assert.Equal(t, map[string]int{"Exporter/analytics/restart/sessions": 1}, store.clients)

	second := newPipelines(t, "restart", cfg, nopSettings())
	require.NoError(t, second.logs.Start(ctx, host))
	require.NoError(t, second.logs.ConsumeLogs(ctx, sessionLogs(apiRequest("s-1", time.Minute, "5", "5", "0.25"))))
	assert.Len(t, sinktest.OfType(sinktest.ReadMaps(t, dir), "session_start", "s-1"), 1, "no second start after the restart")
	require.NoError(t, second.logs.ConsumeLogs(ctx, sessionLogs(toolUse("s-2", 2*time.Minute))))
	require.NoError(t, second.logs.Shutdown(ctx))
	require.NoError(t, second.metrics.Shutdown(ctx))

	entries = sinktest.ReadMaps(t, dir)
	sinktest.Only(t, entries, "session_start", "s-1")
	end := sinktest.Only(t, entries, "session_end", "s-1")
	assert.Equal(t, "max_tracked", end["end_reason"])
	assert.Equal(t, 60.0, end["duration_seconds"], "first record of run 1 to last of run 2")
	assert.Equal(t, 130.0, end["token_count"])
	assert.Equal(t, 0.5, end["cost_usd"])
	assert.Equal(t, 3.0, end["records"])
	assert.Empty(t, sinktest.OfType(entries, "session_end", "s-2"), "s-2 was saved at the second Shutdown")
}
