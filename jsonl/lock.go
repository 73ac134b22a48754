package jsonl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked is matched (errors.Is) by the error Open returns when another
// Sink, in this process or another, holds the directory.
var ErrLocked = errors.New("jsonl: directory is locked by another sink")

// LockedError is the error Open returns when the directory is held. PID is
// the holder's process id as written in the lock file, or 0 if unknown.
type LockedError struct {
	Dir string
	PID int
}

// Error names the directory and, when known, the holder.
func (e *LockedError) Error() string {
	if e.PID > 0 && e.PID == os.Getpid() {
		return fmt.Sprintf("jsonl: directory %s is locked by another sink in this process (%s)",
			e.Dir, filepath.Join(e.Dir, lockName))
	}
	if e.PID > 0 {
		return fmt.Sprintf("jsonl: directory %s is locked by another sink (pid %d holds %s)",
			e.Dir, e.PID, filepath.Join(e.Dir, lockName))
	}
	return fmt.Sprintf("jsonl: directory %s is locked by another sink (holder of %s unknown)",
		e.Dir, filepath.Join(e.Dir, lockName))
}

// Unwrap makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Unwrap() error { return ErrLocked }

// lockDir takes an exclusive flock(2) on <dir>/.lock and writes our pid into
// it. flock locks belong to the open file description, so a second lock
// from the same process conflicts as well, which is what keeps two
// exporters off one directory. The lock file is never removed: unlinking it
// would let a later opener lock a new inode while an old waiter holds the
// old one.
func lockDir(dir string, mode os.FileMode) (*os.File, error) {
	name := filepath.Join(dir, lockName)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, mode)
	if err != nil {
		return nil, fmt.Errorf("jsonl: lock %s: %w", dir, err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := readPID(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("jsonl: lock %s: %w", dir, err)
	}
	if err := writePID(f, mode); err != nil {
		_ = unlock(f) // the writePID error is the one to report
		return nil, fmt.Errorf("jsonl: lock %s: %w", dir, err)
	}
	return f, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

func writePID(f *os.File, mode os.FileMode) error {
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

func readPID(f *os.File) int {
	b, err := io.ReadAll(io.LimitReader(io.NewSectionReader(f, 0, 32), 32))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// unlock releases the lock and closes the lock file.
func unlock(f *os.File) error {
	err := flock(f, syscall.LOCK_UN)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
