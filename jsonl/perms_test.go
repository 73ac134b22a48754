package jsonl

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Modes are applied whatever the umask: files and directories get exactly
// FileMode and DirMode (defaults 0600 and 0700). Changes the process umask,
// so it does not run in parallel.
func TestModesIgnoreUmask(t *testing.T) {
	for _, c := range []struct {
		name            string
		umask           int
		opts            Options
		wantDir, wantFi os.FileMode
	}{
		{"defaults with umask 000", 0, Options{}, 0o700, 0o600},
		{"0640/0750 with umask 077", 0o077, Options{FileMode: 0o640, DirMode: 0o750}, 0o750, 0o640},
		{"0644/0755 with umask 027", 0o027, Options{FileMode: 0o644, DirMode: 0o755}, 0o755, 0o644},
	} {
		t.Run(c.name, func(t *testing.T) {
			old := syscall.Umask(c.umask)
			defer syscall.Umask(old)
			dir := filepath.Join(t.TempDir(), "base")
			c.opts.MaxBytes = 200
			s := mustOpen(t, dir, c.opts)
			mustAppend(t, s, line(0, 150))
			mustAppend(t, s, line(1, 150)) // rotated and compressed
			mustClose(t, s)
			check := func(name string, want os.FileMode) {
				fi, err := os.Lstat(name)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %v, want %v", filepath.Base(name), got, want)
				}
			}
			check(dir, c.wantDir)
			check(s.Dir(), c.wantDir)
			check(filepath.Join(s.Dir(), lockName), c.wantFi)
			names := dataNames(t, s.Dir())
			if len(names) != 2 {
				t.Fatalf("files = %v", names)
			}
			for _, n := range names {
				check(filepath.Join(s.Dir(), n), c.wantFi)
			}
		})
	}
}

// A symlink planted where the next data file goes is neither followed nor
// replaced; the data goes to the next free name.
func TestSymlinkAtDataNameIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	mdir := filepath.Join(dir, "metrics")
	if err := os.Mkdir(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	victim := filepath.Join(t.TempDir(), "victim")
	writeFile(t, victim, []byte("untouched"))
	planted := filepath.Join(mdir, defaultNames.stemAt(clock.Now().UnixMicro())+extPlain)
	if err := os.Symlink(victim, planted); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, dir, Options{Now: clock.Now})
	mustAppend(t, s, line(0, 50))
	mustClose(t, s)
	if s.liveName == planted {
		t.Fatal("the sink took the planted symlink as its live file")
	}
	if data, _ := os.ReadFile(victim); string(data) != "untouched" {
		t.Fatalf("symlink target written: %q", data)
	}
	if fi, err := os.Lstat(planted); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("planted symlink changed: %v", err)
	}
	if got := readAll(t, dir); len(got) != 1 {
		t.Fatalf("read %d lines (the reader must skip the symlink)", len(got))
	}
}

// A symlink in place of the metrics directory is refused.
func TestSymlinkedMetricsDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "metrics")); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(dir, Options{}); err == nil {
		s.Close()
		t.Fatal("Open followed a symlinked metrics directory")
	}
}
