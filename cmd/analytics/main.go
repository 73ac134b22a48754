// Command analytics reads the output directories of analytics exporters
// and reports what teams collect agent telemetry for: sessions, prompts,
// active time, tokens by kind, cost (reported and estimated from a pricing
// table), tools, errors and API latency, in totals and per day, month,
// 5-hour block, user, model, agent and session.
//
// Usage:
//
//	analytics report [flags] DIR...
//	analytics pricing
//
// See docs/report.md for every flag and where each figure comes from.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/report"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: analytics report [flags] DIR...
       analytics pricing          print the built-in pricing table (JSON)

DIR is an exporter output directory (the exporter's "directory"); its
metrics/metrics_*.jsonl, .jsonl.gz and .jsonl.zst files are read.
Flags may come before or after the directories.
`

// run is the whole command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "report":
		return runReport(args[1:], stdout, stderr)
	case "pricing":
		_, _ = stdout.Write(report.BuiltinPricing())
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "analytics: unknown command %q\n%s", args[0], usage)
	return 2
}

// listFlag collects repeated and comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func set(l listFlag) map[string]bool {
	if len(l) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, v := range l {
		m[v] = true
	}
	return m
}

const defaultBy = "total,day,model,agent,tool,error,session"

func runReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("analytics report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	since := fs.String("since", "", "keep entries at or after `TIME` (YYYY-MM-DD, UTC midnight, or RFC 3339)")
	until := fs.String("until", "", "keep entries before `TIME` (RFC 3339), or through the end of that day (YYYY-MM-DD)")
	var users, sessions, agents listFlag
	fs.Var(&users, "user", "keep these user_id `values` (repeatable, comma-separated)")
	fs.Var(&sessions, "session", "keep these session_id `values` (repeatable, comma-separated)")
	fs.Var(&agents, "agent", "keep these agents, metadata.resource[\"service.name\"] `values` (repeatable, comma-separated)")
	by := fs.String("by", "", "sections: `LIST` of "+strings.Join(report.Groupings, ",")+" or all (default "+defaultBy+"; csv: one, default day)")
	top := fs.Int("top", 10, "sessions (and blocks in the table) to list, `N` (0: all)")
	sortBy := fs.String("sort", "cost", "order sessions by `cost` (reported plus estimated) or tokens")
	format := fs.String("format", "table", "output `format`: table, json or csv")
	html := fs.String("html", "", "also write a self-contained HTML page with charts to `FILE`")
	pricing := fs.String("pricing", "", "pricing `FILE` whose models replace or add to the built-in table")
	workers := fs.Int("workers", 0, "files read in parallel, `N` (0: one per CPU)")
	strict := fs.Bool("strict", false, "exit 1 when a file or line was skipped")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage+"\nflags:\n")
		fs.PrintDefaults()
	}
	var dirs []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "analytics report: no directory given")
		fs.Usage()
		return 2
	}
	filter := report.Filter{Users: set(users), Sessions: set(sessions), Agents: set(agents)}
	var err error
	if *since != "" {
		if filter.Since, err = parseTime(*since, false); err != nil {
			fmt.Fprintf(stderr, "analytics report: --since: %v\n", err)
			return 2
		}
		filter.HasSince = true
	}
	if *until != "" {
		if filter.Until, err = parseTime(*until, true); err != nil {
			fmt.Fprintf(stderr, "analytics report: --until: %v\n", err)
			return 2
		}
		filter.HasUntil = true
	}
	if *format != "table" && *format != "json" && *format != "csv" {
		fmt.Fprintf(stderr, "analytics report: --format %q: want table, json or csv\n", *format)
		return 2
	}
	if *sortBy != "cost" && *sortBy != "tokens" {
		fmt.Fprintf(stderr, "analytics report: --sort %q: want cost or tokens\n", *sortBy)
		return 2
	}
	if *top < 0 {
		fmt.Fprintln(stderr, "analytics report: --top must not be negative")
		return 2
	}
	sections, err := parseBy(*by, *format)
	if err != nil {
		fmt.Fprintf(stderr, "analytics report: --by: %v\n", err)
		return 2
	}
	g := report.Grouping{Top: *top, SortBy: *sortBy}
	if *format == "json" || *html != "" {
		g.Sessions = true
	}
	for _, s := range sections {
		switch s {
		case "month":
			g.Months = true
		case "user":
			g.Users = true
		case "agent":
			g.Agents = true
		case "block":
			g.Blocks = true
		case "session":
			g.Sessions = true
		}
	}
	prices, err := report.LoadPricing(*pricing)
	if err != nil {
		fmt.Fprintf(stderr, "analytics report: %v\n", err)
		return 2
	}
	res, err := report.Read(dirs, report.Options{Filter: filter, Blocks: g.Blocks, Workers: *workers})
	if err != nil {
		fmt.Fprintf(stderr, "analytics report: %v\n", err)
		return 1
	}
	r := report.Build(res, prices, g)
	skipped := writeProblems(stderr, r)

	out := bufio.NewWriterSize(stdout, 64<<10)
	switch *format {
	case "json":
		err = report.WriteJSON(out, r)
	case "csv":
		err = report.WriteCSV(out, r, sections[0])
	default:
		report.WriteTable(out, r, sections, *top)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintf(stderr, "analytics report: %v\n", err)
		return 1
	}
	if *html != "" {
		if err := writeHTML(*html, r); err != nil {
			fmt.Fprintf(stderr, "analytics report: --html: %v\n", err)
			return 1
		}
	}
	if *strict && skipped {
		return 1
	}
	return 0
}

func writeHTML(path string, r *report.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := report.WriteHTML(w, r); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parseBy reads --by; csv takes exactly one grouping.
func parseBy(s, format string) ([]string, error) {
	if s == "" {
		if format == "csv" {
			return []string{"day"}, nil
		}
		s = defaultBy
	}
	if s == "all" {
		s = strings.Join(report.Groupings, ",")
	}
	var out []string
	for _, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if !slices.Contains(report.Groupings, v) {
			return nil, fmt.Errorf("%q is not one of %s", v, strings.Join(report.Groupings, ", "))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if format == "csv" && len(out) != 1 {
		return nil, errors.New("csv writes one grouping: give --by exactly one")
	}
	return out, nil
}

// parseTime reads YYYY-MM-DD (UTC; with endOfDay, the next midnight) or RFC 3339.
func parseTime(s string, endOfDay bool) (int64, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t.UnixMicro(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t.UnixMicro(), nil
}

// writeProblems reports skipped input on stderr and whether there was any.
func writeProblems(w io.Writer, r *report.Report) bool {
	c := r.Input
	for i, p := range r.Problems {
		if i == 20 {
			fmt.Fprintf(w, "analytics report: ... %d more files with problems\n", len(r.Problems)-i)
			break
		}
		fmt.Fprintf(w, "analytics report: %s: %s\n", p.File, p.What)
	}
	skipped := c.FilesSkipped > 0 || c.Foreign > 0 || c.Torn > 0
	if skipped {
		fmt.Fprintf(w, "analytics report: skipped %d of %d files (%d lines in them), %d lines that are not entries, %d torn last lines\n",
			c.FilesSkipped, c.Files, c.LinesInSkipped, c.Foreign, c.Torn)
	}
	if c.InvalidValues > 0 {
		fmt.Fprintf(w, "analytics report: ignored %d values of the wrong kind (a token count that is not an integer, a cost that is not a number...)\n", c.InvalidValues)
	}
	if c.CacheAboveInput > 0 {
		fmt.Fprintf(w, "analytics report: %d token_usage entries have more cache tokens than input_tokens (written before input_tokens included the cache?); cache ratios over them are off\n", c.CacheAboveInput)
	}
	return skipped
}
