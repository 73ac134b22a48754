// Package bench compares the analytics exporter with the contrib file
// exporter on the same Claude-Code-shaped batches (consume_bench_test.go),
// and holds the tools for the end-to-end and seed comparisons (load/, seed/,
// gen/). It is its own module so that the exporter's module never depends on
// contrib; see README.md for the commands and what each number means.
package bench
