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
	hi = hi&^0xf000 | 0x4000       // version 4 in byte 6
	lo = lo&^(0xc0<<56) | 0x80<<56 // RFC 4122 variant in byte 8
	dst = append(dst, '"')
	dst = appendHex64(dst, hi>>32, 4) // 8 digits
	dst = append(dst, '-')
	dst = appendHex64(dst, hi>>16&0xffff, 2) // 4
	dst = append(dst, '-')
	dst = appendHex64(dst, hi&0xffff, 2) // 4
	dst = append(dst, '-')
	dst = appendHex64(dst, lo>>48, 2) // 4
	dst = append(dst, '-')
	dst = appendHex64(dst, lo&0xffffffffffff, 6) // 12
	return append(dst, '"')
}

// appendHex64 appends the low nbytes bytes of v as 2*nbytes hex digits.
func appendHex64(dst []byte, v uint64, nbytes int) []byte {
	for i := nbytes - 1; i >= 0; i-- {
		p := hexPairs[byte(v>>(8*uint(i)))]
		dst = append(dst, p[0], p[1])
	}
	return dst
}
