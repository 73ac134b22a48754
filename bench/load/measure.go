package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// result is what one measured run cost the Collector.
type result struct {
	records           int64
	elapsed           time.Duration // first batch sent .. last answered
	cpuMicros         int64         // Collector CPU, including the settle wait
	rssStart, rssPeak int64
	rssMid, rssEnd    int64
	rssSamples        int
	rssCurve          []int64 // RSS at 10 evenly spaced moments of the run
	rejected          int64
}

// measure sends the batches while sampling the Collector's RSS, then waits
// for the Collector to go idle (so background work such as compressing
// rotated files is counted) and reads its CPU time.
func measure(ctx context.Context, c config, s *sender) (result, error) {
	var r result
	cpu0, err := procCPU(c.pid)
	if err != nil {
		return r, err
	}
	if r.rssStart, err = procRSS(c.pid); err != nil {
		return r, err
	}
	stop := make(chan struct{})
	samples := make(chan []int64, 1)
	go sampleRSS(c.pid, c.sampleEvery, stop, samples)
	var done atomic.Int64
	t0 := time.Now()
	sendErr := s.run(ctx, c.batches, c.concurrency, &done)
	r.elapsed = time.Since(t0)
	close(stop)
	rss := <-samples
	if sendErr != nil {
		return r, fmt.Errorf("after %d batches: %w", done.Load(), sendErr)
	}
	cpu1, err := settle(ctx, c.pid, c.settle)
	if err != nil {
		return r, err
	}
	r.cpuMicros = cpu1 - cpu0
	r.records = done.Load() * int64(c.records)
	r.rejected = s.rejected.Load()
	if r.rssEnd, err = procRSS(c.pid); err != nil {
		return r, err
	}
	r.rssSamples = len(rss)
	r.rssPeak = max(r.rssStart, r.rssEnd)
	if len(rss) > 0 {
		r.rssPeak = max(r.rssPeak, slices.Max(rss))
		r.rssMid = rss[len(rss)/2]
		r.rssCurve = curve(rss, 10)
	}
	return r, nil
}

// sampleRSS reads the RSS every interval until stop closes, then sends the
// samples (bounded by the run's duration limit / interval).
func sampleRSS(pid int, every time.Duration, stop <-chan struct{}, out chan<- []int64) {
	var rss []int64
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			out <- rss
			return
		case <-t.C:
			if v, err := procRSS(pid); err == nil {
				rss = append(rss, v)
			}
		}
	}
}

// settle polls the Collector's CPU time until it stops rising (two quiet
// 200 ms windows: at most one clock tick each) or limit passes, and returns
// the last reading.
func settle(ctx context.Context, pid int, limit time.Duration) (int64, error) {
	const window = 200 * time.Millisecond
	prev, err := procCPU(pid)
	if err != nil {
		return 0, err
	}
	deadline := time.Now().Add(limit)
	quiet := 0
	for quiet < 2 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(window)
		cur, err := procCPU(pid)
		if err != nil {
			return 0, err
		}
		if cur-prev <= 1_000_000/clockTicks {
			quiet++
		} else {
			quiet = 0
		}
		prev = cur
	}
	return prev, nil
}

func (r result) print(c config, batchBytes int) {
	secs := r.elapsed.Seconds()
	perRec := float64(r.cpuMicros) / float64(max(r.records, 1))
	fmt.Printf("sent        %d batches x %d records (%d bytes each), concurrency %d\n",
		c.batches, c.records, batchBytes, c.concurrency)
	fmt.Printf("records     %d in %.2fs = %.0f records/s (rejected %d)\n",
		r.records, secs, float64(r.records)/secs, r.rejected)
	fmt.Printf("collector   %.3f CPU-s = %.2f CPU-us/record\n", float64(r.cpuMicros)/1e6, perRec)
	fmt.Printf("rss MiB     start %.1f  mid %.1f  peak %.1f  end %.1f (%d samples)\n",
		mib(r.rssStart), mib(r.rssMid), mib(r.rssPeak), mib(r.rssEnd), r.rssSamples)
	fmt.Printf("rss curve   %s MiB\n", curveMiB(r.rssCurve))
	fmt.Printf("RESULT records=%d seconds=%.3f records_per_s=%.0f cpu_us=%d cpu_us_per_record=%.3f "+
		"rss_start=%d rss_mid=%d rss_peak=%d rss_end=%d rejected=%d rss_curve_mib=%s\n",
		r.records, secs, float64(r.records)/secs, r.cpuMicros, perRec,
		r.rssStart, r.rssMid, r.rssPeak, r.rssEnd, r.rejected, curveMiB(r.rssCurve))
}

// curve picks n samples evenly spaced over rss, first and last included.
func curve(rss []int64, n int) []int64 {
	if len(rss) <= n {
		return rss
	}
	out := make([]int64, n)
	for i := range n {
		out[i] = rss[i*(len(rss)-1)/(n-1)]
	}
	return out
}

func curveMiB(c []int64) string {
	var b strings.Builder
	for i, v := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%.1f", mib(v))
	}
	return b.String()
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
