// Command load drives a running Collector over OTLP/gRPC (loopback only) with
// pre-marshaled Claude-Code-shaped log batches and reports what the load cost
// the Collector process: CPU time per record from /proc/<pid>/stat and its
// resident memory from /proc/<pid>/status, sampled during the run.
//
//	load -addr 127.0.0.1:4317 -pid 1234 -batches 200 -records 1000 -concurrency 4
//
// The last output line starts with RESULT and holds key=value pairs for
// scripts (scripts/bench-e2e.sh). The run is bounded by -batches and
// -max-duration; the tool exits non-zero if any export failed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/analyticsexporter/analyticsexporter/bench/gen"
)

type config struct {
	addr                 string
	pid                  int
	batches, records     int
	concurrency          int
	sessions             int
	freshSessions        bool
	warmup               int
	maxDuration, readyIn time.Duration
	sampleEvery          time.Duration
	settle               time.Duration
}

func parseFlags() (config, bool) {
	var c config
	freePort := flag.Bool("free-port", false, "print a free 127.0.0.1 TCP port and exit")
	flag.StringVar(&c.addr, "addr", "127.0.0.1:4317", "Collector OTLP/gRPC address (loopback only)")
	flag.IntVar(&c.pid, "pid", 0, "Collector process id (CPU and RSS are read from /proc/<pid>)")
	flag.IntVar(&c.batches, "batches", 200, "batches to send in the measured part (max 1000000)")
	flag.IntVar(&c.records, "records", 1000, "log records per batch")
	flag.IntVar(&c.concurrency, "concurrency", 4, "concurrent senders")
	flag.IntVar(&c.sessions, "sessions", 10, "distinct session ids in one batch")
	flag.BoolVar(&c.freshSessions, "fresh-sessions", false, "give every batch session ids no earlier batch used")
	flag.IntVar(&c.warmup, "warmup", 20, "batches sent before measuring")
	flag.DurationVar(&c.maxDuration, "max-duration", 2*time.Minute, "hard limit for the whole run")
	flag.DurationVar(&c.readyIn, "ready-timeout", 30*time.Second, "how long to wait for the Collector to accept a batch")
	flag.DurationVar(&c.sampleEvery, "sample-every", 50*time.Millisecond, "RSS sampling interval")
	flag.DurationVar(&c.settle, "settle", 15*time.Second, "max wait after the last batch for the Collector to go idle (background compression)")
	flag.Parse()
	if *freePort {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fail(err)
		}
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		return c, false
	}
	return c, true
}

func (c config) validate() error {
	if err := checkLoopback(c.addr); err != nil {
		return err
	}
	switch {
	case c.pid <= 0:
		return errors.New("-pid: the Collector's process id is required")
	case c.batches < 1 || c.batches > 1_000_000:
		return errors.New("-batches: must be 1..1000000")
	case c.records < 1 || c.records > 100_000:
		return errors.New("-records: must be 1..100000")
	case c.concurrency < 1 || c.concurrency > 64:
		return errors.New("-concurrency: must be 1..64")
	case c.warmup < 0:
		return errors.New("-warmup: must be >= 0")
	}
	return nil
}

func main() {
	c, ok := parseFlags()
	if !ok {
		return
	}
	if err := c.validate(); err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.maxDuration)
	defer cancel()
	req := plogotlp.NewExportRequestFromLogs(gen.ClaudeCodeLogs(c.records, c.sessions))
	template, err := req.MarshalProto()
	if err != nil {
		fail(err)
	}
	s, err := newSender(c.addr, template, c.freshSessions)
	if err != nil {
		fail(err)
	}
	defer s.conn.Close()
	if err := waitReady(ctx, s, c.readyIn); err != nil {
		fail(fmt.Errorf("collector at %s not ready: %w", c.addr, err))
	}
	var warm atomic.Int64
	if err := s.run(ctx, c.warmup, c.concurrency, &warm); err != nil {
		fail(fmt.Errorf("warm-up: %w", err))
	}
	res, err := measure(ctx, c, s)
	if err != nil {
		fail(err)
	}
	res.print(c, len(template))
}

// waitReady sends one batch until the Collector accepts it.
func waitReady(ctx context.Context, s *sender, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	buf := make([]byte, len(s.template))
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := s.send(cctx, buf)
		cancel()
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(1)
}
