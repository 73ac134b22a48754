package main

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/analyticsexporter/analyticsexporter/bench/gen"
)

const exportMethod = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"

// rawCodec sends an already marshaled OTLP request as it is and keeps the
// response bytes, so the sender spends nothing on protobuf per batch. It
// names itself "proto", the content subtype the OTLP receiver expects.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	p, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *p, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*p = append((*p)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// checkLoopback refuses any address whose host is not a loopback IP or
// "localhost": this tool must never load another machine.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: only loopback addresses are allowed", addr)
	}
	return nil
}

type sender struct {
	conn     *grpc.ClientConn
	template []byte // one marshaled ExportLogsServiceRequest
	stamp    bool   // give every batch fresh session ids
	gen      atomic.Uint32
	rejected atomic.Int64
}

func newSender(addr string, template []byte, stamp bool) (*sender, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return &sender{conn: conn, template: template, stamp: stamp}, nil
}

// send exports one batch. buf is the worker's own copy of the template when
// stamping (nil otherwise).
func (s *sender) send(ctx context.Context, buf []byte) error {
	req := s.template
	if s.stamp {
		copy(buf, s.template)
		gen.StampSessions(buf, s.gen.Add(1))
		req = buf
	}
	var resp []byte
	if err := s.conn.Invoke(ctx, exportMethod, &req, &resp, grpc.ForceCodec(rawCodec{})); err != nil {
		return err
	}
	if len(resp) > 0 {
		r := plogotlp.NewExportResponse()
		if err := r.UnmarshalProto(resp); err != nil {
			return fmt.Errorf("bad export response: %w", err)
		}
		s.rejected.Add(r.PartialSuccess().RejectedLogRecords())
	}
	return nil
}

// run sends n batches from c workers and returns the first error.
func (s *sender) run(ctx context.Context, n, c int, progress *atomic.Int64) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, c)
	for range c {
		wg.Go(func() {
			var buf []byte
			if s.stamp {
				buf = make([]byte, len(s.template))
			}
			for next.Add(1) <= int64(n) {
				if err := s.send(ctx, buf); err != nil {
					errs <- err
					return
				}
				progress.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
