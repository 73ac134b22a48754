//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// goldenNow is the fixed clock of the converter's golden tests: a golden
// line with this timestamp took it from "now" (a data point without a time),
// so in a real run it is the time of the export instead.
const goldenNow = "2026-01-02T03:04:05.678901+00:00"

// expectation is a multiset of expected lines. A line is keyed by everything
// after its timestamp (ids are random); the timestamps of one key are kept
// as a list, goldenNow standing for "during the run".
type expectation struct {
	lines map[string][]string // rest of line -> timestamps
	types map[string]int
	total int
}

func newExpectation() *expectation {
	return &expectation{lines: map[string][]string{}, types: map[string]int{}}
}

// addGolden adds every line of a golden file, times copies of it; the
// entry of a cumulative point once, since the same point sent again adds
// nothing and writes nothing.
func (e *expectation) addGolden(path string, times int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		ent, err := schema.CheckLine(sc.Bytes())
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		ts, rest, err := splitLine(sc.Bytes(), ent.ID)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		copies := times
		if strings.Contains(rest, `"converted_from":"cumulative"`) {
			copies = 1
		}
		for range copies {
			e.lines[rest] = append(e.lines[rest], ts)
			e.types[ent.Type]++
			e.total++
		}
	}
	return sc.Err()
}

// splitLine returns the timestamp of a checked line and the rest after it:
// `{"id":"<id>","timestamp":"<ts>",<rest>`. The schema check has already
// fixed the key order and the timestamp's form (no escapes in it).
func splitLine(line []byte, id string) (ts, rest string, err error) {
	prefix := `{"id":"` + id + `","timestamp":"`
	if !bytes.HasPrefix(line, []byte(prefix)) {
		return "", "", fmt.Errorf("line does not start with %s", prefix)
	}
	after := line[len(prefix):]
	end := bytes.IndexByte(after, '"')
	if end < 0 || len(after) < end+2 || after[end+1] != ',' {
		return "", "", fmt.Errorf("no timestamp in %s", line)
	}
	return string(after[:end]), string(after[end+2:]), nil
}

// diff matches the lines of the sink directory dir against e and describes
// every missing and every unexpected line; "" means they are equal. A
// goldenNow timestamp matches any time in [from, to].
func (e *expectation) diff(dir string, from, to time.Time) (string, error) {
	left := make(map[string][]string, len(e.lines))
	for k, v := range e.lines {
		left[k] = append([]string(nil), v...)
	}
	r, err := jsonl.NewReader(dir, jsonl.Options{})
	if err != nil {
		return "", err
	}
	defer r.Close()
	var unexpected []string
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		if !e.take(left, line, from, to) {
			unexpected = append(unexpected, string(line))
		}
	}
	var missing []string
	for rest, tss := range left {
		for _, ts := range tss {
			missing = append(missing, ts+" "+rest)
		}
	}
	return describe(missing, unexpected), nil
}

// take removes line from left and reports whether it was expected.
func (e *expectation) take(left map[string][]string, line []byte, from, to time.Time) bool {
	ent, err := schema.CheckLine(line)
	if err != nil {
		return false
	}
	ts, rest, err := splitLine(line, ent.ID)
	if err != nil {
		return false
	}
	tss := left[rest]
	i := slices.Index(tss, ts)
	if i < 0 && !ent.Timestamp.Before(from) && !ent.Timestamp.After(to) {
		i = slices.Index(tss, goldenNow)
	}
	if i < 0 {
		return false
	}
	left[rest] = slices.Delete(tss, i, i+1)
	return true
}

func describe(missing, unexpected []string) string {
	if len(missing) == 0 && len(unexpected) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(unexpected)
	var b strings.Builder
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%d %s lines:\n", len(lines), title)
		for i, l := range lines {
			if i == 10 {
				fmt.Fprintf(&b, "  ... %d more\n", len(lines)-10)
				break
			}
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	list("missing", missing)
	list("unexpected", unexpected)
	return b.String()
}
