package jsonl

import (
	"io"
	"os"
	"syscall"
)

// dataFile is the subset of *os.File the sink writes through. It exists so
// tests can inject write, truncate and sync failures (a full disk) without
// a full disk.
type dataFile interface {
	io.Reader
	io.Writer
	io.Closer
	Truncate(size int64) error
	Sync() error
	Chmod(mode os.FileMode) error
	Stat() (os.FileInfo, error)
}

// fileSystem opens the files the sink writes (live data files and
// compression output) and fsyncs its directory, so tests can fail or count
// both. Renames and removals go straight to the os package.
type fileSystem interface {
	OpenFile(name string, flag int, perm os.FileMode) (dataFile, error)
	// SyncDir fsyncs the directory dir, so that the files created, renamed
	// and removed in it are durable.
	SyncDir(dir string) error
}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm os.FileMode) (dataFile, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Flags for files the sink creates: never an existing name, never through a
// symlink planted at the name.
const (
	createFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
	readFlags   = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_CLOEXEC
)

// removeIfExists removes name, treating "already gone" as success.
func removeIfExists(name string) error {
	err := os.Remove(name)
	if err != nil && os.IsNotExist(err) {
		return nil
	}
	return err
}
