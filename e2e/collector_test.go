//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

const (
	startTimeout = 60 * time.Second // a cold start on a busy 2-core machine
	stopTimeout  = 60 * time.Second // SIGTERM to exit, including the final flush
)

// collector is one running otelcol-analytics process.
type collector struct {
	grpcAddr, httpAddr, metricsAddr string
	outDir                          string

	p *testproc.Proc
}

// freePorts returns n distinct loopback ports that were free a moment ago.
// All listeners stay open until every port is picked, so they differ.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// startCollector writes a config for free loopback ports (exporter settings
// from exporterYAML, indented under `analytics:`) and starts the binary. It
// returns once the Collector logs that it is ready (its gRPC and HTTP
// receivers listen by then), and fails the test when the process exits or
// is not ready within startTimeout.
func startCollector(t *testing.T, exporterYAML string) *collector {
	t.Helper()
	return startCollectorWith(t, exporterYAML, false)
}

// startCollectorWith is startCollector, with a traces pipeline into the
// same exporter when traces is set.
func startCollectorWith(t *testing.T, exporterYAML string, traces bool) *collector {
	t.Helper()
	bin := testbinary.Path(t)
	dir := t.TempDir()
	ports := freePorts(t, 3)
	c := &collector{
		grpcAddr:    "127.0.0.1:" + strconv.Itoa(ports[0]),
		httpAddr:    "127.0.0.1:" + strconv.Itoa(ports[1]),
		metricsAddr: "127.0.0.1:" + strconv.Itoa(ports[2]),
		outDir:      filepath.Join(dir, "analytics"),
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := c.config(ports[2], exporterYAML)
	if traces {
		cfg += "    traces:\n      receivers: [otlp]\n      exporters: [analytics]\n"
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c.p = testproc.Start(t, "collector", bin, []string{"--config", cfgPath}, testproc.Options{Dir: dir, FailureTail: -1})
	if err := c.p.WaitLog(testbinary.ReadyMessage, startTimeout); err != nil {
		t.Fatal(err) // the output follows, at cleanup
	}
	return c
}

// config is the Collector config of c: both OTLP protocols, logs and metrics
// pipelines into one analytics exporter, and the Collector's own metrics on a
// free port (the default, localhost:8888, would collide between runs).
func (c *collector) config(metricsPort int, exporterYAML string) string {
	return fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %s
      http:
        endpoint: %s
exporters:
  analytics:
    directory: %s
%s
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [analytics]
    metrics:
      receivers: [otlp]
      exporters: [analytics]
`, c.grpcAddr, c.httpAddr, c.outDir, indent(exporterYAML, "    "), metricsPort)
}

// stop sends SIGTERM and waits for a clean exit (status 0).
func (c *collector) stop(t *testing.T) {
	t.Helper()
	if err := c.p.Stop(syscall.SIGTERM, stopTimeout); err != nil {
		t.Fatalf("collector after SIGTERM: %v", err) // the output follows, at cleanup
	}
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	var b bytes.Buffer
	for _, line := range bytes.Split([]byte(s), []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			b.WriteString(prefix)
			b.Write(line)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
