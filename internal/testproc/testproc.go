// Package testproc runs a built binary as a child process for the tests
// that drive the binaries (e2e/, reliability/, scale/ and the live run of
// conformance/): its combined output captured, waiting for a line of it or
// for its exit, and stopping it with a signal.
package testproc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options change how Start runs the binary.
type Options struct {
	// Dir is the working directory; "" keeps this process's.
	Dir string
	// Env is added to this process's environment.
	Env []string
	// FailureTail is how many bytes of the output's end are logged at
	// cleanup when the test has failed: 0 logs nothing, a negative number
	// all of it.
	FailureTail int
}

// Proc is one running (or exited) child process.
type Proc struct {
	name   string
	cmd    *exec.Cmd
	out    *output
	exited chan struct{} // closed once Wait has returned
	err    error         // Wait's result, valid once exited is closed
}

// Start runs bin with args, its stdout and stderr both captured, and fails
// tb when it cannot be started. name says which process it is in messages.
// At tb's cleanup a process still running is killed, and with
// o.FailureTail the end of its output is logged if tb has failed. Where
// the system allows, the child is killed when this process dies.
func Start(tb testing.TB, name, bin string, args []string, o Options) *Proc {
	tb.Helper()
	p := &Proc{name: name, out: &output{notify: make(chan struct{}, 1)}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...) //nolint:gosec // it runs the binary its test names, as tests do
	p.cmd.Dir = o.Dir
	if o.Env != nil {
		p.cmd.Env = append(os.Environ(), o.Env...)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = dieWithParent()
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("%s: start %s: %v", name, bin, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		if p.Running() {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if tb.Failed() && o.FailureTail != 0 {
			out := p.Output()
			if o.FailureTail > 0 {
				out = Tail(out, o.FailureTail)
			}
			tb.Logf("%s output (pid %d):\n%s", name, p.Pid(), out)
		}
	})
	return p
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Output is everything the process has written so far.
func (p *Proc) Output() string { return p.out.String() }

// Tail is the last n bytes of Output.
func (p *Proc) Tail(n int) string { return Tail(p.Output(), n) }

// Running reports whether the process has not exited yet.
func (p *Proc) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Err is the result of the process: nil for exit status 0, else the
// *exec.ExitError or the error of waiting for it. It is nil while the
// process runs.
func (p *Proc) Err() error {
	if p.Running() {
		return nil
	}
	return p.err
}

// WaitLog waits until the output holds substr, the process exits, or
// timeout passes; it returns nil only for the first.
func (p *Proc) WaitLog(substr string, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if strings.Contains(p.Output(), substr) {
			return nil
		}
		select {
		case <-p.out.notify:
		case <-p.exited:
			if strings.Contains(p.Output(), substr) {
				return nil
			}
			if p.err == nil {
				return fmt.Errorf("%s exited with status 0 before logging %q", p.name, substr)
			}
			return fmt.Errorf("%s exited (%w) before logging %q", p.name, p.err, substr)
		case <-deadline.C:
			return fmt.Errorf("%s did not log %q within %v", p.name, substr, timeout)
		}
	}
}

// WaitExit waits up to timeout for the process to exit and reports whether
// it has.
func (p *Proc) WaitExit(timeout time.Duration) bool {
	if !p.Running() {
		return true
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
		return false
	}
}

// Signal sends sig to the process; a process that has already exited is
// not an error.
func (p *Proc) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: %v: %w", p.name, sig, err)
	}
	return nil
}

// Stop sends sig and waits up to timeout for the process to exit. It
// returns Err (nil for exit status 0), or, when the process is still
// running after timeout, kills it and returns an error saying so.
func (p *Proc) Stop(sig os.Signal, timeout time.Duration) error {
	if err := p.Signal(sig); err != nil {
		return err
	}
	if !p.WaitExit(timeout) {
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not exit within %v of the signal (%v); killed", p.name, timeout, sig)
	}
	return p.err
}

// Kill sends SIGKILL and waits up to timeout for the process to be gone;
// false if it is still there.
func (p *Proc) Kill(timeout time.Duration) bool {
	_ = p.cmd.Process.Kill()
	return p.WaitExit(timeout)
}

// FreeAddr returns a loopback address (127.0.0.1:port) whose port was free
// a moment ago, for a child to listen on. Another process can take the
// port before the child binds it: a start that fails with "address already
// in use" is worth trying again on a fresh address.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("free port: %v", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// Tail returns the last n bytes of s, marked with a leading "…" when it
// is cut.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// output collects a child's output and wakes a waiter on every write.
type output struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{} // capacity 1: "something was written"
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	n, err := o.buf.Write(b)
	o.mu.Unlock()
	select {
	case o.notify <- struct{}{}:
	default:
	}
	return n, err
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
