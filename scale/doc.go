// Package scale is the scale-out test: otelcol-gateway in front of three
// otelcol-analytics backends on loopback, hundreds of concurrent agent
// sessions replayed from captures (internal/replay), compared with the same
// replay into one otelcol-analytics, then again with one backend killed and
// restarted mid-run. Its tests are behind the scale build tag and drive the
// built binaries: `make scale` (full) and `make scale-short` (part of
// `make test`). docs/scaling.md describes the topology it tests.
//
// TestGatewayRoutingAttributes, without the tag, runs in every `go test`:
// it keeps the gateway's routing attributes in step with the analytics
// exporter's session id attributes.
package scale
