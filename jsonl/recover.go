package jsonl

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"syscall"
)

// stemState is what recovery found on disk for one stem.
type stemState struct {
	plain bool
	twins []fileKind // compressed forms present
}

// recover brings the directory to a clean state after a crash and sets up
// the live file. It returns the rotated plain files to compress, oldest
// first. The rules, in order:
//   - *.tmp files (an interrupted compression) are removed;
//   - a plain file with a complete compressed twin is removed; a twin that
//     is not complete (decompresses to fewer bytes than the plain file)
//     is removed instead and the compression redone;
//   - every plain file is cut back to after its last '\n' (a torn tail);
//   - the newest file, if plain, under MaxBytes and younger than Interval,
//     is reopened for append; otherwise a fresh live file is created;
//   - other plain files are queued for compression;
//   - retention runs over the result.
//
// Entries that are not regular files (a symlink planted at a data name) are
// never opened, but their names still count, so no new name reuses them.
func (s *Sink) recover() ([]*fileEntry, error) {
	states, err := s.scan()
	if err != nil {
		return nil, err
	}
	stems := make([]string, 0, len(states))
	for stem := range states {
		stems = append(stems, stem)
	}
	slices.Sort(stems)
	for _, stem := range stems {
		at, _ := s.names.parseStem(stem)
		e := &fileEntry{stem: stem, at: at, ext: extPlain}
		if err := s.settleStem(e, states[stem]); err != nil {
			return nil, err
		}
		s.files = append(s.files, e)
	}
	now := s.nowMicro()
	if err := s.openLive(now); err != nil {
		return nil, err
	}
	var queue []*fileEntry
	for _, e := range s.files[:len(s.files)-1] {
		if e.ext == extPlain {
			queue = append(queue, e)
		}
	}
	removed := s.retainLocked(now)
	s.removeFiles(removed)
	return slices.DeleteFunc(queue, func(e *fileEntry) bool { return e.gone }), nil
}

// scan lists the directory, removes .tmp files and notes the newest stem.
func (s *Sink) scan() (map[string]*stemState, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("jsonl: recover %s: %w", s.dir, err)
	}
	states := map[string]*stemState{}
	for _, de := range entries {
		stem, kind := s.names.classify(de.Name())
		if kind == kindOther {
			continue
		}
		at, _ := s.names.parseStem(stem)
		s.lastMicro = max(s.lastMicro, at)
		if kind == kindTmp {
			name := s.path(de.Name())
			if err := removeIfExists(name); err != nil {
				return nil, fmt.Errorf("jsonl: recover: %w", err)
			}
			s.opts.Events.Removed(name, RemovedTemporary)
			continue
		}
		if !de.Type().IsRegular() {
			continue
		}
		st := states[stem]
		if st == nil {
			st = &stemState{}
			states[stem] = st
		}
		if kind == kindPlain {
			st.plain = true
		} else {
			st.twins = append(st.twins, kind)
		}
	}
	return states, nil
}

// settleStem resolves plain-versus-compressed for one stem and cuts a torn
// tail off a plain file that stays.
func (s *Sink) settleStem(e *fileEntry, st *stemState) error {
	if !st.plain {
		e.ext = kindExt(st.twins[0])
		return nil
	}
	plain := s.path(e.stem + extPlain)
	size, err := cutTornTail(plain)
	if err != nil {
		return fmt.Errorf("jsonl: recover: %w", err)
	}
	for _, k := range st.twins {
		twin := s.path(e.stem + kindExt(k))
		if e.ext == extPlain && decodedSize(twin, k) == size {
			e.ext = kindExt(k)
			continue
		}
		if err := removeIfExists(twin); err != nil {
			return fmt.Errorf("jsonl: recover: %w", err)
		}
	}
	if e.ext != extPlain {
		if err := removeIfExists(plain); err != nil {
			return fmt.Errorf("jsonl: recover: %w", err)
		}
		s.opts.Events.Removed(plain, RemovedCompleted)
	}
	return nil
}

// openLive reopens the newest file for append when it is plain, under
// MaxBytes and within Interval; otherwise it creates a fresh live file.
func (s *Sink) openLive(now int64) error {
	if n := len(s.files); n > 0 {
		e := s.files[n-1]
		if e.ext == extPlain {
			name := s.path(e.stem + extPlain)
			f, err := s.fs.OpenFile(name, os.O_WRONLY|os.O_APPEND|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("jsonl: recover: %w", err)
			}
			fi, err := f.Stat()
			if err == nil {
				err = f.Chmod(s.opts.FileMode)
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("jsonl: recover: %w", err)
			}
			s.live, s.liveEntry, s.liveName, s.liveSize = f, e, name, fi.Size()
			if s.liveSize < s.opts.MaxBytes && !s.intervalDue(now) {
				return nil
			}
			f.Close()
			s.live = nil
		}
	}
	f, e, err := s.createLocked(now)
	if err != nil {
		return fmt.Errorf("jsonl: create live file in %s: %w", s.dir, err)
	}
	s.files = append(s.files, e)
	s.live, s.liveEntry, s.liveName, s.liveSize = f, e, s.path(e.stem+extPlain), 0
	return nil
}

func kindExt(k fileKind) string {
	switch k {
	case kindGzip:
		return extGzip
	case kindZstd:
		return extZstd
	}
	return extPlain
}

// decodedSize decompresses a file and returns how many bytes it holds, or
// -1 if it cannot be read to its end.
func decodedSize(name string, kind fileKind) int64 {
	f, err := os.OpenFile(name, readFlags, 0)
	if err != nil {
		return -1
	}
	defer f.Close()
	r, done, err := decoder(kind, f)
	if err != nil {
		return -1
	}
	defer done()
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return -1
	}
	return n
}

// cutTornTail truncates a plain file to just after its last '\n' and
// returns the new size.
func cutTornTail(name string) (int64, error) {
	f, err := os.OpenFile(name, os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	end, err := completeLength(f, fi.Size())
	if err != nil || end == fi.Size() {
		return end, err
	}
	if err := f.Truncate(end); err != nil {
		return 0, err
	}
	return end, f.Sync()
}

// completeLength returns the length of the longest prefix of r (of the given
// size) that ends in '\n', reading backwards from the end.
func completeLength(r io.ReaderAt, size int64) (int64, error) {
	var buf [32 << 10]byte
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := r.ReadAt(chunk, start); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}
