#!/usr/bin/env bash
# CPU and heap profiles of the Collector under load: what dominates. Runs
# the comparison Collector (bench/_build/otelcol-compare, built by
# scripts/bench-build-compare.sh; it has the pprof extension) with
# the analytics exporter, drives it with bench/load and fetches
# /debug/pprof/profile and /debug/pprof/heap while the load runs.
#
#   scripts/bench-profile.sh [none|gzip|nop|file]    (default none)
#
# COLLECTOR overrides the binary, RECORDS (1000) the records per request. Profiles land in $OUT (default
# /tmp/bench-profile); the script prints the top functions and the mutex
# contention (mutex_profile_fraction 5). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-none}
OUT=${OUT:-/tmp/bench-profile}
SECONDS_PROFILED=${PROFILE_SECONDS:-15}
BIN=${COLLECTOR:-bench/_build/otelcol-compare}
[[ -x $BIN ]] || scripts/bench-build-compare.sh
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/bench-profile.XXXXXX)
PID=
LPID=
cleanup() {
	[[ -n $LPID ]] && kill "$LPID" 2>/dev/null
	if [[ -n $PID ]]; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
(cd bench && go build -o "$WORK/load" ./load)
port=$("$WORK/load" -free-port)
pport=$("$WORK/load" -free-port)
mport=$("$WORK/load" -free-port)
case $MODE in
nop) exp='nop: {}' id=nop ;;
file) exp="file: {path: $WORK/out/out.json}" id=file ;;
none | gzip) exp="analytics: {directory: $WORK/out, compression: $MODE, rotation: {max_megabytes: 16, max_files: 4}}" id=analytics ;;
*) echo "usage: $0 [none|gzip|nop|file]" >&2; exit 2 ;;
esac
mkdir -p "$WORK/out"
cat >"$WORK/config.yaml" <<YAML
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:$port}
exporters:
  $exp
extensions:
  pprof: {endpoint: 127.0.0.1:$pport, mutex_profile_fraction: 5, block_profile_fraction: 0}
service:
  extensions: [pprof]
  telemetry:
    logs: {level: warn}
    metrics:
      level: normal
      readers:
        - pull: {exporter: {prometheus: {host: 127.0.0.1, port: $mport}}}
  pipelines:
    logs: {receivers: [otlp], exporters: [$id]}
YAML
"$BIN" --config "$WORK/config.yaml" >"$WORK/collector.log" 2>&1 &
PID=$!
"$WORK/load" -addr "127.0.0.1:$port" -pid "$PID" -records "${RECORDS:-1000}" -batches 1000000 -max-duration $((SECONDS_PROFILED + 60))s \
	-warmup 20 >"$WORK/load.out" 2>&1 &
LPID=$!
sleep 5 # warm-up batches and steady state before profiling
go tool pprof -proto "http://127.0.0.1:$pport/debug/pprof/profile?seconds=$SECONDS_PROFILED" >"$OUT/cpu-$MODE.pb.gz" 2>/dev/null
go tool pprof -proto "http://127.0.0.1:$pport/debug/pprof/allocs" >"$OUT/allocs-$MODE.pb.gz" 2>/dev/null
go tool pprof -proto "http://127.0.0.1:$pport/debug/pprof/heap" >"$OUT/heap-$MODE.pb.gz" 2>/dev/null
go tool pprof -proto "http://127.0.0.1:$pport/debug/pprof/mutex" >"$OUT/mutex-$MODE.pb.gz" 2>/dev/null
echo "== CPU, Collector with exporter $MODE (top by cumulative time) =="
go tool pprof -top -cum -nodecount=40 "$OUT/cpu-$MODE.pb.gz" 2>/dev/null | sed -n '4,50p'
echo "== in-use heap =="
go tool pprof -top -sample_index=inuse_space -nodecount=15 "$OUT/heap-$MODE.pb.gz" 2>/dev/null | sed -n '4,22p'
echo "== mutex contention (delay) =="
go tool pprof -top -sample_index=delay -nodecount=10 "$OUT/mutex-$MODE.pb.gz" 2>/dev/null | sed -n '4,16p'
echo "profiles: $OUT/{cpu,allocs,heap,mutex}-$MODE.pb.gz (go tool pprof -http 127.0.0.1:0 FILE)"
