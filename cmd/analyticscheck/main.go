// Command analyticscheck checks an analytics output directory against the
// entry contract, like ../shared/tools/seedcheck.py but without Python.
//
// Usage:
//
//	analyticscheck [-min N] [-expect type=N,type=N] [-json] DIR
//
// It prints the number of entries per type and exits 1 when a line is bad,
// when there are fewer than -min entries, or when a type's count differs
// from its -expect value; 2 on a usage error.
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
	Failures []string `json:"failures,omitempty"`
	OK       bool     `json:"ok"`
}

// run is the whole command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analyticscheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	minEntries := fs.Int("min", 0, "fail when there are fewer `N` entries")
	expectArg := fs.String("expect", "", "exact counts per type, `type=N,type=N`")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: analyticscheck [-min N] [-expect type=N,type=N] [-json] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	expect, err := parseExpect(*expectArg)
	if err != nil {
		fmt.Fprintf(stderr, "analyticscheck: -expect: %v\n", err)
		return 2
	}
	rep, err := schema.CheckDir(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "analyticscheck: %v\n", err)
		return 1
	}
	res := result{Report: rep, Failures: failures(rep, *minEntries, expect)}
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
