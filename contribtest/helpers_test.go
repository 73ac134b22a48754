package contribtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/analyticsexporter/analyticsexporter/jsonl"
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

// readLines reads every entry of the sink in dir through jsonl.Reader.
func readLines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	r, err := jsonl.NewReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []map[string]any
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var e map[string]any
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, e)
	}
}

// parseLines decodes the JSON lines in b.
func parseLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var e map[string]any
		if err := dec.Decode(&e); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		out = append(out, e)
	}
}

// ofType returns the entries of type typ for session id.
func ofType(entries []map[string]any, typ, id string) []map[string]any {
	var out []map[string]any
	for _, e := range entries {
		if e["type"] == typ && e["session_id"] == id {
			out = append(out, e)
		}
	}
	return out
}

// only returns the data of the one entry of typ for id.
func only(t *testing.T, entries []map[string]any, typ, id string) map[string]any {
	t.Helper()
	found := ofType(entries, typ, id)
	if len(found) != 1 {
		t.Fatalf("want one %s for %s, got %d of %d entries", typ, id, len(found), len(entries))
	}
	return found[0]["data"].(map[string]any)
}
