package e2etest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"

	"github.com/analyticsexporter/analyticsexporter"
)

// service is one in-process Collector.
type service struct {
	grpcAddr, httpAddr string
	outDir             string

	col  *otelcol.Collector
	done chan error // Run's result
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// factories are the components of the service: what ocb would generate for
// a Collector with only the OTLP receiver and this exporter.
func factories() (otelcol.Factories, error) {
	recv, err := otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory())
	if err != nil {
		return otelcol.Factories{}, err
	}
	exp, err := otelcol.MakeFactoryMap[exporter.Factory](analyticsexporter.NewFactory())
	if err != nil {
		return otelcol.Factories{}, err
	}
	return otelcol.Factories{
		Receivers: recv,
		Exporters: exp,
		Telemetry: otelconftelemetry.NewFactory(),
	}, nil
}

// startService runs a Collector whose config comes from a YAML string
// through the yaml confmap provider, and returns once it is running.
// exporterYAML is added under `analytics:` (after the directory).
func startService(t *testing.T, exporterYAML string) *service {
	t.Helper()
	s := &service{
		grpcAddr: freeAddr(t),
		httpAddr: freeAddr(t),
		outDir:   filepath.Join(t.TempDir(), "analytics"),
		done:     make(chan error, 1),
	}
	cfg := fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc: {endpoint: "%s"}
      http: {endpoint: "%s"}
exporters:
  analytics:
    directory: "%s"
%s
service:
  telemetry:
    logs: {level: warn}
    metrics: {level: none}
  pipelines:
    logs: {receivers: [otlp], exporters: [analytics]}
    metrics: {receivers: [otlp], exporters: [analytics]}
`, s.grpcAddr, s.httpAddr, s.outDir, indent(exporterYAML, "    "))
	col, err := otelcol.NewCollector(otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{Command: "otelcol-analytics-test", Version: "test"},
		Factories: factories,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				URIs:              []string{"yaml:" + cfg},
				ProviderFactories: []confmap.ProviderFactory{yamlprovider.NewFactory()},
			},
		},
		DisableGracefulShutdown: true,
		SkipSettingGRPCLogger:   true,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.col = col
	go func() { s.done <- col.Run(context.Background()) }()
	t.Cleanup(func() { s.stop(t) })
	s.waitRunning(t)
	return s
}

// waitRunning polls the Collector's state until it runs (bounded: a cold
// start on a loaded 2-core machine takes well under the deadline).
func (s *service) waitRunning(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.col.GetState() != otelcol.StateRunning {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("collector stopped while starting: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector not running after 30s (state %v)", s.col.GetState())
		}
	}
}

// stop shuts the Collector down and waits for Run to return; safe to call
// twice.
func (s *service) stop(t *testing.T) {
	t.Helper()
	if s.col == nil {
		return
	}
	s.col.Shutdown()
	select {
	case err := <-s.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("collector Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("collector did not stop within 30s")
	}
	s.col = nil
}
