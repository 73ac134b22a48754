package jsonl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Reader reads back the lines of a sink directory, for tools that process
// the analytics files (the exporter itself never reads them). It yields
// every whole line of every data file, rotated and compressed (.gz, .zst)
// or plain (the live file included), in the order they were written: files
// in name order, which is creation order, lines in file order.
//
// It may run while a Sink appends to the same directory. The list of files
// is taken by NewReader; a file rotated later is not read. A file present
// both plain and compressed (a compression finishing) is read once, from
// the plain file; a file that retention removed meanwhile is skipped. A
// last line without '\n' (a write in progress, or a torn tail a restart
// will cut) is not returned. Symlinks are not followed. A Reader is not
// safe for concurrent use.
type Reader struct {
	dir   string
	stems []string

	f    *os.File
	done func()
	br   *bufio.Reader
	name string
	long []byte
}

// NewReader opens the sink directory dir (the dir given to Open, not its
// data subdirectory) for reading. Of opts, the Options the sink was opened
// with, only Subdir and FilePrefix matter; zero Options read the default
// layout. It fails when the directory cannot be listed; an empty directory
// reads as no lines.
func NewReader(dir string, opts Options) (*Reader, error) {
	mdir, files, err := listData(dir, opts)
	if err != nil {
		return nil, err
	}
	stems := make([]string, len(files))
	for i, f := range files {
		stems[i] = f.stem
	}
	return &Reader{dir: mdir, stems: stems}, nil
}

// DataFiles returns the data files of the sink directory dir (the dir
// given to Open, with the Options the sink was opened with; zero Options
// for the default layout) in the order they were written, one path per
// file: the plain file where a file is present both plain and compressed
// (a compression finishing), else its compressed form. Names that are not
// the sink's own, and symlinks, are left out. It is what a Reader reads,
// for tools that open the files themselves.
func DataFiles(dir string, opts Options) ([]string, error) {
	mdir, files, err := listData(dir, opts)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(mdir, f.stem+kindExt(f.kind))
	}
	return paths, nil
}

// listedFile is one data file of a listing: its stem and its preferred form.
type listedFile struct {
	stem string
	kind fileKind
}

// listData lists the data files of dir's data subdirectory by stem, in
// name order, each with its preferred form (plain, then gzip, then zstd).
func listData(dir string, opts Options) (string, []listedFile, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return "", nil, err
	}
	mdir := filepath.Join(dir, opts.Subdir)
	names := naming{opts.FilePrefix}
	entries, err := os.ReadDir(mdir)
	if err != nil {
		return "", nil, fmt.Errorf("jsonl: reader: %w", err)
	}
	var files []listedFile
	for _, de := range entries {
		stem, kind := names.classify(de.Name())
		if (kind == kindPlain || kind == kindGzip || kind == kindZstd) && de.Type().IsRegular() {
			files = append(files, listedFile{stem, kind})
		}
	}
	// The kinds are numbered in order of preference.
	slices.SortFunc(files, func(a, b listedFile) int {
		if c := strings.Compare(a.stem, b.stem); c != 0 {
			return c
		}
		return int(a.kind) - int(b.kind)
	})
	return mdir, slices.CompactFunc(files, func(a, b listedFile) bool { return a.stem == b.stem }), nil
}

// Next returns the next line without its '\n', or io.EOF after the last
// one. The slice is valid until the next call of Next or Close. Any other
// error names the file it came from (a compressed file that is corrupt,
// say); the rest of that file is skipped and the next call goes on with
// the next file.
func (r *Reader) Next() ([]byte, error) {
	for {
		if r.f == nil {
			if len(r.stems) == 0 {
				return nil, io.EOF
			}
			if err := r.openNext(); err != nil {
				return nil, err
			}
			continue
		}
		line, err := r.readLine()
		if err == nil {
			return line, nil
		}
		r.closeFile()
		if !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("jsonl: read %s: %w", r.name, err)
		}
	}
}

// openNext opens the next stem, preferring its plain form. A stem whose
// files all vanished (retention ran meanwhile) is skipped.
func (r *Reader) openNext() error {
	stem := r.stems[0]
	r.stems = r.stems[1:]
	for _, k := range [...]fileKind{kindPlain, kindGzip, kindZstd} {
		name := filepath.Join(r.dir, stem+kindExt(k))
		f, err := os.OpenFile(name, readFlags, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("jsonl: reader: %w", err)
		}
		dec, done, err := decoder(k, f)
		if err != nil {
			f.Close()
			return fmt.Errorf("jsonl: read %s: %w", name, err)
		}
		if r.br == nil {
			r.br = bufio.NewReaderSize(dec, 64<<10)
		}
		r.br.Reset(dec)
		r.f, r.done, r.name = f, done, name
		return nil
	}
	return nil
}

// readLine returns one whole line; io.EOF drops a final partial line.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err == nil {
		return line[:len(line)-1], nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	r.long = append(r.long[:0], line...)
	for {
		line, err = r.br.ReadSlice('\n')
		r.long = append(r.long, line...)
		if err == nil {
			return r.long[:len(r.long)-1], nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

func (r *Reader) closeFile() {
	if r.f != nil {
		r.done()
		r.f.Close()
		r.f = nil
	}
}

// Close releases the file the reader has open. Next returns io.EOF after
// it. It never fails; the error is for io.Closer.
func (r *Reader) Close() error {
	r.closeFile()
	r.stems = nil
	return nil
}
