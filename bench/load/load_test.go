package main

import (
	"context"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"

	"github.com/analyticsexporter/analyticsexporter/bench/gen"
)

// countingServer is an OTLP logs receiver that records what it was sent.
type countingServer struct {
	plogotlp.UnimplementedGRPCServer
	mu       sync.Mutex
	records  int
	sessions map[string]bool
}

func (s *countingServer) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ld := req.Logs()
	s.records += ld.LogRecordCount()
	recs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	for i := range recs.Len() {
		v, _ := recs.At(i).Attributes().Get("session.id")
		s.sessions[v.Str()] = true
	}
	resp := plogotlp.NewExportResponse()
	resp.PartialSuccess().SetRejectedLogRecords(1)
	return resp, nil
}

func startServer(t *testing.T) (string, *countingServer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	cs := &countingServer{sessions: map[string]bool{}}
	plogotlp.RegisterGRPCServer(srv, cs)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("grpc server: %v", err)
		}
	})
	return l.Addr().String(), cs
}

func TestSenderDeliversEveryBatchWithFreshSessions(t *testing.T) {
	addr, cs := startServer(t)
	tmpl, err := plogotlp.NewExportRequestFromLogs(gen.ClaudeCodeLogs(50, 5)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSender(addr, tmpl, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.conn.Close()
	var done atomic.Int64
	if err := s.run(context.Background(), 12, 3, &done); err != nil {
		t.Fatal(err)
	}
	if done.Load() != 12 || cs.records != 600 {
		t.Fatalf("done=%d batches, server saw %d records; want 12 and 600", done.Load(), cs.records)
	}
	if len(cs.sessions) != 12*5 {
		t.Errorf("distinct sessions = %d, want %d (5 per batch, fresh each batch)", len(cs.sessions), 12*5)
	}
	if got := s.rejected.Load(); got != 12 {
		t.Errorf("rejected = %d, want 12 (one per response)", got)
	}
}

func TestSenderWithoutStampingRepeatsSessions(t *testing.T) {
	addr, cs := startServer(t)
	tmpl, _ := plogotlp.NewExportRequestFromLogs(gen.ClaudeCodeLogs(10, 5)).MarshalProto()
	s, err := newSender(addr, tmpl, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.conn.Close()
	var done atomic.Int64
	if err := s.run(context.Background(), 4, 2, &done); err != nil {
		t.Fatal(err)
	}
	if len(cs.sessions) != 5 {
		t.Errorf("distinct sessions = %d, want 5", len(cs.sessions))
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:4317": true, "[::1]:4317": true, "localhost:1": true,
		"10.0.0.1:4317": false, "example.com:4317": false, "0.0.0.0:4317": false, "nohost": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func TestProcReadersSeeThisProcess(t *testing.T) {
	pid := os.Getpid()
	c0, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 300_000_000 { // about 0.1-0.3 s of CPU: several clock ticks
		x ^= i * 7
	}
	c1, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	if c1 <= c0 {
		t.Errorf("CPU did not rise after a busy loop: %d -> %d (x=%d)", c0, c1, x)
	}
	rss, err := procRSS(pid)
	if err != nil || rss < 1<<20 {
		t.Errorf("procRSS = %d, %v; want > 1 MiB", rss, err)
	}
	if _, err := procCPU(1 << 30); err == nil {
		t.Error("procCPU of a missing pid: want an error")
	}
}

func TestValidateNamesTheFlag(t *testing.T) {
	c := config{addr: "127.0.0.1:1", pid: 1, batches: 1, records: 1, concurrency: 1}
	if err := c.validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	bad := c
	bad.addr = "192.168.1.1:4317"
	if err := bad.validate(); err == nil {
		t.Error("non-loopback address accepted")
	}
	bad = c
	bad.batches = 2_000_000
	if err := bad.validate(); err == nil {
		t.Error("batches beyond the bound accepted")
	}
}

func TestCurvePicksEvenlySpacedSamplesWithBothEnds(t *testing.T) {
	rss := make([]int64, 100)
	for i := range rss {
		rss[i] = int64(i)
	}
	c := curve(rss, 10)
	if len(c) != 10 || c[0] != 0 || c[9] != 99 || c[1] != 11 {
		t.Fatalf("curve = %v, want 10 points from 0 to 99 (second 11)", c)
	}
	if short := curve(rss[:3], 10); len(short) != 3 {
		t.Fatalf("curve of 3 samples = %v, want them all", short)
	}
	if got := curveMiB([]int64{1 << 20, 3 << 19}); got != "1.0,1.5" {
		t.Fatalf("curveMiB = %q", got)
	}
}
