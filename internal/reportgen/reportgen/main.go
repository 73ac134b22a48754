// Command reportgen writes synthetic exporter output directories (see
// package reportgen): go run ./internal/reportgen/reportgen -users 200 -days 30 DIR...
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/reportgen"
)

func main() {
	users := flag.Int("users", 200, "number of users")
	days := flag.Int("days", 30, "number of days")
	start := flag.String("start", "2026-11-01", "first day, YYYY-MM-DD (UTC)")
	seed := flag.Uint64("seed", 1, "random seed")
	comp := flag.String("compression", "gzip", "per directory, cycled: gzip, zstd, none or mixed (comma-separated)")
	perFile := flag.Int("lines-per-file", 20000, "lines per file")
	flag.Parse()
	t, err := time.Parse(time.DateOnly, *start)
	if err != nil || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: reportgen [flags] DIR...")
		os.Exit(2)
	}
	st, err := reportgen.Generate(reportgen.Config{Dirs: flag.Args(), Users: *users, Days: *days, Start: t, Seed: *seed,
		Compression: strings.Split(*comp, ","), LinesPerFile: *perFile})
	if err != nil {
		fmt.Fprintln(os.Stderr, "reportgen:", err)
		os.Exit(1)
	}
	fmt.Printf("%d lines, %d sessions, %d files, %d bytes uncompressed\n", st.Lines, st.Sessions, st.Files, st.Bytes)
}
