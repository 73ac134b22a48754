package jsonl

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// faultFS wraps the real file system and injects failures into the files it
// opens, so a full disk or a failing fsync can be tested on any machine.
type faultFS struct {
	mu sync.Mutex
	// writeFail: the next write stores this many bytes, then fails with ENOSPC.
	writeFail int
	failWrite bool
	// failTruncate, failSync, failCreate, failDirSync fail those calls
	// while true.
	failTruncate, failSync, failCreate, failDirSync bool
	syncs, dirSyncs                                 int
	// blockTmp, when set, holds every compression output open until closed.
	blockTmp chan struct{}
}

func (fs *faultFS) OpenFile(name string, flag int, perm os.FileMode) (dataFile, error) {
	fs.mu.Lock()
	failCreate, block := fs.failCreate && flag&os.O_CREATE != 0, fs.blockTmp
	fs.mu.Unlock()
	if failCreate {
		return nil, &os.PathError{Op: "open", Path: name, Err: syscall.ENOSPC}
	}
	if block != nil && strings.HasSuffix(name, extTmp) {
		<-block
	}
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: f, fs: fs}, nil
}

func (fs *faultFS) SyncDir(dir string) error {
	fs.mu.Lock()
	fs.dirSyncs++
	fail := fs.failDirSync
	fs.mu.Unlock()
	if fail {
		return &os.PathError{Op: "sync", Path: dir, Err: syscall.EIO}
	}
	return osFS{}.SyncDir(dir)
}

func (fs *faultFS) set(f func(*faultFS)) {
	fs.mu.Lock()
	f(fs)
	fs.mu.Unlock()
}

type faultFile struct {
	*os.File
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	fail, keep := f.fs.failWrite, f.fs.writeFail
	f.fs.failWrite = false
	f.fs.mu.Unlock()
	if !fail {
		return f.File.Write(p)
	}
	n, _ := f.File.Write(p[:min(keep, len(p))]) // a real partial write
	return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
}

func (f *faultFile) Truncate(size int64) error {
	f.fs.mu.Lock()
	fail := f.fs.failTruncate
	f.fs.mu.Unlock()
	if fail {
		return &os.PathError{Op: "truncate", Path: f.Name(), Err: syscall.EIO}
	}
	return f.File.Truncate(size)
}

func (f *faultFile) Sync() error {
	f.fs.mu.Lock()
	f.fs.syncs++
	fail := f.fs.failSync
	f.fs.mu.Unlock()
	if fail {
		return &os.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO}
	}
	return f.File.Sync()
}

func openFault(t *testing.T, dir string, opts Options) (*Sink, *faultFS) {
	t.Helper()
	fs := &faultFS{}
	s, err := open(dir, opts, env{fs: fs})
	if err != nil {
		t.Fatal(err)
	}
	return s, fs
}

func liveSize(t *testing.T, s *Sink) int64 {
	t.Helper()
	fi, err := os.Stat(s.liveName)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// A full disk mid-write: the error comes back wrapped (ENOSPC, with the
// path), the half-written batch is cut off, and the sink keeps working.
func TestPartialWriteIsTruncatedBack(t *testing.T) {
	dir := t.TempDir()
	s, fs := openFault(t, dir, Options{Compression: CompressionNone})
	defer mustClose(t, s)
	mustAppend(t, s, line(0, 100))
	before := liveSize(t, s)

	fs.set(func(fs *faultFS) { fs.failWrite, fs.writeFail = true, 150 })
	err := s.Append([]byte(line(1, 100) + line(2, 100)))
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), s.liveName) {
		t.Fatalf("err = %v, want ENOSPC naming %s", err, s.liveName)
	}
	if got := liveSize(t, s); got != before {
		t.Fatalf("after failed Append the file has %d bytes, want %d", got, before)
	}
	mustAppend(t, s, line(3, 100))
	got := readAll(t, dir)
	if len(got) != 2 || got[1]+"\n" != line(3, 100) {
		t.Fatalf("lines = %d, want the two acknowledged batches", len(got))
	}
	if st := s.Stats(); st.Batches != 2 {
		t.Fatalf("stats count %d batches, want 2", st.Batches)
	}
}

