package schema

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// MaxBadLines is how many bad lines a Report lists (BadCount counts all).
const MaxBadLines = 20

// dataFileRE matches the data files of a sink directory (the default
// layout of package jsonl).
var dataFileRE = regexp.MustCompile(`^` + regexp.QuoteMeta(jsonl.DefaultFilePrefix) + `.*\.jsonl(\.gz|\.zst)?$`)

// Report is the result of CheckDir.
type Report struct {
	Files   int            `json:"files"`
	Entries int            `json:"entries"` // lines read, good and bad
	Types   map[string]int `json:"types"`   // good entries per type
	// Bad lists the first MaxBadLines failures as "file:line: error".
	Bad []string `json:"bad,omitempty"`
	// BadCount counts every failure: bad lines, torn tails, unreadable files.
	BadCount int `json:"bad_count"`
}

// OK reports whether every line passed.
func (r Report) OK() bool { return r.BadCount == 0 }

// CheckDir checks every line of <dir>/metrics/metrics_*.jsonl, .jsonl.gz and
// .jsonl.zst, files in name order (which is creation order). A file whose
// last line lacks its '\n' (a torn write) and a file that cannot be read
// or decompressed to its end count as failures in the Report. The error is
// only for a directory that cannot be listed.
func CheckDir(dir string) (Report, error) {
	return CheckDirFunc(dir, nil)
}

// CheckDirFunc is CheckDir that also hands every good entry (not a torn
// last line) to fn, when fn is not nil.
func CheckDirFunc(dir string, fn func(Entry)) (Report, error) {
	r := Report{Types: map[string]int{}}
	mdir := filepath.Join(dir, jsonl.DefaultSubdir)
	ents, err := os.ReadDir(mdir)
	if err != nil {
		return r, fmt.Errorf("schema: %w", err)
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && dataFileRE.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		r.Files++
		if err := checkFile(filepath.Join(mdir, name), name, &r, fn); err != nil {
			r.bad(fmt.Sprintf("%s: %v", name, err))
		}
	}
	return r, nil
}

// checkFile adds the lines of one data file to r and hands its good
// entries to fn.
func checkFile(path, name string, r *Report, fn func(Entry)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rd, closeFn, err := jsonl.Decompress(name, f)
	if err != nil {
		return err
	}
	defer closeFn()
	br := bufio.NewReaderSize(rd, 1<<16)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", n, err)
		}
		r.Entries++
		torn := err == io.EOF
		if torn {
			r.bad(fmt.Sprintf("%s: last line has no newline (torn write)", name))
		} else {
			line = line[:len(line)-1]
		}
		if e, cerr := CheckLine(line); cerr != nil {
			r.bad(fmt.Sprintf("%s:%d: %v", name, n, cerr))
		} else if !torn {
			r.Types[e.Type]++
			if fn != nil {
				fn(e)
			}
		}
		if torn {
			return nil
		}
	}
}

func (r *Report) bad(msg string) {
	r.BadCount++
	if len(r.Bad) < MaxBadLines {
		r.Bad = append(r.Bad, msg)
	}
}
