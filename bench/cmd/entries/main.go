// Command entries writes the entries the analytics exporter makes of the
// benchmark batch (gen.ClaudeCodeLogs) into -dir, uncompressed, and prints
// the path of the data file. scripts/bench-seed.sh replays them through the
// Python seed engine so both engines write the same lines.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/analyticsexporter/analyticsexporter"
	"github.com/analyticsexporter/analyticsexporter/bench/gen"
)

func main() {
	dir := flag.String("dir", "", "output directory (created)")
	records := flag.Int("records", 1000, "records in the batch")
	flag.Parse()
	if *dir == "" {
		fail(fmt.Errorf("-dir is required"))
	}
	if err := write(*dir, *records); err != nil {
		fail(err)
	}
	files, err := filepath.Glob(filepath.Join(*dir, "metrics", "*.jsonl"))
	if err != nil {
		fail(err)
	}
	if len(files) != 1 {
		fail(fmt.Errorf("want one data file in %s/metrics, found %v", *dir, files))
	}
	fmt.Println(files[0])
}

func write(dir string, records int) error {
	f := analyticsexporter.NewFactory()
	cfg := f.CreateDefaultConfig()
	m := map[string]any{"directory": dir, "compression": "none", "sessions": map[string]any{"enabled": false}}
	if err := confmap.NewFromStringMap(m).Unmarshal(cfg); err != nil {
		return err
	}
	ctx := context.Background()
	exp, err := f.CreateLogs(ctx, exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		return err
	}
	if err := exp.Start(ctx, componenttest.NewNopHost()); err != nil {
		return err
	}
	err = exp.ConsumeLogs(ctx, gen.ClaudeCodeLogs(records, 10))
	if serr := exp.Shutdown(ctx); err == nil {
		err = serr
	}
	return err
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "entries:", err)
	os.Exit(1)
}
