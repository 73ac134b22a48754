// Package e2e holds the end-to-end smoke test of the otelcol-analytics binary
// built by ocb. The test is behind the e2e build tag and runs the binary
// named by OTELCOL_ANALYTICS_BINARY, else _build/otelcol-analytics (package
// internal/testbinary); `make e2e` (part of `make test`) builds the binary
// and runs it:
//
//	OTELCOL_ANALYTICS_BINARY=$PWD/_build/otelcol-analytics go test -tags e2e ./e2e/
//
// It starts the Collector on free loopback ports, sends every payload of
// testdata/payloads over OTLP/HTTP JSON, OTLP/HTTP protobuf and OTLP gRPC,
// stops the Collector with SIGTERM and checks the written files: the
// project's schema checker, the exact lines expected from
// testdata/golden, and ../shared/tools/seedcheck.py where ../shared exists.
package e2e
