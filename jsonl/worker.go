package jsonl

import "sync"

// job is one piece of background work: compress e, or (reason set) remove
// every form of e that retention dropped.
type job struct {
	e      *fileEntry
	reason string
}

func newCompressor(s *Sink) *compressor {
	return &compressor{s: s, ext: compressedExt(s.opts.Compression), wake: make(chan struct{}, 1)}
}

// enqueueCompress queues a rotated file, after the files whose compression
// failed before (oldest first, so files are still compressed in name
// order); a no-op with CompressionNone.
func (c *compressor) enqueueCompress(e *fileEntry) {
	if c.s.opts.Compression == CompressionNone {
		return
	}
	c.mu.Lock()
	retry := c.failed
	c.failed = nil
	c.mu.Unlock()
	for _, f := range retry {
		c.enqueue(job{e: f})
	}
	c.enqueue(job{e: e})
}

// enqueueRemovals queues the unlinking of files retention dropped.
func (c *compressor) enqueueRemovals(rs []removal) {
	for _, r := range rs {
		c.enqueue(job(r))
	}
}

func (c *compressor) enqueue(j job) {
	c.mu.Lock()
	c.queue = append(c.queue, j)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run works through the queue until stop is closed and the queue is empty:
// Close therefore returns only after every rotated file is compressed and
// every dropped file removed.
func (c *compressor) run(wg *sync.WaitGroup, stop <-chan struct{}) {
	defer wg.Done()
	for {
		if j, ok := c.next(); ok {
			c.do(j)
			continue
		}
		select {
		case <-c.wake:
		case <-stop:
			if j, ok := c.next(); ok {
				c.do(j)
				continue
			}
			return
		}
	}
}

func (c *compressor) next() (job, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		return job{}, false
	}
	j := c.queue[0]
	c.queue[0] = job{}
	c.queue = c.queue[1:]
	return j, true
}

func (c *compressor) do(j job) {
	if j.reason != "" {
		c.s.removeFiles([]removal{{j.e, j.reason}})
		return
	}
	c.compress(j.e)
}
