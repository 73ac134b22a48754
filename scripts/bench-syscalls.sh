#!/usr/bin/env bash
# Syscalls the Collector makes per exported batch.
# Runs the built Collector (_build/otelcol-analytics) with the analytics
# exporter (compression none, or $1) and the nop exporter, attaches
# `strace -c -f` while bench/load sends BATCHES batches, and prints the
# syscall summary of each, so the difference is what the exporter adds.
# strace slows the process a lot: use it for counts, never for timing.
#
#   scripts/bench-syscalls.sh [none|gzip]     (BATCHES=200)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-none}
BATCHES=${BATCHES:-200}
BIN=${OTELCOL_ANALYTICS_BINARY:-_build/otelcol-analytics}
command -v strace >/dev/null || { echo "bench-syscalls: skipped: strace not installed"; exit 0; }
[[ -x $BIN ]] || make build
WORK=$(mktemp -d /tmp/bench-syscalls.XXXXXX)
PID=
SPID=
cleanup() {
	[[ -n $SPID ]] && kill "$SPID" 2>/dev/null
	if [[ -n $PID ]]; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
(cd bench && go build -o "$WORK/load" ./load)

# one NAME EXPORTER_YAML ID
one() {
	local port mport
	port=$("$WORK/load" -free-port)
	mport=$("$WORK/load" -free-port)
	cat >"$WORK/$1.yaml" <<YAML
receivers:
  otlp: {protocols: {grpc: {endpoint: 127.0.0.1:$port}}}
exporters:
  $2
service:
  telemetry:
    logs: {level: warn}
    metrics: {level: normal, readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: $mport}}}}]}
  pipelines:
    logs: {receivers: [otlp], exporters: [$3]}
YAML
	"$BIN" --config "$WORK/$1.yaml" >"$WORK/$1.log" 2>&1 &
	PID=$!
	"$WORK/load" -addr "127.0.0.1:$port" -pid "$PID" -batches 1 -warmup 5 >/dev/null
	strace -c -f -p "$PID" -o "$WORK/$1.strace" 2>/dev/null &
	SPID=$!
	sleep 1
	"$WORK/load" -addr "127.0.0.1:$port" -pid "$PID" -batches "$BATCHES" -warmup 0 -settle 1s >/dev/null
	kill -INT "$SPID"
	wait "$SPID" 2>/dev/null || true
	SPID=
	kill -TERM "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	echo "== $1: syscalls during $BATCHES batches of 1000 records (calls / batch for the top ones) =="
	awk -v n="$BATCHES" 'NR > 2 && $NF != "total" && $4 ~ /^[0-9]+$/ {printf "%-16s %9d calls  %8.2f / batch\n", $NF, $4, $4 / n}' \
		"$WORK/$1.strace" | sort -k2 -n -r | head -12
}
mkdir -p "$WORK/out"
one nop 'nop: {}' nop
one "analytics-$MODE" "analytics: {directory: $WORK/out, compression: $MODE}" analytics
