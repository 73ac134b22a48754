//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
)

// transports are the three ways an OTLP client reaches the Collector.
var transports = []string{"http/json", "http/protobuf", "grpc"}

// smokeExporterConfig rotates at 64 KiB so that the run also rotates and
// gzips files. Synthesized session entries are off: the expected lines are
// exactly the converter's golden files (the in-process test covers sessions),
// which are written without privacy rules (TestPrivacyDefaults covers them).
const smokeExporterConfig = `
rotation:
  max_megabytes: 0.0625
  max_files: 1000
compression: gzip
sessions:
  enabled: false
privacy:
  content: keep
  identities: keep
  max_value_bytes: 0
`

// TestSmoke sends every payload of testdata/payloads over each transport to
// the built Collector, stops it with SIGTERM and checks that exactly the
// golden lines (once per transport) were written, all valid.
func TestSmoke(t *testing.T) {
	root := testbinary.RepoRoot(t)
	payloads, exp := loadPayloads(t, root, len(transports))

	c := startCollector(t, smokeExporterConfig)
	s := newSender(t, c)
	from := time.Now()
	records := 0
	for _, tr := range transports {
		for _, p := range payloads {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := s.send(ctx, tr, p)
			cancel()
			if err != nil {
				t.Fatalf("export of %s over %s refused: %v", p.name, tr, err)
			}
			records += p.records()
		}
	}
	to := time.Now()
	written := scrapeCounter(t, c.metricsAddr, "otelcol_analytics_entries_written")
	c.stop(t)
	t.Logf("sent %d payloads x %d transports (%d records); expecting %d entries %v",
		len(payloads), len(transports), records, exp.total, exp.types)

	if written != exp.total {
		t.Errorf("the Collector's otelcol_analytics_entries_written is %d, want %d", written, exp.total)
	}
	rep, err := schema.CheckDir(c.outDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("schema check: %d files, %d entries, types %v", rep.Files, rep.Entries, rep.Types)
	if !rep.OK() {
		t.Errorf("%d bad lines:\n%s", rep.BadCount, strings.Join(rep.Bad, "\n"))
	}
	if rep.Entries != exp.total {
		t.Errorf("%d entries on disk, want %d", rep.Entries, exp.total)
	}
	for typ, n := range exp.types {
		if rep.Types[typ] != n {
			t.Errorf("%d %s entries, want %d", rep.Types[typ], typ, n)
		}
	}
	if rep.Files < 2 {
		t.Errorf("%d files: the 64 KiB rotation did not happen", rep.Files)
	}
	d, err := exp.diff(c.outDir, from.Add(-time.Second), to.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if d != "" {
		t.Errorf("the files differ from the golden lines:\n%s", d)
	}

	t.Run("seedcheck", func(t *testing.T) { seedcheck(t, root, c.outDir, exp.total) })
}

// loadPayloads reads testdata/payloads/*.json and the expected output of
// each from testdata/golden/<name>.jsonl, every line expected times times.
func loadPayloads(t *testing.T, root string, times int) ([]payload, *expectation) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "testdata", "payloads", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no payloads in testdata/payloads")
	}
	exp := newExpectation()
	var payloads []payload
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		golden := filepath.Join(root, "testdata", "golden", name+".jsonl")
		if err := exp.addGolden(golden, times); err != nil {
			t.Fatalf("payload %s has no usable golden output: %v", name, err)
		}
		payloads = append(payloads, loadPayload(t, path, name))
	}
	return payloads, exp
}

// scrapeCounter sums every sample of one metric in the Collector's own
// Prometheus endpoint.
func scrapeCounter(t *testing.T, addr, name string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scrape the Collector's metrics: %v", err)
	}
	defer resp.Body.Close()
	sum, found := 0.0, false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += v
		found = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Errorf("metric %s not exposed by the Collector", name)
	}
	return int(sum)
}

// seedcheck runs the original engine's checker over dir where ../shared
// exists (CI), and skips with a message elsewhere (a user's clone).
func seedcheck(t *testing.T, root, dir string, want int) {
	script := filepath.Join(root, "..", "shared", "tools", "seedcheck.py")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("%s not present: seedcheck runs where ../shared exists (CI); the schema check above covers the contract", script)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("../shared exists but python3 is not installed: %v", err)
	}
	out, err := exec.Command(python, script, dir, "--min", fmt.Sprint(want)).CombinedOutput()
	t.Logf("seedcheck:\n%s", out)
	if err != nil {
		t.Fatalf("seedcheck failed: %v", err)
	}
}

// TestDefaultConfigValidates runs the binary's `validate` command on the
// repository's config.yaml, the config `make run` uses.
func TestDefaultConfigValidates(t *testing.T) {
	bin := testbinary.Path(t)
	out, err := exec.Command(bin, "validate", "--config", filepath.Join(testbinary.RepoRoot(t), "config.yaml")).CombinedOutput()
	if err != nil {
		t.Fatalf("config.yaml does not validate: %v\n%s", err, out)
	}
}
