// Command analyticscheck checks an analytics output directory against the
// entry contract, like ../shared/tools/seedcheck.py but without Python.
//
// Usage:
//
//	analyticscheck [-min N] [-expect type=N,type=N] [-json] DIR [DIR...]
//
// It prints the number of entries per type and exits 1 when a line is bad,
// when there are fewer than -min entries, or when a type's count differs
// from its -expect value; 2 on a usage error.
//
// Several directories (the backends behind a gateway, docs/scaling.md) are
// checked as one output: the counts, -min and -expect are over all of
// them, each directory's own counts are listed too, and it reports how many
// sessions have entries in more than one directory (none when every session
// was routed to one backend; some after a backend was added or removed).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// result is what -json prints.
type result struct {
	schema.Report
	// Dirs are the reports of each directory, when there are several.
	Dirs []dirReport `json:"dirs,omitempty"`
	// SplitSessions counts the session ids with entries in more than one
	// directory (only with several directories).
	SplitSessions *int     `json:"split_sessions,omitempty"`
	Failures      []string `json:"failures,omitempty"`
	OK            bool     `json:"ok"`
}

// dirReport is one directory's report.
type dirReport struct {
	Dir string `json:"dir"`
	schema.Report
}

// run is the whole command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyticscheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	minEntries := fs.Int("min", 0, "fail when there are fewer `N` entries")
	expectArg := fs.String("expect", "", "exact counts per type, `type=N,type=N`")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: analyticscheck [-min N] [-expect type=N,type=N] [-json] DIR [DIR...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	expect, err := parseExpect(*expectArg)
	if err != nil {
		fmt.Fprintf(stderr, "analyticscheck: -expect: %v\n", err)
		return 2
	}
	res, err := check(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "analyticscheck: %v\n", err)
		return 1
	}
	res.Failures = failures(res.Report, *minEntries, expect)
	res.OK = len(res.Failures) == 0
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		printText(stdout, res)
	}
	if !res.OK {
		return 1
	}
	return 0
}

// check checks every directory; several are summed into one report, with
// the number of session ids that have entries in more than one of them.
func check(dirs []string) (result, error) {
	if len(dirs) == 1 {
		rep, err := schema.CheckDir(dirs[0])
		return result{Report: rep}, err
	}
	res := result{Report: schema.Report{Types: map[string]int{}}}
	first := map[string]int{} // session id -> index of its first directory
	split := map[string]bool{}
	for i, d := range dirs {
		rep, err := schema.CheckDirFunc(d, func(e schema.Entry) {
			if e.SessionIDNull {
				return
			}
			if j, ok := first[e.SessionID]; !ok {
				first[e.SessionID] = i
			} else if j != i {
				split[e.SessionID] = true
			}
		})
		if err != nil {
			return res, err
		}
		res.Dirs = append(res.Dirs, dirReport{Dir: d, Report: rep})
		res.Files += rep.Files
		res.Entries += rep.Entries
		res.BadCount += rep.BadCount
		for t, n := range rep.Types {
			res.Types[t] += n
		}
		for _, b := range rep.Bad {
			if len(res.Bad) < schema.MaxBadLines {
				res.Bad = append(res.Bad, d+": "+b)
			}
		}
	}
	n := len(split)
	res.SplitSessions = &n
	return res, nil
}

// parseExpect reads "type=N,type=N".
func parseExpect(s string) (map[string]int, error) {
	out := map[string]int{}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		typ, num, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("%q is not type=N", part)
		}
		if !schema.IsType(typ) {
			return nil, fmt.Errorf("%q is not one of the ten types", typ)
		}
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q: count must be a non-negative integer", part)
		}
		if _, dup := out[typ]; dup {
			return nil, fmt.Errorf("type %q given twice", typ)
		}
		out[typ] = n
	}
	return out, nil
}

// failures lists why the directory fails the check; none means it passes.
func failures(rep schema.Report, minEntries int, expect map[string]int) []string {
	var out []string
	if rep.BadCount > 0 {
		out = append(out, fmt.Sprintf("%d bad lines", rep.BadCount))
	}
	if rep.Entries < minEntries {
		out = append(out, fmt.Sprintf("%d entries, expected at least %d", rep.Entries, minEntries))
	}
	types := make([]string, 0, len(expect))
	for t := range expect {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		if got := rep.Types[t]; got != expect[t] {
			out = append(out, fmt.Sprintf("%s: %d entries, expected %d", t, got, expect[t]))
		}
	}
	return out
}

func printText(w io.Writer, res result) {
	types := make([]string, 0, len(res.Types))
	for t := range res.Types {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "files=%d entries=%d", res.Files, res.Entries)
	for _, t := range types {
		fmt.Fprintf(&b, " %s=%d", t, res.Types[t])
	}
	fmt.Fprintln(w, b.String())
	for _, d := range res.Dirs {
		fmt.Fprintf(w, "  %s: files=%d entries=%d\n", d.Dir, d.Files, d.Entries)
	}
	if res.SplitSessions != nil {
		fmt.Fprintf(w, "sessions in more than one directory: %d\n", *res.SplitSessions)
	}
	for _, bad := range res.Bad {
		fmt.Fprintln(w, "FAIL", bad)
	}
	for _, f := range res.Failures {
		fmt.Fprintln(w, "analyticscheck:", f)
	}
	if res.OK {
		fmt.Fprintf(w, "analyticscheck: ok, %d entries\n", res.Entries)
	}
}
