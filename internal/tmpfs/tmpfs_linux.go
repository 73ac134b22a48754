// Package tmpfs mounts small tmpfs file systems for the tests that fill a
// disk: the exporter's (diskfull_linux_test.go) and the reliability suite's.
package tmpfs

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// Mount mounts a tmpfs of size bytes on a fresh temporary directory and
// returns the directory; it is unmounted at cleanup (registered now, so it
// runs after the cleanups of whatever the test starts later, such as a
// Collector writing there). Mount skips tb where mounting is not possible:
// not root, or no CAP_SYS_ADMIN (a container).
func Mount(tb testing.TB, size int64) string {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skipf("needs root to mount a %d-byte tmpfs", size)
	}
	dir := tb.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.FormatInt(size, 10)+",mode=0755"); err != nil {
		tb.Skipf("cannot mount a tmpfs on %s: %v", dir, err)
	}
	tb.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			tb.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes a file named filler in dir until the file system is full and
// returns its path and size. Any error but ENOSPC fails tb.
func Fill(tb testing.TB, dir string) (path string, size int64) {
	tb.Helper()
	path = filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		n, err := f.Write(chunk)
		size += int64(n)
		if errors.Is(err, syscall.ENOSPC) {
			return path, size
		}
		if err != nil {
			tb.Fatalf("fill %s: %v", path, err)
		}
	}
}
