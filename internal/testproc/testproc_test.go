package testproc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv selects what the test binary does when it runs as the child.
const childEnv = "TESTPROC_CHILD"

// TestMain runs the child's part when childEnv is set: the child is this
// test binary itself.
func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(child(mode))
	}
	os.Exit(m.Run())
}

// child is the child process: "serve" logs ready and exits 0 on SIGTERM,
// "deaf" logs ready and ignores SIGTERM, "fail" writes a line and exits 3,
// "where" prints its working directory and TESTPROC_VALUE.
func child(mode string) int {
	switch mode {
	case "serve":
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		fmt.Println("ready")
		<-term
		fmt.Fprintln(os.Stderr, "stopping on SIGTERM")
		return 0
	case "deaf":
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		time.Sleep(time.Hour) // until killed
		return 0
	case "fail":
		fmt.Fprintln(os.Stderr, "bad config")
		return 3
	case "where":
		wd, _ := os.Getwd()
		fmt.Printf("dir=%s value=%s\n", wd, os.Getenv("TESTPROC_VALUE"))
		return 0
	}
	return 2
}

func startChild(t *testing.T, mode string, o Options) *Proc {
	t.Helper()
	o.Env = append(o.Env, childEnv+"="+mode)
	return Start(t, mode, os.Args[0], nil, o)
}

func TestWaitLogThenStop(t *testing.T) {
	p := startChild(t, "serve", Options{})
	if err := p.WaitLog("ready", time.Minute); err != nil {
		t.Fatal(err)
	}
	if !p.Running() || p.Err() != nil {
		t.Fatalf("running %v, err %v after ready", p.Running(), p.Err())
	}
	if err := p.Stop(syscall.SIGTERM, time.Minute); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if p.Running() {
		t.Error("still running after Stop")
	}
	// stderr lands in the same output as stdout.
	if out := p.Output(); !strings.Contains(out, "ready\n") || !strings.Contains(out, "stopping on SIGTERM") {
		t.Errorf("output %q lacks a line of stdout or of stderr", out)
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("a signal to an exited process: %v", err)
	}
}

func TestWaitLogSeesTheExit(t *testing.T) {
	p := startChild(t, "fail", Options{})
	err := p.WaitLog("ready", time.Minute)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(err.Error(), `fail exited`) {
		t.Fatalf("WaitLog = %v, want the exit with status 3", err)
	}
	if !errors.As(p.Err(), &exit) || exit.ExitCode() != 3 {
		t.Errorf("Err = %v, want status 3", p.Err())
	}
	if got := p.Tail(7); got != "…config\n" {
		t.Errorf("Tail(7) = %q", got)
	}
}

func TestWaitLogTimesOut(t *testing.T) {
	p := startChild(t, "serve", Options{})
	err := p.WaitLog("never logged", 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not log") {
		t.Fatalf("WaitLog = %v, want a timeout", err)
	}
	if !p.Running() {
		t.Error("a timeout of WaitLog stopped the process")
	}
}

func TestStopKillsAfterTimeout(t *testing.T) {
	p := startChild(t, "deaf", Options{})
	if err := p.WaitLog("ready", time.Minute); err != nil {
		t.Fatal(err)
	}
	err := p.Stop(syscall.SIGTERM, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Stop = %v, want the kill after the timeout", err)
	}
	if p.Running() {
		t.Error("still running after the kill")
	}
}

func TestKill(t *testing.T) {
	p := startChild(t, "deaf", Options{})
	if err := p.WaitLog("ready", time.Minute); err != nil {
		t.Fatal(err)
	}
	if !p.Kill(time.Minute) {
		t.Fatal("still running after SIGKILL")
	}
	if !p.WaitExit(0) || p.Err() == nil {
		t.Errorf("exited %v with %v, want an exit by signal", !p.Running(), p.Err())
	}
}

func TestDirAndEnv(t *testing.T) {
	dir := t.TempDir()
	p := startChild(t, "where", Options{Dir: dir, Env: []string{"TESTPROC_VALUE=x1"}})
	if !p.WaitExit(time.Minute) {
		t.Fatal("no exit")
	}
	abs, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := "dir=" + abs + " value=x1\n"; p.Output() != want {
		t.Errorf("output %q, want %q", p.Output(), want)
	}
}

func TestFreeAddr(t *testing.T) {
	addr := FreeAddr(t)
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("FreeAddr = %q (%v), want a loopback address", addr, err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the address is not free: %v", err)
	}
	_ = l.Close()
}

func TestTail(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abc", 5, "abc"}, {"abcdef", 2, "…ef"}, {"", 0, ""}} {
		if got := Tail(tc.s, tc.n); got != tc.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
