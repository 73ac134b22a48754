package sessions

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// openFileStorage starts the real file_storage extension (bbolt) on dir and
// returns the client the exporter would get, and a function that closes
// both as a Collector shutdown does.
func openFileStorage(t *testing.T, dir string) (storage.Client, func()) {
	t.Helper()
	ctx := context.Background()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	ext, err := f.Create(ctx, extensiontest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	client, err := ext.(storage.Extension).GetClient(ctx, component.KindExporter,
		component.MustNewID("analytics"), "sessions")
	if err != nil {
		t.Fatal(err)
	}
	return client, func() {
		if err := client.Close(ctx); err != nil {
			t.Error(err)
		}
		if err := ext.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	}
}

// TestPersistRoundTripFileStorage is TestPersistRoundTrip with the real
// file_storage extension, closed and reopened on the same directory between
// the two runs.
func TestPersistRoundTripFileStorage(t *testing.T) {
	dir := t.TempDir()
	client, closeFirst := openFileStorage(t, dir)
	var closeSecond func()
	restartRoundTrip(t, client, func() Store {
		closeFirst()
		var c2 storage.Client
		c2, closeSecond = openFileStorage(t, dir)
		return c2
	})
	closeSecond()
}
