package jsonl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// maxNameTries bounds the search for a free name when files with future
// stems already exist (somebody else created them; the lock keeps other
// sinks out).
const maxNameTries = 1000

// createLocked creates a fresh live file. Its stem is the later of now and
// one microsecond after the newest stem so far, so names stay unique and in
// creation order when many rotations fall in one microsecond or the clock
// steps back. O_EXCL|O_NOFOLLOW: an existing name (or a planted symlink) is
// skipped, never opened.
func (s *Sink) createLocked(now int64) (dataFile, *fileEntry, error) {
	us := max(now, s.lastMicro+1)
	for tries := 0; ; tries++ {
		stem := s.names.stemAt(us)
		name := s.path(stem + extPlain)
		f, err := s.fs.OpenFile(name, createFlags|os.O_APPEND, s.opts.FileMode)
		if errors.Is(err, fs.ErrExist) && tries < maxNameTries {
			us++
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		s.lastMicro = us
		if err := f.Chmod(s.opts.FileMode); err != nil {
			f.Close()
			os.Remove(name)
			return nil, nil, err
		}
		if s.opts.Fsync {
			if err := s.fs.SyncDir(s.dir); err != nil {
				f.Close()
				os.Remove(name)
				return nil, nil, err
			}
		}
		return f, &fileEntry{stem: stem, at: us, ext: extPlain}, nil
	}
}

// rotateLocked closes the live file, starts a new one, applies retention and
// hands the closed file (and the files retention dropped) to the background
// goroutine. If the new file cannot be created, the old one stays live and
// the error is returned.
func (s *Sink) rotateLocked(now int64) error {
	f, e, err := s.createLocked(now)
	if err != nil {
		return fmt.Errorf("jsonl: rotate: %w", err)
	}
	old, oldEntry, oldName := s.live, s.liveEntry, s.liveName
	// The closed file's data is already written; a close error on a
	// regular file cannot lose it, and the file is read back by the
	// compressor, which reports any problem it finds.
	_ = old.Close()
	s.live, s.liveEntry, s.liveName, s.liveSize = f, e, s.path(e.stem+extPlain), 0
	s.rotations.Add(1)

	s.filesMu.Lock()
	s.files = append(s.files, e)
	removed := s.retainLocked(now)
	s.filesMu.Unlock()

	s.opts.Events.Rotated(oldName, s.liveName)
	s.comp.enqueueCompress(oldEntry)
	s.comp.enqueueRemovals(removed)
	return nil
}

// removal is one retention decision.
type removal struct {
	e      *fileEntry
	reason string
}

// retainLocked drops the oldest entries beyond MaxFiles and those older than
// MaxAge from s.files (filesMu held) and returns them for removal. A file's
// age counts from when it was closed, i.e. the creation of the next file.
// The live file (the last entry) is never dropped.
func (s *Sink) retainLocked(now int64) []removal {
	var out []removal
	drop := 0
	for len(s.files)-drop > s.opts.MaxFiles {
		out = append(out, removal{s.files[drop], RemovedMaxFiles})
		drop++
	}
	if maxAge := s.opts.MaxAge.Microseconds(); maxAge > 0 {
		for drop < len(s.files)-1 && now-s.files[drop+1].at >= maxAge {
			out = append(out, removal{s.files[drop], RemovedMaxAge})
			drop++
		}
	}
	for _, r := range out {
		r.e.gone = true
	}
	n := copy(s.files, s.files[drop:])
	clear(s.files[n:])
	s.files = s.files[:n]
	return out
}

// removeFiles unlinks dropped entries in every form they may have on disk.
// An entry being compressed is marked gone, so its compressor discards the
// output instead of renaming it into place.
func (s *Sink) removeFiles(rs []removal) {
	for _, r := range rs {
		for _, ext := range [...]string{extPlain, extGzip, extZstd} {
			name := s.path(r.e.stem + ext)
			if err := os.Remove(name); err == nil {
				s.opts.Events.Removed(name, r.reason)
			}
		}
	}
}

// startTicker runs the time-based checks (Interval rotation, MaxAge
// retention) between Appends. Appends check the interval themselves; the
// ticker only covers a quiet sink, so its period is a fraction of the
// shortest duration, clamped to [100ms, 1m].
func (s *Sink) startTicker(c <-chan time.Time) {
	shortest := s.opts.Interval
	if s.opts.MaxAge > 0 && (shortest == 0 || s.opts.MaxAge < shortest) {
		shortest = s.opts.MaxAge
	}
	if shortest == 0 {
		return
	}
	stop := func() {}
	if c == nil {
		t := time.NewTicker(min(max(shortest/16, 100*time.Millisecond), time.Minute))
		c, stop = t.C, t.Stop
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer stop()
		for {
			select {
			case <-s.stop:
				return
			case <-c:
				s.onTick()
			}
		}
	}()
}

func (s *Sink) onTick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	now := s.nowMicro()
	if s.liveSize > 0 && s.intervalDue(now) {
		// On failure the old file stays live; the next Append retries the
		// rotation and reports the error to its caller.
		_ = s.rotateLocked(now)
		return
	}
	s.filesMu.Lock()
	removed := s.retainLocked(now)
	s.filesMu.Unlock()
	s.comp.enqueueRemovals(removed)
}
