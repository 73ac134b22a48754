//go:build scale

package scale

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

const (
	startTimeout = 60 * time.Second // a cold start on a busy 2-core machine
	stopTimeout  = 2 * time.Minute  // SIGTERM to exit, the gateway's drain included
)

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// proc is one running Collector process.
type proc struct {
	*testproc.Proc
	t    testing.TB
	name string
	cpu0 time.Duration // CPU time used by the time it was ready
}

// portAttempts is how often a Collector is started with fresh ports when
// one of its ports was taken between freePort and its bind: other processes
// on the machine, and this test's own client connections, take ports from
// the same range.
const portAttempts = 3

// start runs bin in dir with the env (added to this process's) and args
// that launch returns, and waits until it logs that it is ready. When it
// exits because a port is in use, launch is called again for fresh ports.
// The process is killed at cleanup if still running.
func start(t testing.TB, name, bin, dir string, launch func() (env, args []string)) *proc {
	t.Helper()
	for attempt := 1; ; attempt++ {
		env, args := launch()
		p := &proc{t: t, name: name}
		p.Proc = testproc.Start(t, name, bin, args, testproc.Options{Dir: dir, Env: env, FailureTail: 4000})
		err := p.WaitLog(testbinary.ReadyMessage, startTimeout)
		if err == nil {
			p.cpu0 = p.cpu()
			return p
		}
		if attempt < portAttempts && strings.Contains(p.Output(), "address already in use") {
			t.Logf("%s: a port was taken before it could bind it; starting again with fresh ports", name)
			continue
		}
		t.Fatalf("%v\n%s", err, p.Tail(4000))
	}
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on every
// Linux architecture Go supports).
const clockTicks = 100

// busy is the CPU time the process has used since it was ready.
func (p *proc) busy() time.Duration { return p.cpu() - p.cpu0 }

// cpu is the CPU time (user + system) the running process has used.
func (p *proc) cpu() time.Duration {
	p.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
	if err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14, stime 15.
	rest := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(rest) < 13 {
		p.t.Fatalf("%s: short /proc stat %q", p.name, b)
	}
	utime, err1 := strconv.ParseInt(rest[11], 10, 64)
	stime, err2 := strconv.ParseInt(rest[12], 10, 64)
	if err1 != nil || err2 != nil {
		p.t.Fatalf("%s: /proc stat %q", p.name, b)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// peakRSS is the most resident memory the running process has used
// (VmHWM), in MiB.
func (p *proc) peakRSS() float64 {
	p.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				p.t.Fatalf("%s: VmHWM %q", p.name, v)
			}
			return float64(kb) / 1024
		}
	}
	p.t.Fatalf("%s: no VmHWM in /proc status", p.name)
	return 0
}

// kill sends SIGKILL and waits until the process is gone.
func (p *proc) kill() {
	p.t.Helper()
	if !p.Kill(startTimeout) {
		p.t.Fatalf("%s survived SIGKILL", p.name)
	}
}

// stop sends SIGTERM and fails the test unless the process exits 0 within
// stopTimeout.
func (p *proc) stop() {
	p.t.Helper()
	if err := p.Stop(syscall.SIGTERM, stopTimeout); err != nil {
		p.t.Fatalf("%s: SIGTERM: %v\n%s", p.name, err, p.Tail(4000))
	}
}

// backend is one otelcol-analytics started with gateway/backend.yaml.
type backend struct {
	name     string
	grpc     string // the endpoint the gateway sends to
	http     string // set for the reference backend, which the replay hits directly
	dir      string // its output directory
	bin      string
	withHTTP bool
	p        *proc
	restarts int
}

// backendAddrs are the backend endpoints of gateway/config.yaml, so the
// test routes over the ring of the documented deployment. The ring is
// built from these strings and gives each of them close to a third of the
// sessions (the short run: 155, 156 and 137 of the 448 sessions with a
// routed session id; the second also has the 32 of the empty key). With
// three random ports one backend gets more than 1.4 times its fair share
// about once in 200 port triples (the ring has only 200 points per
// backend).
var backendAddrs = []string{"127.0.0.1:14317", "127.0.0.1:24317", "127.0.0.1:34317"}

// backendEndpoints returns backendAddrs when all of them are free now, else
// n free ports (another run holds them), saying so.
func backendEndpoints(t testing.TB) []string {
	t.Helper()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for _, a := range backendAddrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			t.Logf("%s is taken (%v): the backends get free ports, and the share of each is what the ring makes of them", a, err)
			out := make([]string, len(backendAddrs))
			for i := range out {
				out[i] = testproc.FreeAddr(t)
			}
			return out
		}
		ls = append(ls, l)
	}
	return backendAddrs
}

// newBackend starts a backend on the gRPC endpoint addr, writing into
// base/name. withHTTP adds an OTLP/HTTP receiver (the reference backend
// takes the replay directly).
func newBackend(t testing.TB, bin, base, name, addr string, withHTTP bool) *backend {
	t.Helper()
	b := &backend{name: name, grpc: addr, dir: filepath.Join(base, name), bin: bin, withHTTP: withHTTP}
	b.start(t)
	return b
}

// launch gives the environment and arguments of a start: its endpoint and
// directory, fresh ports for its telemetry and (withHTTP) its OTLP/HTTP
// receiver.
func (b *backend) launch(t testing.TB) (env, args []string) {
	env = []string{
		"BACKEND_ENDPOINT=" + b.grpc,
		"BACKEND_DIRECTORY=" + b.dir,
		"BACKEND_METRICS_PORT=" + port(testproc.FreeAddr(t)),
	}
	args = []string{"--config", filepath.Join(testbinary.RepoRoot(t), "gateway", "backend.yaml")}
	if b.withHTTP {
		b.http = testproc.FreeAddr(t)
		args = append(args, "--config", "yaml:receivers::otlp::protocols::http::endpoint: "+b.http)
	}
	return env, args
}

func (b *backend) start(t testing.TB) {
	t.Helper()
	name := b.name
	if b.restarts > 0 {
		name += " (restart " + strconv.Itoa(b.restarts) + ")"
	}
	b.p = start(t, name, b.bin, filepath.Dir(b.dir), func() ([]string, []string) { return b.launch(t) })
}

// restart starts the backend again on the same endpoint and directory.
func (b *backend) restart(t testing.TB) {
	t.Helper()
	b.restarts++
	b.start(t)
}

// gateway is otelcol-gateway started with gateway/config.yaml, its
// endpoints and backends overridden for this run.
type gateway struct {
	http string
	p    *proc
}

func newGateway(t testing.TB, bin, dir string, backends []*backend) *gateway {
	t.Helper()
	g := &gateway{}
	hosts := make([]string, len(backends))
	for i, b := range backends {
		hosts[i] = b.grpc
	}
	g.p = start(t, "gateway", bin, dir, func() ([]string, []string) {
		g.http = testproc.FreeAddr(t)
		return nil, []string{
			"--config", filepath.Join(testbinary.RepoRoot(t), "gateway", "config.yaml"),
			"--config", "yaml:receivers::otlp::protocols::grpc::endpoint: " + testproc.FreeAddr(t),
			"--config", "yaml:receivers::otlp::protocols::http::endpoint: " + g.http,
			"--config", "yaml:exporters::load_balancing::resolver::static::hostnames: [" + strings.Join(hosts, ", ") + "]",
			"--config", "yaml:service::telemetry::metrics::readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: " + port(testproc.FreeAddr(t)) + "}}}}]",
		}
	})
	return g
}
