package encode

import "math/rand/v2"

// hexPairs[b] holds the two lowercase hex digits of b.
var hexPairs = func() (t [256][2]byte) {
	for i := range t {
		t[i] = [2]byte{hexDigits[i>>4], hexDigits[i&0xf]}
	}
	return t
}()

// UUID appends a random version-4 UUID in canonical form, quoted. Fast (no
// crypto/rand per call) and safe for concurrent use.
//
// The 122 random bits come from math/rand/v2's top-level generator, a
// ChaCha8 stream per thread seeded by the runtime from the OS: unpredictable
// enough for ids that only need to be unique, and lock-free.
func UUID(dst []byte) []byte {
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^0xf000 | 0x4000       // version 4: high nibble of byte 6
	lo = lo&^(0xc0<<56) | 0x80<<56 // RFC 4122 variant: top bits of byte 8
	dst, b := grow(dst, 38)
	_ = b[37]
	b[0], b[9], b[14], b[19], b[24], b[37] = '"', '-', '-', '-', '-', '"'
	putHex(b[1:9], hi>>32)
	putHex(b[10:14], hi>>16)
	putHex(b[15:19], hi)
	putHex(b[20:24], lo>>48)
	putHex(b[25:37], lo)
	return dst
}

// putHex fills b with the len(b)/2 low bytes of v as hex digits.
func putHex(b []byte, v uint64) {
	for i := len(b) - 2; i >= 0; i -= 2 {
		p := hexPairs[byte(v)]
		b[i], b[i+1] = p[0], p[1]
		v >>= 8
	}
}

// grow extends dst by n bytes and returns it with the new n-byte window, so
// that fixed-size output is written by index instead of n appends.
func grow(dst []byte, n int) (_, window []byte) {
	l := len(dst)
	if cap(dst)-l < n {
		dst = append(dst[:cap(dst)], make([]byte, l+n-cap(dst))...)[:l]
	}
	dst = dst[:l+n]
	return dst, dst[l:]
}
