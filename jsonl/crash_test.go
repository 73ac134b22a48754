package jsonl

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	crashChildEnv = "JSONL_CRASH_CHILD_DIR"
	crashRunEnv   = "JSONL_CRASH_CHILD_RUN"
)

// crashChild runs in the re-executed test binary: it appends numbered lines
// forever and prints "ack N" after each Append that returned success,
// until the parent kills it.
func crashChild() {
	dir, run := os.Getenv(crashChildEnv), os.Getenv(crashRunEnv)
	s, err := Open(dir, Options{MaxBytes: 32 << 10, MaxFiles: 1 << 20})
	if err != nil {
		fmt.Fprintln(os.Stdout, "err", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stdout, "ready")
	buf := make([]byte, 0, 64<<10)
	for seq := 0; ; {
		buf = buf[:0]
		for range 1 + seq%17 {
			buf = fmt.Appendf(buf, `{"run":%s,"seq":%d,"pad":"%s"}`+"\n", run, seq, strings.Repeat("p", seq%300))
			seq++
		}
		if err := s.Append(buf); err != nil {
			fmt.Fprintln(os.Stdout, "err", err)
			os.Exit(1)
		}
		os.Stdout.WriteString("ack " + strconv.Itoa(seq-1) + "\n")
	}
}

// TestCrashKeepsEveryAcknowledgedLine kills a writing child process with
// SIGKILL at a random moment, several times over one directory, and checks
// after each restart that only whole lines remain and none that Append
// acknowledged is missing.
func TestCrashKeepsEveryAcknowledgedLine(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	acked := map[int]int{} // run -> highest acknowledged seq
	for run := range 6 {
		acked[run] = crashOnce(t, dir, run, 1+rng.IntN(4000), run == 0)
		s := mustOpen(t, dir, Options{MaxBytes: 32 << 10, MaxFiles: 1 << 20}) // recovery
		mustClose(t, s)
		checkCrashOutput(t, dir, acked)
	}
}

// crashOnce starts the child, kills it after `after` acknowledgements and
// returns the highest acknowledged seq.
func crashOnce(t *testing.T, dir string, run, after int, checkLock bool) int {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashRunEnv+"="+strconv.Itoa(run))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child did not start: %q", sc.Text())
	}
	if checkLock { // the child holds the directory: another process's Open must fail naming it
		_, err := Open(dir, Options{})
		var le *LockedError
		if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
			t.Errorf("Open while child %d holds the dir: %v", cmd.Process.Pid, err)
		}
	}
	last, n := -1, 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || f[0] != "ack" {
			t.Fatalf("child said %q", sc.Text())
		}
		last, _ = strconv.Atoi(f[1])
		if n++; n == after {
			_ = cmd.Process.Kill() // SIGKILL; acks already in the pipe are still read
		}
	}
	_ = cmd.Wait() // killed: the exit status is "signal: killed"
	if n < after {
		t.Fatalf("child stopped after %d acks", n)
	}
	return last
}

// checkCrashOutput reads the directory back: every line must be whole JSON,
// each run's seqs must run 0,1,2,... without gaps or repeats, and reach at
// least the acknowledged seq.
func checkCrashOutput(t *testing.T, dir string, acked map[int]int) {
	t.Helper()
	next := map[int]int{}
	for _, l := range readAll(t, dir) {
		var rec struct{ Run, Seq int }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not a whole line: %.80q: %v", l, err)
		}
		if rec.Seq != next[rec.Run] {
			t.Fatalf("run %d: seq %d, want %d", rec.Run, rec.Seq, next[rec.Run])
		}
		next[rec.Run]++
	}
	for run, last := range acked {
		if next[run] <= last {
			t.Fatalf("run %d: acknowledged up to seq %d, only %d lines survived", run, last, next[run])
		}
	}
	for _, n := range dataNames(t, dir+"/metrics") {
		if strings.HasSuffix(n, extTmp) {
			t.Fatalf("temporary file %s survived recovery", n)
		}
	}
}
