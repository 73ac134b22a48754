//go:build reliability

package reliability

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// dataName matches a finished data file's name, plain or compressed.
var dataName = regexp.MustCompile(`^metrics_\d{8}_\d{6}_\d{6}\.jsonl(\.gz|\.zst)?$`)

// dirState is what a sink directory holds, by kind, each list in name order.
type dirState struct {
	data  []string // every data file (plain and compressed)
	plain []string // uncompressed data files (the live one among them)
	tmp   []string // leftovers of a compression: names containing ".tmp"
	other []string // anything else but the lock file
	links []string // symbolic links (planted by a test; never data)
}

// plainRotated is the number of plain files other than the newest data
// file (the live one): rotated files still waiting for compression.
func (d dirState) plainRotated() int {
	n := len(d.plain)
	if n > 0 && len(d.data) > 0 && d.plain[len(d.plain)-1] == d.data[len(d.data)-1] {
		n--
	}
	return n
}

// scanDir lists <base>/metrics.
func scanDir(t testing.TB, base string) dirState {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(base, "metrics"))
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	var d dirState
	for _, e := range ents {
		name := e.Name()
		switch {
		case e.Type()&os.ModeSymlink != 0:
			d.links = append(d.links, name)
		case dataName.MatchString(name):
			d.data = append(d.data, name)
			if strings.HasSuffix(name, ".jsonl") {
				d.plain = append(d.plain, name)
			}
		case strings.Contains(name, ".tmp"):
			d.tmp = append(d.tmp, name)
		case name != ".lock":
			d.other = append(d.other, name)
		}
	}
	sort.Slice(d.data, func(i, j int) bool { return stem(d.data[i]) < stem(d.data[j]) })
	sort.Slice(d.plain, func(i, j int) bool { return stem(d.plain[i]) < stem(d.plain[j]) })
	return d
}

// stem is a data file name without its extensions.
func stem(name string) string {
	if i := strings.Index(name, "."); i >= 0 {
		return name[:i]
	}
	return name
}

// readout is everything read back from a sink directory.
type readout struct {
	files      int
	lines      int
	bad        int // lines failing schema.CheckLine, torn tails included
	badSample  []string
	dupStems   int                 // two data files with one stem (e.g. x.jsonl and x.jsonl.gz)
	seqCount   map[int64]int       // rel.seq -> times found
	perSender  map[int64]int64     // last rel.seq seen per sender
	outOfOrder int                 // seq not above the same sender's previous one
	types      map[string]int      // entries per type
	noSeq      int                 // entries without rel.seq (other tests' payloads)
	fileSeqs   map[string][2]int64 // first and last rel.seq per file
	fileBytes  map[string]int64    // uncompressed bytes per file
	visit      func(e schema.Entry, line []byte)
}

// readBack reads every data file of base in name order with its own
// decompression (independent of the sink's Reader), checks every line with
// schema.CheckLine and collects the sequence numbers.
func readBack(t testing.TB, base string) readout {
	t.Helper()
	return readBackWith(t, base, nil)
}

// readBackWith is readBack calling visit with every good entry and its line.
func readBackWith(t testing.TB, base string, visit func(e schema.Entry, line []byte)) readout {
	t.Helper()
	d := scanDir(t, base)
	r := readout{visit: visit, seqCount: map[int64]int{}, perSender: map[int64]int64{}, types: map[string]int{},
		fileSeqs: map[string][2]int64{}, fileBytes: map[string]int64{}}
	for i := 1; i < len(d.data); i++ {
		if stem(d.data[i]) == stem(d.data[i-1]) {
			r.dupStems++
		}
	}
	for _, name := range d.data {
		r.files++
		if err := r.readFile(filepath.Join(base, "metrics", name)); err != nil {
			r.badLine(fmt.Sprintf("%s: unreadable: %v", name, err))
		}
	}
	return r
}

func (r *readout) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	rd, closeFn, err := jsonl.Decompress(path, f)
	if err != nil {
		return err
	}
	defer closeFn()
	br := bufio.NewReaderSize(rd, 1<<20)
	name := filepath.Base(path)
	span := [2]int64{-1, -1}
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: collect it whole.
			var big bytes.Buffer
			big.Write(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				big.Write(line)
			}
			line = big.Bytes()
		}
		if len(line) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return err
		}
		r.lines++
		r.fileBytes[name] += int64(len(line))
		if err == io.EOF {
			r.badLine(fmt.Sprintf("%s:%d: torn last line (no newline): %.80q", name, n, line))
			break
		}
		line = line[:len(line)-1]
		e, cerr := schema.CheckLine(line)
		if cerr != nil {
			r.badLine(fmt.Sprintf("%s:%d: %v: %.120q", name, n, cerr, line))
			continue
		}
		r.types[e.Type]++
		if r.visit != nil {
			r.visit(e, line)
		}
		seq, ok := intField(e.Data, attrSeq)
		if !ok {
			r.noSeq++
			continue
		}
		r.seqCount[seq]++
		if span[0] < 0 {
			span[0] = seq
		}
		span[1] = seq
		if sender, ok := intField(e.Data, attrSender); ok {
			if prev, seen := r.perSender[sender]; seen && seq <= prev {
				r.outOfOrder++
			}
			r.perSender[sender] = seq
		}
	}
	r.fileSeqs[name] = span
	return nil
}

func (r *readout) badLine(msg string) {
	r.bad++
	if len(r.badSample) < 10 {
		r.badSample = append(r.badSample, msg)
	}
}

// intField finds "key":<int> at the top level of a data object written by
// the exporter (it has been checked by schema.CheckLine already; this only
// locates our own attribute).
func intField(data []byte, key string) (int64, bool) {
	needle := []byte(strconv.Quote(key) + ":")
	i := bytes.Index(data, needle)
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(needle):]
	j := 0
	for j < len(rest) && (rest[j] == '-' || rest[j] >= '0' && rest[j] <= '9') {
		j++
	}
	v, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	return v, err == nil
}

// checkWithSchemaDir runs the project's own directory checker as a second
// opinion and returns its report.
func checkWithSchemaDir(t testing.TB, base string) schema.Report {
	t.Helper()
	rep, err := schema.CheckDir(base)
	if err != nil {
		t.Fatalf("schema.CheckDir: %v", err)
	}
	return rep
}

// countWithSinkReader reads base with the sink's own jsonl.Reader (the one
// users are told to use) and returns its line count and how many lines it
// yielded that are not valid JSON (the full schema check is readBack's; this
// pass only cross-checks the Reader, cheaply enough for a million lines).
func countWithSinkReader(t testing.TB, base string) (lines, bad int) {
	t.Helper()
	r, err := jsonl.NewReader(base, jsonl.Options{})
	if err != nil {
		t.Fatalf("jsonl.NewReader: %v", err)
	}
	defer func() { _ = r.Close() }()
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return lines, bad
		}
		if err != nil {
			t.Errorf("jsonl.Reader after %d lines: %v", lines, err)
			return lines, bad
		}
		lines++
		if !json.Valid(line) {
			bad++
		}
	}
}