// When the truncate-back fails too, the next Append repairs the file
// before it writes, and refuses to write while it cannot.
func TestFailedTruncateIsRepairedBeforeNextWrite(t *testing.T) {
	dir := t.TempDir()
	s, fs := openFault(t, dir, Options{Compression: CompressionNone})
	defer mustClose(t, s)
	mustAppend(t, s, line(0, 100))
	fs.set(func(fs *faultFS) { fs.failWrite, fs.writeFail, fs.failTruncate = true, 50, true })
	if err := s.Append([]byte(line(1, 100))); err == nil {
		t.Fatal("Append succeeded on a failing disk")
	}
	if err := s.Append([]byte(line(2, 100))); err == nil {
		t.Fatal("Append wrote after a torn batch it could not cut off")
	}
	fs.set(func(fs *faultFS) { fs.failTruncate = false })
	mustAppend(t, s, line(3, 100))
	if got := readAll(t, dir); len(got) != 2 || got[1]+"\n" != line(3, 100) {
		t.Fatalf("lines = %q", got)
	}
}

// With Fsync every Append syncs before it returns; a failed sync makes the
// batch absent. Without Fsync Append never syncs.
func TestFsyncOption(t *testing.T) {
	dir := t.TempDir()
	s, fs := openFault(t, dir, Options{Compression: CompressionNone, Fsync: true})
	for i := range 5 {
		mustAppend(t, s, line(i, 50))
	}
	if fs.syncs != 5 {
		t.Fatalf("%d syncs for 5 Appends with Fsync", fs.syncs)
	}
	before := liveSize(t, s)
	fs.set(func(fs *faultFS) { fs.failSync = true })
	if err := s.Append([]byte(line(5, 50))); !errors.Is(err, syscall.EIO) {
		t.Fatalf("err = %v, want the sync error", err)
	}
	if liveSize(t, s) != before {
		t.Fatal("batch whose fsync failed is still in the file")
	}
	fs.set(func(fs *faultFS) { fs.failSync = false })
	mustClose(t, s)

	s, fs = openFault(t, t.TempDir(), Options{Compression: CompressionNone})
	for i := range 5 {
		mustAppend(t, s, line(i, 50))
	}
	mustClose(t, s)
	if fs.syncs != 0 {
		t.Fatalf("%d syncs without Fsync", fs.syncs)
	}
}

// If the next file cannot be created, Append fails, nothing is written, and
// the next Append rotates once it can.
func TestRotationFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	s, fs := openFault(t, dir, Options{MaxBytes: 150, Compression: CompressionNone})
	defer mustClose(t, s)
	mustAppend(t, s, line(0, 100))
	fs.set(func(fs *faultFS) { fs.failCreate = true })
	if err := s.Append([]byte(line(1, 100))); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want the create error", err)
	}
	fs.set(func(fs *faultFS) { fs.failCreate = false })
	mustAppend(t, s, line(2, 100))
	if got := readAll(t, dir); len(got) != 2 || s.Stats().Rotations != 1 {
		t.Fatalf("lines = %d, rotations = %d", len(got), s.Stats().Rotations)
	}
}

// A real full file system: a 1 MiB tmpfs. The error is ENOSPC, no partial
// batch is left, and every acknowledged batch reads back.
func TestFullTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	s := mustOpen(t, dir, Options{Compression: CompressionNone})
	var acked []string
	var err error
	for i := 0; err == nil && i < 100000; i++ {
		batch := line(3*i, 1000) + line(3*i+1, 1000) + line(3*i+2, 1000)
		if err = s.Append([]byte(batch)); err == nil {
			acked = append(acked, strings.Split(strings.TrimSuffix(batch, "\n"), "\n")...)
		}
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	if fi, _ := os.Stat(s.liveName); fi.Size()%3000 != 0 {
		t.Fatalf("live file holds %d bytes: a partial batch", fi.Size())
	}
	mustClose(t, s)
	got := readAll(t, dir)
	if len(got) != len(acked) || len(got) == 0 || got[len(got)-1] != acked[len(acked)-1] {
		t.Fatalf("read %d lines, acknowledged %d", len(got), len(acked))
	}
	// It reopens on the full disk (recovery needs no space).
	s = mustOpen(t, dir, Options{Compression: CompressionNone})
	mustClose(t, s)
}

