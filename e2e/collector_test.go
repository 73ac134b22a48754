//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
)

const (
	startTimeout = 60 * time.Second // a cold start on a busy 2-core machine
	stopTimeout  = 60 * time.Second // SIGTERM to exit, including the final flush
)

// collector is one running otelcol-analytics process.
type collector struct {
	grpcAddr, httpAddr, metricsAddr string
	outDir                          string

	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{} // closed when the process has exited
	err    error         // Wait's result, valid after exited is closed
}

// syncBuffer collects the Collector's stdout and stderr.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
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
// returns once the gRPC and HTTP receivers accept connections, and fails the
// test when the process exits or is not ready within startTimeout.
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
		output:      &syncBuffer{},
		exited:      make(chan struct{}),
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := c.config(ports[2], exporterYAML)
	if traces {
		cfg += "    traces:\n      receivers: [otlp]\n      exporters: [analytics]\n"
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c.cmd = exec.Command(bin, "--config", cfgPath)
	c.cmd.Dir = dir
	c.cmd.Stdout, c.cmd.Stderr = c.output, c.output
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("collector output:\n%s", c.output.String())
		}
	})
	c.waitReady(t)
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

// waitReady polls both receiver ports until they accept a connection.
func (c *collector) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for _, addr := range []string{c.grpcAddr, c.httpAddr} {
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-c.exited:
				t.Fatalf("collector exited before listening on %s: %v\n%s", addr, c.err, c.output.String())
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("collector not listening on %s after %v\n%s", addr, startTimeout, c.output.String())
			}
		}
	}
}

// stop sends SIGTERM and waits for a clean exit (status 0).
func (c *collector) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-c.exited:
	case <-time.After(stopTimeout):
		t.Fatalf("collector still running %v after SIGTERM", stopTimeout)
	}
	if c.err != nil {
		t.Fatalf("collector exited with %v after SIGTERM\n%s", c.err, c.output.String())
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
