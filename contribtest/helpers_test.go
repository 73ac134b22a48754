package contribtest

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// startFileStorage creates and starts the real file_storage extension
// (bbolt) on dir through its factory, as a Collector does.
func startFileStorage(t *testing.T, dir string) extension.Extension {
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
	return ext
}

// openClient returns the storage client the analytics exporter (ID
// analytics) would get from ext.
func openClient(t *testing.T, ext extension.Extension) storage.Client {
	t.Helper()
	client, err := ext.(storage.Extension).GetClient(context.Background(), component.KindExporter,
		component.MustNewID("analytics"), "sessions")
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// host is a component.Host that returns its extensions, as the Collector's
// service does.
type host map[component.ID]component.Component

func (h host) GetExtensions() map[component.ID]component.Component { return h }
