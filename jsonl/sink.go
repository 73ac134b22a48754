package jsonl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("jsonl: sink is closed")

// ErrPartialLine is returned by Append for a batch that does not end in
// '\n'; nothing of such a batch is written.
var ErrPartialLine = errors.New("jsonl: batch does not end with a newline")

// fileEntry is one data file (one stem) the sink keeps. Entries live in
// Sink.files in name order, the live file last, so retention never has to
// list the directory. Fields other than stem and at are guarded by filesMu.
type fileEntry struct {
	stem string
	at   int64  // creation time, Unix microseconds (from the name)
	ext  string // extension currently on disk
	gone bool   // removed by retention; a compression in flight discards its output
	// compressTries counts failed compressions (compressor goroutine only).
	compressTries int
}

// Sink appends batches of lines to rotating files. Safe for concurrent use.
type Sink struct {
	dir   string // the data directory, <dir>/<Subdir>
	names naming
	opts  Options
	fs    fileSystem
	lock  *os.File

	mu        sync.Mutex // serialises Append, rotation, ticks and Close
	closed    bool
	live      dataFile
	liveEntry *fileEntry
	liveName  string
	liveSize  int64
	dirty     bool  // a failed write could not be truncated back yet
	lastMicro int64 // newest stem handed out or found on disk

	filesMu sync.Mutex // guards files and fileEntry state; never held across I/O but unlinks
	files   []*fileEntry

	comp *compressor // background compression and removal
	stop chan struct{}
	wg   sync.WaitGroup

	batches, bytes, rotations, compressions, compressErrors atomic.Int64
}

// env holds what tests replace: the file operations and the clock's ticker.
type env struct {
	fs   fileSystem
	tick <-chan time.Time // nil: a real ticker when Interval or MaxAge is set
}

// Open creates <dir>/<Subdir> (<dir>/metrics by default), takes the
// directory lock, recovers what a crash left, and returns a Sink ready for
// Append.
func Open(dir string, opts Options) (*Sink, error) {
	return open(dir, opts, env{fs: osFS{}})
}

func open(dir string, opts Options, e env) (*Sink, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	mdir := filepath.Join(dir, opts.Subdir)
	if err := makeDir(dir, mdir, opts.DirMode); err != nil {
		return nil, err
	}
	lock, err := lockDir(mdir, opts.FileMode)
	if err != nil {
		return nil, err
	}
	s := &Sink{dir: mdir, names: naming{opts.FilePrefix}, opts: opts, fs: e.fs, lock: lock, stop: make(chan struct{})}
	s.comp = newCompressor(s)
	queue, err := s.recover()
	if err != nil {
		if s.live != nil {
			s.live.Close()
		}
		_ = unlock(lock) // the recovery error is the one to report
		return nil, err
	}
	for _, e := range queue {
		s.comp.enqueueCompress(e)
	}
	s.wg.Add(1)
	go s.comp.run(&s.wg, s.stop)
	s.startTicker(e.tick)
	return s, nil
}

// makeDir creates base (if missing) and the data directory mdir, and sets
// the data directory's mode with chmod so the umask does not matter. A
// symlink at the data directory's path is refused rather than followed.
func makeDir(base, mdir string, mode os.FileMode) error {
	if _, err := os.Stat(base); os.IsNotExist(err) {
		if err := os.MkdirAll(base, mode); err != nil {
			return fmt.Errorf("jsonl: create directory %s: %w", base, err)
		}
		if err := os.Chmod(base, mode); err != nil {
			return fmt.Errorf("jsonl: chmod directory %s: %w", base, err)
		}
	}
	if err := os.Mkdir(mdir, mode); err != nil && !os.IsExist(err) {
		return fmt.Errorf("jsonl: create directory %s: %w", mdir, err)
	}
	fi, err := os.Lstat(mdir)
	if err != nil {
		return fmt.Errorf("jsonl: directory %s: %w", mdir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("jsonl: %s is not a directory (a symlink is not followed)", mdir)
	}
	if err := os.Chmod(mdir, mode); err != nil {
		return fmt.Errorf("jsonl: chmod directory %s: %w", mdir, err)
	}
	return nil
}

// Append writes batch (one or more whole lines, each ending in '\n') with one
// write; on error nothing of it remains in the file.
func (s *Sink) Append(batch []byte) error {
	if len(batch) == 0 {
		return nil
	}
	if batch[len(batch)-1] != '\n' {
		return ErrPartialLine
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if err := s.prepareLocked(int64(len(batch))); err != nil {
		return err
	}
	n, err := s.live.Write(batch)
	if err == nil && s.opts.Fsync {
		err = s.live.Sync()
	}
	if err != nil {
		return s.undoLocked(err)
	}
	s.liveSize += int64(n)
	s.batches.Add(1)
	s.bytes.Add(int64(n))
	return nil
}

// prepareLocked repairs a previous failed write and rotates when the batch
// would take the live file past MaxBytes or the interval has passed. A
// non-empty file is never passed; an empty file takes any batch whole.
func (s *Sink) prepareLocked(n int64) error {
	if s.dirty {
		if err := s.live.Truncate(s.liveSize); err != nil {
			return fmt.Errorf("jsonl: append: repair %s: %w", s.liveName, err)
		}
		s.dirty = false
	}
	if s.liveSize == 0 {
		return nil
	}
	if s.liveSize+n > s.opts.MaxBytes {
		return s.rotateLocked(s.nowMicro())
	}
	if s.opts.Interval > 0 {
		if now := s.nowMicro(); s.intervalDue(now) {
			return s.rotateLocked(now)
		}
	}
	return nil
}

// undoLocked cuts a failed write back to the last whole batch. If even the
// truncate fails, the next Append retries it before writing.
func (s *Sink) undoLocked(err error) error {
	if terr := s.live.Truncate(s.liveSize); terr != nil {
		s.dirty = true
		return fmt.Errorf("jsonl: append: %w (and truncating back failed: %w)", err, terr)
	}
	return fmt.Errorf("jsonl: append: %w", err)
}

func (s *Sink) nowMicro() int64 { return s.opts.Now().UnixMicro() }

func (s *Sink) intervalDue(now int64) bool {
	return s.opts.Interval > 0 && now-s.liveEntry.at >= s.opts.Interval.Microseconds()
}

// Stats returns the sink's counters.
func (s *Sink) Stats() Stats {
	return Stats{
		Batches:        s.batches.Load(),
		Bytes:          s.bytes.Load(),
		Rotations:      s.rotations.Load(),
		Compressions:   s.compressions.Load(),
		CompressErrors: s.compressErrors.Load(),
	}
}

// Stats are cumulative counters of one Sink.
type Stats struct {
	Batches, Bytes, Rotations, Compressions, CompressErrors int64
}

// Dir returns the directory holding the data files (<dir>/metrics).
func (s *Sink) Dir() string { return s.dir }

// Close finishes background compression (every rotated file queued so far
// is compressed before Close returns), closes the live file (which stays
// plain and is reopened by the next Open) and releases the lock. Close is
// idempotent.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	s.wg.Wait()

	var errs []error
	if s.opts.Fsync {
		errs = append(errs, s.live.Sync())
	}
	errs = append(errs, s.live.Close(), unlock(s.lock))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jsonl: close %s: %w", s.dir, err)
	}
	return nil
}

func (s *Sink) path(name string) string { return filepath.Join(s.dir, name) }
