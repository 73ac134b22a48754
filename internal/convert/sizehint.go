package convert

import (
	"slices"
	"sync/atomic"
)

// sizeHint remembers how many bytes an entry line took in the last call, so
// that the next call grows dst once to about the size the batch needs. The
// exporter's pooled buffer is often fresh (sync.Pool empties at every GC,
// and a busy Collector collects several times a second); without the hint a
// 1,000-record batch regrows it 64 KiB -> 1 MiB in five copies.
type sizeHint struct {
	perEntry atomic.Int64
}

// maxReserve caps what one call reserves up front (a wrong hint must not
// cost more than an ordinary append growth would).
const maxReserve = 64 << 20

// reserve grows dst so that n more entries of the remembered size fit.
func (h *sizeHint) reserve(dst []byte, n int) []byte {
	per := h.perEntry.Load()
	if per <= 0 || n <= 0 {
		return dst
	}
	want := min(int64(n)*per, maxReserve)
	return slices.Grow(dst, int(want))
}

// learn records that n records took the given bytes (n counts records that
// were dropped too, so the hint errs small rather than large).
func (h *sizeHint) learn(bytes, n int) {
	if n > 0 && bytes > 0 {
		per := int64(bytes / n)
		h.perEntry.Store(per + per/16)
	}
}
