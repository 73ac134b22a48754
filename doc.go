// Package analyticsexporter is an OpenTelemetry Collector exporter (type
// `analytics`) that turns OTLP logs and metrics into analytics entries, one
// JSON line each, in rotating, compressed, crash-safe files.
//
// Conversion lives in internal/convert, the files in jsonl; exporter.go is
// the only place the two meet.
package analyticsexporter
