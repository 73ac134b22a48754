//go:build reliability

package reliability

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// ports are the loopback endpoints of one Collector.
type ports struct {
	grpc    string // OTLP gRPC receiver
	metrics string // internal telemetry, Prometheus pull
}

func newPorts(t testing.TB) ports {
	return ports{grpc: testproc.FreeAddr(t), metrics: testproc.FreeAddr(t)}
}

// exporterCfg is the `analytics` exporter section of a test config.
type exporterCfg map[string]any

// analyticsExporter returns an exporter config writing to dir with small
// gzip files, no sending queue (success means written), retries bounded to
// 2s (so a failing write comes back to the sender as an error instead of
// holding the call for the default 5 minutes) and every file kept.
func analyticsExporter(dir string) exporterCfg {
	return exporterCfg{
		"directory": dir,
		"rotation": map[string]any{
			"max_megabytes": 0.0625, // 64 KiB
			"max_files":     100000,
		},
		"compression":   "gzip",
		"sending_queue": map[string]any{"enabled": false},
		"retry_on_failure": map[string]any{
			"enabled":          true,
			"initial_interval": "50ms",
			"max_interval":     "200ms",
			"max_elapsed_time": "2s",
		},
		"timeout": "10s",
	}
}

// configSpec describes a whole Collector config.
type configSpec struct {
	exporters  map[string]exporterCfg // id -> config
	logs       []string               // exporter ids of the logs pipeline
	metrics    []string               // exporter ids of the metrics pipeline
	extensions map[string]any         // id -> config
}

// yamlConfig renders spec for ports p: an OTLP gRPC receiver on p.grpc, no
// processors (the synchronous path), telemetry on p.metrics.
func (spec configSpec) yamlConfig(t testing.TB, p ports) string {
	t.Helper()
	host, port, err := net.SplitHostPort(p.metrics)
	if err != nil {
		t.Fatal(err)
	}
	portNum, _ := strconv.Atoi(port)
	exporters := map[string]any{}
	for id, c := range spec.exporters {
		exporters[id] = map[string]any(c)
	}
	pipelines := map[string]any{}
	if len(spec.logs) > 0 {
		pipelines["logs"] = map[string]any{"receivers": []string{"otlp"}, "exporters": spec.logs}
	}
	if len(spec.metrics) > 0 {
		pipelines["metrics"] = map[string]any{"receivers": []string{"otlp"}, "exporters": spec.metrics}
	}
	service := map[string]any{
		"pipelines": pipelines,
		"telemetry": map[string]any{
			"logs": map[string]any{"level": "info"},
			"metrics": map[string]any{
				"level": "detailed",
				"readers": []any{map[string]any{"pull": map[string]any{"exporter": map[string]any{
					"prometheus": map[string]any{
						"host": host, "port": portNum,
						"without_scope_info": true, "without_units": true, "without_type_suffix": true,
					},
				}}}},
			},
		},
	}
	cfg := map[string]any{
		"receivers": map[string]any{"otlp": map[string]any{"protocols": map[string]any{
			"grpc": map[string]any{"endpoint": p.grpc, "max_recv_msg_size_mib": 64},
		}}},
		"exporters": exporters,
		"service":   service,
	}
	if len(spec.extensions) > 0 {
		cfg["extensions"] = spec.extensions
		var ids []string
		for id := range spec.extensions {
			ids = append(ids, id)
		}
		service["extensions"] = ids
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// singleExporter is the usual spec: one analytics exporter in a logs
// pipeline (and a metrics pipeline when withMetrics).
func singleExporter(c exporterCfg, withMetrics bool) configSpec {
	spec := configSpec{exporters: map[string]exporterCfg{"analytics": c}, logs: []string{"analytics"}}
	if withMetrics {
		spec.metrics = []string{"analytics"}
	}
	return spec
}

// launch starts a Collector for spec on fresh ports and waits until ready.
// A port picked free can be taken by another process before the Collector
// binds it; such a start is retried on new ports (up to three times).
func launch(t testing.TB, spec configSpec) *collector {
	t.Helper()
	return launchWith(t, spec, startOptions{})
}

// launchWith is launch with start options (a umask).
func launchWith(t testing.TB, spec configSpec, o startOptions) *collector {
	t.Helper()
	for try := 1; ; try++ {
		p := newPorts(t)
		c := startCollector(t, p, spec.yamlConfig(t, p), o)
		err := c.WaitLog(testbinary.ReadyMessage, startTimeout)
		if err == nil {
			return c
		}
		if try < 3 && !c.Running() && strings.Contains(c.Output(), "address already in use") {
			t.Logf("ports %v taken before the Collector bound them; retrying", p)
			continue
		}
		t.Fatalf("collector not ready: %v\n%s", err, c.Tail(6000))
	}
}