// openFaultEvents is openFault with events.
func openFaultEvents(t *testing.T, dir string, opts Options, ev Events) (*Sink, *faultFS) {
	t.Helper()
	opts.Events = ev
	return openFault(t, dir, opts)
}

// TestFsyncSyncsTheDirectoryOfANewFile: with Fsync a new live file's
// directory entry is made durable (a directory fsync) before the file is
// used, and a failed directory fsync fails the rotation, which leaves the
// old file live; without Fsync the directory is not synced for it.
func TestFsyncSyncsTheDirectoryOfANewFile(t *testing.T) {
	for _, fsync := range []bool{true, false} {
		dir := t.TempDir()
		s, fs := openFault(t, dir, Options{MaxBytes: 200, Compression: CompressionNone, Fsync: fsync})
		fs.set(func(fs *faultFS) { fs.dirSyncs = 0 })
		mustAppend(t, s, line(0, 150))
		mustAppend(t, s, line(1, 150)) // rotates: a new live file
		want := 0
		if fsync {
			want = 1
		}
		if fs.dirSyncs != want {
			t.Fatalf("Fsync %v: %d directory syncs for one new file, want %d", fsync, fs.dirSyncs, want)
		}
		if fsync {
			live := s.liveName
			fs.set(func(fs *faultFS) { fs.failDirSync = true })
			if err := s.Append([]byte(line(2, 150))); err == nil {
				t.Fatal("a rotation whose directory sync failed succeeded")
			}
			if s.liveName != live {
				t.Fatalf("the live file moved to %s though its directory could not be synced", s.liveName)
			}
			fs.set(func(fs *faultFS) { fs.failDirSync = false })
		}
		mustClose(t, s)
	}
}

// TestCompressionSyncsTheDirectoryAfterTheRename: a compressed file's
// rename into place is made durable with a directory fsync; a failed sync
// is reported as a failed compression (the renamed file stays, and
// recovery removes a plain file whose compressed twin is complete).
func TestCompressionSyncsTheDirectoryAfterTheRename(t *testing.T) {
	dir := t.TempDir()
	ev := compressSignal{done: make(chan error, 16)}
	s, fs := openFaultEvents(t, dir, Options{MaxBytes: 200}, ev)
	first := s.liveName
	dirSyncs := func() int {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		return fs.dirSyncs
	}
	fs.set(func(fs *faultFS) { fs.dirSyncs, fs.failDirSync = 0, true })
	mustAppend(t, s, line(0, 150))
	mustAppend(t, s, line(1, 150)) // rotates: the first file is compressed
	if err := <-ev.done; !errors.Is(err, syscall.EIO) {
		t.Fatalf("compression with a failing directory sync: %v, want the sync's EIO", err)
	}
	if n := dirSyncs(); n != 1 {
		t.Fatalf("%d directory syncs for one compression, want 1", n)
	}
	if _, err := os.Stat(first + ".gz"); err != nil {
		t.Fatalf("the directory was synced before the rename: %v", err)
	}
	fs.set(func(fs *faultFS) { fs.failDirSync = false })
	mustAppend(t, s, line(2, 150)) // rotates: the second file is compressed
	if err := <-ev.done; err != nil {
		t.Fatal(err)
	}
	if n := dirSyncs(); n != 2 {
		t.Fatalf("%d directory syncs for two compressions, want 2", n)
	}
	mustClose(t, s)
	if st := s.Stats(); st.CompressErrors != 1 {
		t.Fatalf("stats %+v, want the failed sync counted", st)
	}
}
