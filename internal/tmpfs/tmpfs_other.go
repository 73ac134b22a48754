//go:build !linux

// Package tmpfs mounts small tmpfs file systems for the tests that fill a
// disk; only on Linux.
package tmpfs

import "testing"

// Mount skips tb: mounting a tmpfs needs Linux.
func Mount(tb testing.TB, size int64) string {
	tb.Helper()
	tb.Skip("mounting a tmpfs needs Linux")
	return ""
}

// Fill is not reached: Mount skips.
func Fill(tb testing.TB, dir string) (string, int64) {
	tb.Helper()
	tb.Skip("filling a tmpfs needs Linux")
	return "", 0
}
