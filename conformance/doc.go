// Package conformance checks the exporter against what the real agents send.
//
// The suite has two halves. `make agents` installs the pinned agents with
// npm, runs each scenario of internal/mockmodel with each agent against the
// mock model server, sends the agents' telemetry through a recording proxy
// into the built Collector, stores what they sent under
// testdata/agents/<agent>-<version>/<scenario>/ and checks the Collector's
// output (go test -tags agents). `go test` replays those stored captures
// through the exporter in process and checks the same expectations, with no
// npm and no network.
package conformance
