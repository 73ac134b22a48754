// Package jsonl is a rotating, compressing, crash-safe JSON Lines file sink.
//
// It knows nothing of the OpenTelemetry Collector or of the entry schema: it
// takes batches of already-encoded lines and owns the files they land in,
// under <dir>/metrics/metrics_YYYYMMDD_HHMMSS_ffffff.jsonl.
package jsonl
