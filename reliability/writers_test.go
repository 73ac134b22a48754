//go:build reliability

package reliability

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"

	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// failedStart waits for a Collector that must not start and returns its
// output; the test fails if it keeps running.
func failedStart(t *testing.T, c *collector) string {
	t.Helper()
	if !c.WaitExit(startTimeout) {
		t.Fatalf("collector kept running, want a failed start\n%s", c.Tail(3000))
	}
	if c.Err() == nil {
		t.Errorf("collector exited with status 0, want a failure")
	}
	return c.Output()
}

// errorLine returns the "error" field of the first log line mentioning
// substr (for the figure), or the line itself.
func errorLine(out, substr string) string {
	for _, l := range strings.Split(out, "\n") {
		i := strings.Index(l, `"error": "`)
		if !strings.Contains(l, substr) || i < 0 {
			continue
		}
		l = l[i+len(`"error": "`):]
		if j := strings.Index(l, `"}`); j >= 0 {
			l = l[:j]
		}
		if len(l) > 300 {
			l = l[:300] + "…"
		}
		return l
	}
	return "(none)"
}

// TestSecondCollectorSameDirectory starts a second Collector on a directory
// a running one writes: it must fail to start with a message naming the
// directory, and the first must carry on.
func TestSecondCollectorSameDirectory(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	spec := singleExporter(analyticsExporter(base), false)
	first := launch(t, spec)
	p := newPorts(t)
	second := startCollector(t, p, spec.yamlConfig(t, p), startOptions{})
	out := failedStart(t, second)
	mdir := filepath.Join(base, "metrics")
	named := strings.Contains(out, mdir) || strings.Contains(out, base)
	l := newLedger(50, 0)
	sendN(t, first, l, 500)
	first.stop()
	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	figure(t, "second_exit=%v names_directory=%v first_still_writes=%v message=%s", second.Err(), named, v.lost == 0 && v.acked == 500, errorLine(out, base))
	if !named {
		t.Errorf("the failure does not name %s:\n%s", base, testproc.Tail(out, 3000))
	}
	if v.lost != 0 || ro.bad != 0 {
		t.Errorf("first collector lost %d, bad lines %d", v.lost, ro.bad)
	}
}

// TestTwoExporterIDsSameDirectory configures analytics/a and analytics/b
// on one directory in one Collector: the start must fail naming it, also
// when the second spells the directory differently (a trailing "/.", a
// path through a symlink), since the lock is on the directory itself.
func TestTwoExporterIDsSameDirectory(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second func(base string) string
	}{
		{"same_path", func(base string) string { return base }},
		{"dot_spelling", func(base string) string { return base + "/." }},
		{"via_symlink", func(base string) string {
			link := filepath.Join(t.TempDir(), "link")
			if err := os.MkdirAll(base, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(base, link); err != nil {
				t.Fatal(err)
			}
			return link
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "out")
			spec := configSpec{
				exporters: map[string]exporterCfg{"analytics/a": analyticsExporter(base), "analytics/b": analyticsExporter(tc.second(base))},
				logs:      []string{"analytics/a"},
				metrics:   []string{"analytics/b"},
			}
			p := newPorts(t)
			c := startCollector(t, p, spec.yamlConfig(t, p), startOptions{})
			out := failedStart(t, c)
			named := strings.Contains(out, base) || strings.Contains(out, tc.second(base))
			msg := errorLine(out, "directory")
			figure(t, "exit=%v names_directory=%v message=%s", c.Err(), named, msg)
			if !named {
				t.Errorf("the failure does not name %s:\n%s", base, testproc.Tail(out, 3000))
			}
			// However the directory is spelt, the error names the
			// exporter of this Collector that holds it.
			namesHolder := strings.Contains(msg, "analytics/a") || strings.Contains(msg, "analytics/b")
			if !strings.Contains(msg, "in this Collector") || !namesHolder {
				t.Errorf("the failure does not name the exporter holding the directory: %s", msg)
			}
		})
	}
}

// gaugeMetrics builds n gauge points, each typed performance by the
// override attribute and numbered by rel.point.
func gaugeMetrics(n int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "reliability")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("reliability.latency")
	m.SetUnit("ms")
	g := m.SetEmptyGauge()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		dp := g.DataPoints().AppendEmpty()
		dp.SetTimestamp(now)
		dp.SetDoubleValue(float64(i))
		dp.Attributes().PutStr("analytics.type", "performance")
		dp.Attributes().PutInt("rel.point", int64(i))
	}
	return md
}

// TestOneExporterLogsAndMetrics uses one exporter in a logs and a metrics
// pipeline (one shared sink): both signals land in the one directory and
// the Collector stops cleanly.
func TestOneExporterLogsAndMetrics(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	c := launch(t, singleExporter(analyticsExporter(base), true))
	l := newLedger(50, 0)
	sendN(t, c, l, 1000)
	const points = 500
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := dial(t, c.ports.grpc)
	if _, err := client.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(gaugeMetrics(points))); err != nil {
		t.Fatalf("metrics export: %v", err)
	}
	sendN(t, c, l, 1000) // logs again, after the metrics
	c.stop()
	ro := readBack(t, base)
	v := l.judge(ro.seqCount)
	figure(t, "log_entries=%d/%d metric_entries=%d/%d lost=%d bad_lines=%d files=%d",
		v.found, v.acked, ro.types["performance"], points, v.lost, ro.bad, ro.files)
	if v.lost != 0 || ro.types["performance"] != points || ro.bad != 0 {
		t.Errorf("logs lost %d, metric entries %d of %d, bad %d %v", v.lost, ro.types["performance"], points, ro.bad, ro.badSample)
	}
}
