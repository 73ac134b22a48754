// Package e2etest holds the in-process end-to-end test: a Collector service
// built from the OTLP receiver's and the analytics exporter's factories (no
// ocb), fed over loopback by the OpenTelemetry Go SDK's OTLP log and metric
// exporters the way an instrumented application feeds it. The package has no
// non-test code.
package e2etest
