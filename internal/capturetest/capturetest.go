// Package capturetest replays stored OTLP captures (the layout of package
// otlpcapture) through the analytics exporter in process, for the tests
// that check what real senders' telemetry becomes: the conformance suite
// and the report command's cross-check against DuckDB.
package capturetest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/analyticsexporter/analyticsexporter"
	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// Replay feeds reqs, in order, through one analytics exporter (its logs,
// metrics and traces pipelines under one ID) writing plain files to out,
// with the default configuration changed by edit (nil: none), and shuts
// it down, so every open session is ended.
func Replay(tb testing.TB, reqs []otlpcapture.Request, out string, edit func(*analyticsexporter.Config)) {
	tb.Helper()
	f := analyticsexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*analyticsexporter.Config)
	cfg.Directory = out
	cfg.Compression = jsonl.CompressionNone
	if edit != nil {
		edit(cfg)
	}
	set := exportertest.NewNopSettings(f.Type())
	set.ID = component.NewIDWithName(f.Type(), "replay")
	ctx := context.Background()
	logs, err := f.CreateLogs(ctx, set, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	metrics, err := f.CreateMetrics(ctx, set, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	traces, err := f.CreateTraces(ctx, set, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	comps := []component.Component{logs, metrics, traces}
	for _, c := range comps {
		if err := c.Start(ctx, componenttest.NewNopHost()); err != nil {
			tb.Fatal(err)
		}
	}
	for _, r := range reqs {
		var err error
		switch r.Signal {
		case "logs":
			ld, derr := r.Logs()
			if err = derr; err == nil {
				err = logs.ConsumeLogs(ctx, ld)
			}
		case "metrics":
			md, derr := r.Metrics()
			if err = derr; err == nil {
				err = metrics.ConsumeMetrics(ctx, md)
			}
		case "traces":
			td, derr := r.Traces()
			if err = derr; err == nil {
				err = traces.ConsumeTraces(ctx, td)
			}
		default:
			err = fmt.Errorf("unknown signal %q", r.Signal)
		}
		if err != nil {
			tb.Fatalf("%s: %v", r.Path, err)
		}
	}
	for _, c := range comps {
		if err := c.Shutdown(ctx); err != nil {
			tb.Fatal(err)
		}
	}
}

// ReplayDir replays the capture stored in dir, a capture directory of
// testdata/agents (<agent>-<version>/<scenario>, holding otlp/), into out.
func ReplayDir(tb testing.TB, dir, out string, edit func(*analyticsexporter.Config)) {
	tb.Helper()
	reqs, err := otlpcapture.Load(filepath.Join(dir, "otlp"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(reqs) == 0 {
		tb.Fatalf("no stored request in %s/otlp", dir)
	}
	Replay(tb, reqs, out, edit)
}
