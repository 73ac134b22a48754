//go:build reliability

package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// startTimeout bounds how long a Collector may take to start or to fail.
const startTimeout = 30 * time.Second

// short reports whether the short form runs (-short or RELIABILITY_SHORT=1).
func short() bool {
	return testing.Short() || os.Getenv("RELIABILITY_SHORT") == "1"
}

// pick returns full, or short in the short form.
func pick[T any](full, shortForm T) T {
	if short() {
		return shortForm
	}
	return full
}

var reportMu sync.Mutex

// figure logs one result line of a scenario and appends it to
// $RELIABILITY_REPORT when set.
func figure(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf("FIGURE %s: %s", t.Name(), fmt.Sprintf(format, args...))
	t.Log(line)
	path := os.Getenv("RELIABILITY_REPORT")
	if path == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Errorf("report %s: %v", path, err)
		return
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		t.Errorf("report %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("report %s: %v", path, err)
	}
}

// collector is one running otelcol-analytics process.
type collector struct {
	*testproc.Proc
	t       testing.TB
	ports   ports
	cfgPath string
}

// startOptions change how the child is started.
type startOptions struct {
	umask string // e.g. "000": start through `sh -c 'umask 000; exec ...'`
}

// startCollector starts the binary with the given config YAML. It does not
// wait for readiness (see launch); the process is killed at test cleanup
// if still running.
func startCollector(t testing.TB, p ports, cfgYAML string, o startOptions) *collector {
	t.Helper()
	bin := testbinary.Path(t)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--config", cfgPath}
	if o.umask != "" {
		bin, args = "/bin/sh", append([]string{"-c", "umask " + o.umask + `; exec "$0" "$@"`, bin}, args...)
	}
	return &collector{
		Proc:    testproc.Start(t, "collector", bin, args, testproc.Options{FailureTail: 6000}),
		t:       t,
		ports:   p,
		cfgPath: cfgPath,
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *collector) kill() {
	c.t.Helper()
	if !c.Kill(startTimeout) {
		c.t.Fatalf("collector pid %d survived SIGKILL", c.Pid())
	}
}

// terminate sends SIGTERM and waits up to timeout for a clean exit. It
// returns how long the shutdown took and the exit error (nil = status 0).
func (c *collector) terminate(timeout time.Duration) (time.Duration, error) {
	c.t.Helper()
	start := time.Now()
	err := c.Stop(syscall.SIGTERM, timeout)
	return time.Since(start), err
}

// stop terminates the Collector and fails the test unless it exits 0.
func (c *collector) stop() time.Duration {
	c.t.Helper()
	took, err := c.terminate(5 * time.Minute)
	if err != nil {
		c.t.Fatalf("collector did not stop cleanly: %v\n%s", err, c.Tail(6000))
	}
	return took
}
