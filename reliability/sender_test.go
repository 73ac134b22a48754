//go:build reliability

package reliability

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Attribute keys the load records carry; the exporter keeps them in `data`.
const (
	attrSeq    = "rel.seq"
	attrSender = "rel.sender"
	attrPad    = "rel.pad"
)

// otlpClient is a real OTLP gRPC client (the pdata one the Collector's own
// OTLP exporter uses).
type otlpClient struct {
	conn    *grpc.ClientConn
	logs    plogotlp.GRPCClient
	metrics pmetricotlp.GRPCClient
}

func dial(t testing.TB, addr string) *otlpClient {
	t.Helper()
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(64<<20)))
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &otlpClient{conn: conn, logs: plogotlp.NewGRPCClient(conn), metrics: pmetricotlp.NewGRPCClient(conn)}
}

func (c *otlpClient) exportLogs(ctx context.Context, ld plog.Logs) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := c.logs.Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
	return err
}

func (c *otlpClient) exportMetrics(ctx context.Context, md pmetric.Metrics) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := c.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(md))
	return err
}

// seqMetrics builds one request holding the gauge points [from, from+n),
// each a performance entry (by the override attribute) with its sequence number.
func seqMetrics(sender int, from int64, n int, pad string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "reliability")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("reliability.load.duration")
	m.SetUnit("ms")
	dps := m.SetEmptyGauge().DataPoints()
	dps.EnsureCapacity(n)
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range n {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(now)
		dp.SetDoubleValue(float64(i))
		a := dp.Attributes()
		a.PutStr("analytics.type", "performance")
		a.PutInt(attrSender, int64(sender))
		a.PutInt(attrSeq, from+int64(i))
		if pad != "" {
			a.PutStr(attrPad, pad)
		}
	}
	return md
}

// seqLogs builds one request holding the records [from, from+n), each a
// tool_use (by the override attribute) with its sequence number.
func seqLogs(sender int, from int64, n int, pad string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "reliability")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("reliability")
	now := pcommon.NewTimestampFromTime(time.Now())
	recs := sl.LogRecords()
	recs.EnsureCapacity(n)
	for i := 0; i < n; i++ {
		r := recs.AppendEmpty()
		r.SetTimestamp(now)
		r.SetEventName("reliability.load")
		r.Body().SetStr("reliability load record")
		a := r.Attributes()
		a.PutStr("analytics.type", "tool_use")
		a.PutStr("tool_name", "load")
		a.PutInt(attrSender, int64(sender))
		a.PutInt(attrSeq, from+int64(i))
		if pad != "" {
			a.PutStr(attrPad, pad)
		}
	}
	return ld
}

// padding is a payload string of n bytes.
func padding(n int) string { return strings.Repeat("x", n) }

// ledger tracks, per sequence number, how often it was sent and whether an
// export carrying it returned OK. Batches not yet acknowledged stay pending
// and are sent again (as a real OTLP client retries) by the next senders.
type ledger struct {
	batch int
	pad   string
	// metricsEvery > 0 sends every sender whose number is a multiple of it
	// as gauge data points over the metrics service instead of log records.
	metricsEvery int

	mu       sync.Mutex
	next     int64
	attempts []uint16 // by seq
	acked    []bool   // by seq
	pending  []int64  // first seq of each unacknowledged batch

	ackedCount atomic.Int64
	ackSignal  chan struct{} // capacity 1, poked on every ack
}

func newLedger(batch, pad int) *ledger {
	return &ledger{batch: batch, pad: padding(pad), ackSignal: make(chan struct{}, 1)}
}

// take returns the first seq of a batch to send: a pending one first.
func (l *ledger) take() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.pending); n > 0 {
		from := l.pending[n-1]
		l.pending = l.pending[:n-1]
		return from
	}
	from := l.next
	l.next += int64(l.batch)
	for len(l.attempts) < int(l.next) {
		l.attempts = append(l.attempts, 0)
		l.acked = append(l.acked, false)
	}
	return from
}

func (l *ledger) attempt(from int64) {
	l.mu.Lock()
	for s := from; s < from+int64(l.batch); s++ {
		l.attempts[s]++
	}
	l.mu.Unlock()
}

func (l *ledger) ack(from int64) {
	l.mu.Lock()
	for s := from; s < from+int64(l.batch); s++ {
		l.acked[s] = true
	}
	l.mu.Unlock()
	l.ackedCount.Add(int64(l.batch))
	select {
	case l.ackSignal <- struct{}{}:
	default:
	}
}

func (l *ledger) giveBack(from int64) {
	l.mu.Lock()
	l.pending = append(l.pending, from)
	l.mu.Unlock()
}

// waitAcked waits until at least n records are acknowledged or the timeout passes.
func (l *ledger) waitAcked(n int64, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for l.ackedCount.Load() < n {
		select {
		case <-l.ackSignal:
		case <-deadline.C:
			return false
		}
	}
	return true
}

// export sends the batch starting at from as logs, or as metrics for the
// senders metricsEvery selects.
func (l *ledger) export(ctx context.Context, c *otlpClient, sender int, from int64) error {
	if l.metricsEvery > 0 && sender > 0 && sender%l.metricsEvery == 0 {
		return c.exportMetrics(ctx, seqMetrics(sender, from, l.batch, l.pad))
	}
	return c.exportLogs(ctx, seqLogs(sender, from, l.batch, l.pad))
}

// sendResult counts what one sender loop saw.
type sendResult struct {
	ok, failed int
	lastErr    error
}

// run sends batches until ctx ends: each batch is retried until an export
// returns OK; a batch cut off by ctx is given back as pending. maxBatches
// > 0 stops after that many acknowledged batches.
func (l *ledger) run(ctx context.Context, c *otlpClient, sender, maxBatches int) sendResult {
	var res sendResult
	backoff := time.NewTimer(0)
	defer backoff.Stop()
	for ctx.Err() == nil && (maxBatches <= 0 || res.ok < maxBatches) {
		from := l.take()
		for {
			l.attempt(from)
			err := l.export(ctx, c, sender, from)
			if err == nil {
				l.ack(from)
				res.ok++
				break
			}
			res.failed++
			res.lastErr = err
			backoff.Reset(20 * time.Millisecond)
			select {
			case <-ctx.Done():
				l.giveBack(from)
				return res
			case <-backoff.C:
			}
		}
	}
	return res
}

// drain sends every pending batch until acknowledged (bounded by ctx).
func (l *ledger) drain(ctx context.Context, c *otlpClient) error {
	for {
		l.mu.Lock()
		n := len(l.pending)
		l.mu.Unlock()
		if n == 0 {
			return nil
		}
		from := l.take()
		for {
			l.attempt(from)
			err := l.export(ctx, c, 0, from)
			if err == nil {
				l.ack(from)
				break
			}
			select {
			case <-ctx.Done():
				l.giveBack(from)
				return err
			case <-time.After(20 * time.Millisecond): // retry backoff
			}
		}
	}
}

// verdict compares what was read back with the ledger.
type verdict struct {
	sent, acked, found, lost, dupBeyondRetries, phantom int
}

func (l *ledger) judge(found map[int64]int) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	var v verdict
	for s, a := range l.attempts {
		if a > 0 {
			v.sent++
		}
		if l.acked[s] {
			v.acked++
			if found[int64(s)] == 0 {
				v.lost++
			}
		}
	}
	for s, n := range found {
		v.found++
		switch {
		case s < 0 || s >= int64(len(l.attempts)) || l.attempts[s] == 0:
			v.phantom++
		case n > int(l.attempts[s]):
			v.dupBeyondRetries++
		}
	}
	return v
}
