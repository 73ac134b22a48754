//go:build reliability

package reliability

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
)

// readyMessage is what the Collector logs once every component has started.
const readyMessage = "Everything is ready"

// startTimeout bounds how long a Collector may take to start or to fail.
const startTimeout = 30 * time.Second

// repoRoot is the repository root (the parent of this package's folder).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the reliability package source")
	}
	return filepath.Dir(filepath.Dir(file))
}

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

// freePort returns a loopback address with a port that was free a moment
// ago (the kernel picks it).
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// logBuffer collects a child's output and wakes waiters on every write.
type logBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{} // capacity 1: "something was written"
}

func newLogBuffer() *logBuffer { return &logBuffer{notify: make(chan struct{}, 1)} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.buf.Write(p)
	b.mu.Unlock()
	select {
	case b.notify <- struct{}{}:
	default:
	}
	return n, err
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// collector is one running otelcol-analytics process.
type collector struct {
	t       testing.TB
	cmd     *exec.Cmd
	log     *logBuffer
	exited  chan struct{}
	waitErr error // valid after exited is closed
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
	var cmd *exec.Cmd
	if o.umask != "" {
		cmd = exec.Command("/bin/sh", "-c", "umask "+o.umask+`; exec "$0" "$@"`, bin, "--config", cfgPath)
	} else {
		cmd = exec.Command(bin, "--config", cfgPath)
	}
	c := &collector{t: t, cmd: cmd, log: newLogBuffer(), exited: make(chan struct{}), ports: p, cfgPath: cfgPath}
	cmd.Stdout, cmd.Stderr = c.log, c.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		if c.running() {
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("Collector output (pid %d, config %s):\n%s", c.cmd.Process.Pid, cfgPath, tail(c.log.String(), 6000))
		}
	})
	return c
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func (c *collector) running() bool {
	select {
	case <-c.exited:
		return false
	default:
		return true
	}
}

// waitLog waits until the output contains substr, the process exits, or
// the timeout passes.
func (c *collector) waitLog(substr string, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if strings.Contains(c.log.String(), substr) {
			return nil
		}
		select {
		case <-c.log.notify:
		case <-c.exited:
			if strings.Contains(c.log.String(), substr) {
				return nil
			}
			if c.waitErr == nil {
				return fmt.Errorf("collector exited with status 0 before logging %q", substr)
			}
			return fmt.Errorf("collector exited (%w) before logging %q", c.waitErr, substr)
		case <-deadline.C:
			return fmt.Errorf("collector did not log %q within %v", substr, timeout)
		}
	}
}

// waitExit waits for the process to end; false if it is still running after timeout.
func (c *collector) waitExit(timeout time.Duration) bool {
	select {
	case <-c.exited:
		return true
	case <-time.After(timeout):
		return false
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *collector) kill() {
	c.t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	if !c.waitExit(startTimeout) {
		c.t.Fatalf("collector pid %d survived SIGKILL", c.cmd.Process.Pid)
	}
}

// terminate sends SIGTERM and waits up to timeout for a clean exit. It
// returns how long the shutdown took and the exit error (nil = status 0).
func (c *collector) terminate(timeout time.Duration) (time.Duration, error) {
	c.t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		c.t.Fatalf("SIGTERM: %v", err)
	}
	if !c.waitExit(timeout) {
		_ = c.cmd.Process.Kill()
		<-c.exited
		return time.Since(start), fmt.Errorf("no exit within %v of SIGTERM (killed)", timeout)
	}
	return time.Since(start), c.waitErr
}

// stop terminates the Collector and fails the test unless it exits 0.
func (c *collector) stop() time.Duration {
	c.t.Helper()
	took, err := c.terminate(5 * time.Minute)
	if err != nil {
		c.t.Fatalf("collector did not stop cleanly: %v\n%s", err, tail(c.log.String(), 6000))
	}
	return took
}
