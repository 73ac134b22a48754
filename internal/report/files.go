package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// MaxLineBytes is the longest line read; a longer one is skipped as foreign.
const MaxLineBytes = 16 << 20

// Problem is one input problem reported on stderr.
type Problem struct {
	File string `json:"file"`
	What string `json:"what"`
}

// listFiles returns the data files of the exporter output directories
// dirs, each directory's in the order they were written (jsonl.DataFiles:
// a file present both plain and compressed is read once, from the plain
// file; symlinks and names that are not the exporter's are left out).
func listFiles(dirs []string) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		paths, err := jsonl.DataFiles(dir, jsonl.Options{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		out = append(out, paths...)
	}
	return out, nil
}

// worker reads files; its buffers are reused from file to file.
type worker struct {
	br   *bufio.Reader
	gz   *gzip.Reader
	zs   *zstd.Decoder
	long []byte
	sc   scanner
	e    entry
}

// readFile reads one file into a fresh agg. A file that cannot be opened or
// read to its end returns an error and its figures are dropped whole.
func (w *worker) readFile(path string, filter *Filter, blocks bool) (*agg, error) {
	a := newAgg(filter, blocks)
	a.counts.Files = 1
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return a, err
	}
	defer fh.Close()
	var r io.Reader = fh
	switch {
	case strings.HasSuffix(path, ".gz"):
		if w.gz == nil {
			w.gz, err = gzip.NewReader(fh)
		} else {
			err = w.gz.Reset(fh)
		}
		if err != nil {
			w.gz = nil
			return a, fmt.Errorf("gzip: %w", err)
		}
		r = w.gz
	case strings.HasSuffix(path, ".zst"):
		if w.zs == nil {
			w.zs, err = zstd.NewReader(fh, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		} else {
			err = w.zs.Reset(fh)
		}
		if err != nil {
			return a, fmt.Errorf("zstd: %w", err)
		}
		r = w.zs
	}
	if w.br == nil {
		w.br = bufio.NewReaderSize(r, 256<<10)
	} else {
		w.br.Reset(r)
	}
	for {
		line, complete, err := w.line()
		if len(line) > 0 || complete {
			a.counts.Lines++
			switch {
			case !complete:
				a.counts.Torn++
			case line == nil:
				a.counts.Foreign++ // longer than MaxLineBytes
			case w.sc.parse(line, &w.e) != nil:
				a.counts.Foreign++
			default:
				a.add(&w.e)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return a, nil
			}
			return a, err
		}
	}
}

// line returns the next line without '\n'. complete is false for a last
// line without '\n'. A line over MaxLineBytes comes back nil and complete.
func (w *worker) line() (line []byte, complete bool, err error) {
	l, err := w.br.ReadSlice('\n')
	if err == nil {
		return l[:len(l)-1], true, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return l, false, err
	}
	w.long = append(w.long[:0], l...)
	tooLong := false
	for {
		l, err = w.br.ReadSlice('\n')
		if !tooLong {
			w.long = append(w.long, l...)
			if len(w.long) > MaxLineBytes {
				tooLong = true
				w.long = w.long[:0]
			}
		}
		if err == nil {
			if tooLong {
				return nil, true, nil
			}
			return w.long[:len(w.long)-1], true, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if tooLong {
				return nil, false, err
			}
			return w.long, false, err
		}
	}
}

// Options are the inputs of Run besides the directories.
type Options struct {
	Filter  Filter
	Blocks  bool // keep per-user hours for the 5-hour blocks
	Workers int  // files read in parallel; 0 means GOMAXPROCS
}

// Result is what reading the directories produced.
type Result struct {
	agg      *agg
	Problems []Problem
}

// Read reads every data file of dirs and aggregates the entries the filter
// selects. Only a directory that cannot be listed is an error; unreadable
// files and bad lines are counted and listed in Result.Problems.
func Read(dirs []string, opts Options) (*Result, error) {
	files, err := listFiles(dirs)
	if err != nil {
		return nil, err
	}
	n := opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(1, min(n, len(files)))
	jobs := make(chan string)
	type done struct {
		a    *agg
		prob []Problem
	}
	results := make(chan done, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{}
			total := newAgg(&opts.Filter, opts.Blocks)
			var probs []Problem
			for f := range jobs {
				a, err := w.readFile(f, &opts.Filter, opts.Blocks)
				if err != nil {
					total.counts.Files++
					total.counts.FilesSkipped++
					total.counts.LinesInSkipped += a.counts.Lines
					probs = append(probs, Problem{File: f, What: fmt.Sprintf("skipped (%d lines read before the error are not counted): %v", a.counts.Lines, err)})
					continue
				}
				if a.counts.Torn > 0 {
					probs = append(probs, Problem{File: f, What: "last line has no newline (a write in progress or a crash): skipped"})
				}
				if a.counts.Foreign > 0 {
					probs = append(probs, Problem{File: f, What: fmt.Sprintf("%d lines that are not entries: skipped", a.counts.Foreign)})
				}
				total.merge(a)
			}
			results <- done{total, probs}
		}()
	}
	go func() {
		for _, f := range files {
			jobs <- f
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	total := newAgg(&opts.Filter, opts.Blocks)
	var probs []Problem
	for d := range results {
		total.merge(d.a)
		probs = append(probs, d.prob...)
	}
	total.finish()
	sort.Slice(probs, func(i, j int) bool { return probs[i].File < probs[j].File })
	return &Result{agg: total, Problems: probs}, nil
}
