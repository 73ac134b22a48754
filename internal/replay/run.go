package replay

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Plan is a set of sessions replayed together.
type Plan struct {
	// Sessions in launch order.
	Sessions []*Session
	// Offsets[i] is when session i is launched, counted from the run's
	// start; its timestamps start at Base + Offsets[i].
	Offsets []time.Duration
	// Base is the timestamp base of the plan.
	Base time.Time
	// Gap is the pause between two requests of one session.
	Gap time.Duration
}

// NewPlan makes n sessions over the captures in turn (session i replays
// caps[i%len(caps)]), launched evenly over spread, with ids from seed: the
// same arguments give the same plan.
func NewPlan(caps []*Capture, n int, base time.Time, spread, gap time.Duration, seed uint64) *Plan {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	p := &Plan{Base: base, Gap: gap}
	for i := range n {
		off := time.Duration(0)
		if n > 1 {
			off = spread * time.Duration(i) / time.Duration(n-1)
		}
		p.Sessions = append(p.Sessions, NewSession(caps[i%len(caps)], base.Add(off), rng))
		p.Offsets = append(p.Offsets, off)
	}
	return p
}

// Requests counts the requests of the plan.
func (p *Plan) Requests() int {
	n := 0
	for _, s := range p.Sessions {
		n += len(s.Capture.Requests)
	}
	return n
}

// Outcome is what the replay of one session observed.
type Outcome struct {
	// Acked counts the requests acknowledged by the receiver.
	Acked int
	// Items counts the records, data points and spans of the acknowledged
	// requests.
	Items int
	// Attempts counts every post, retries included.
	Attempts int
	// Rejected sums the partial-success rejections of the acknowledgements.
	Rejected int64
	// Err is the first failure; the session's later requests were not sent.
	Err error
}

// Runner replays a plan.
type Runner struct {
	// Sender posts the requests.
	Sender *Sender
	// Acked counts the acknowledged requests of the run so far.
	Acked atomic.Int64
	// MaxActive is the most sessions that were between their first request
	// and their last acknowledgement at once.
	MaxActive atomic.Int64

	active atomic.Int64

	mu      sync.Mutex
	waiters []waiter
}

type waiter struct {
	n  int64
	ch chan struct{}
}

// At returns a channel that is closed once n requests of the run have been
// acknowledged, for a caller that acts at that point of the run.
func (r *Runner) At(n int64) <-chan struct{} {
	ch := make(chan struct{})
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Acked.Load() >= n {
		close(ch)
		return ch
	}
	r.waiters = append(r.waiters, waiter{n, ch})
	return ch
}

// acked counts one acknowledgement and wakes the waiters it satisfies.
func (r *Runner) acked() {
	v := r.Acked.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.waiters[:0]
	for _, w := range r.waiters {
		if v >= w.n {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	r.waiters = kept
}

// Run replays every session of p concurrently: session i is launched
// Offsets[i] after Run is called and sends its requests in order, each
// after the previous one was acknowledged and Gap has passed. It returns
// when every session has finished or failed (ctx ending fails the rest).
func (r *Runner) Run(ctx context.Context, p *Plan) []Outcome {
	out := make([]Outcome, len(p.Sessions))
	start := time.Now()
	var wg sync.WaitGroup
	for i, s := range p.Sessions {
		wg.Go(func() {
			if !sleep(ctx, time.Until(start.Add(p.Offsets[i]))) {
				out[i].Err = ctx.Err()
				return
			}
			r.session(ctx, s, p.Gap, &out[i])
		})
	}
	wg.Wait()
	return out
}

func (r *Runner) session(ctx context.Context, s *Session, gap time.Duration, o *Outcome) {
	n := r.active.Add(1)
	defer r.active.Add(-1)
	for m := r.MaxActive.Load(); n > m && !r.MaxActive.CompareAndSwap(m, n); m = r.MaxActive.Load() {
	}
	for i, req := range s.Capture.Requests {
		if i > 0 && !sleep(ctx, gap) {
			o.Err = ctx.Err()
			return
		}
		ct, body, err := s.Body(i)
		if err != nil {
			o.Err = err
			return
		}
		res, err := r.Sender.Send(ctx, req.Signal, ct, body)
		o.Attempts += res.Attempts
		if err != nil {
			o.Err = err
			return
		}
		o.Acked++
		o.Items += req.Items
		o.Rejected += res.Rejected
		r.acked()
	}
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
