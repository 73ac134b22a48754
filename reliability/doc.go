// Package reliability holds the end-to-end fault tests of the built
// Collector (otelcol-analytics): kill -9 under load, rapid rotation, a full
// disk, two writers on one directory, hostile OTLP input, shutdown under
// load, and permissions and symlinks.
//
// The tests drive the real binary over real OTLP gRPC connections and read
// back real files. They are behind the `reliability` build tag so that a
// plain `go test ./...` does not need the binary:
//
//	make build
//	OTELCOL_ANALYTICS_BINARY=$PWD/_build/otelcol-analytics \
//	  go test -tags reliability -v -timeout 30m ./reliability/
//
// -short (or RELIABILITY_SHORT=1) runs the short form used by `make test`.
// Each test prints its figures (t.Logf lines starting with "FIGURE"); with
// RELIABILITY_REPORT=<file> they are also appended to that file.
// scripts/reliability.sh wraps all of this.
package reliability
