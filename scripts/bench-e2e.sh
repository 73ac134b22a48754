#!/usr/bin/env bash
# End-to-end cost of the analytics exporter in the built Collector.
#
#   scripts/bench-e2e.sh            (make bench-e2e)
#
# For every round it starts the Collector once per config (OTLP/gRPC receiver
# on a free 127.0.0.1 port, one logs pipeline), sends the same pre-marshaled
# Claude-Code-shaped load with bench/load, and reads the Collector's CPU time
# and RSS from /proc. Configs run interleaved (nop, none, gzip, nop, ...) so
# that the noise of a shared machine falls on all of them alike; the table
# shows medians of CPU-us per record and the ratios to the nop exporter, both
# of the medians and the median of the per-round ratios.
#
#   nop     the nop exporter: the receiver and pipeline alone
#   none    analytics, compression none
#   gzip    analytics, compression gzip (rotated files gzipped in background)
#   file    contrib file exporter (OTLP JSON), only with the comparison build
#           (bench/_build/otelcol-compare, scripts/bench-build-compare.sh);
#           its own nop run on that binary is the baseline of its ratio
#
# Then a sustained run (analytics gzip, max_megabytes 1: a rotation and a
# compression every ~1,200 records; fresh session ids in every batch) shows
# RSS at start, middle and end.
#
# Environment: ROUNDS (5) BATCHES (300) RECORDS (1000) CONCURRENCY (4)
# ROTATE_MB (16) SUSTAIN_BATCHES (2000) SUSTAIN_SESSIONS (100 per batch)
# OTELCOL_ANALYTICS_BINARY (_build/otelcol-analytics, built with `make build` if missing)
# COMPARE (auto: use bench/_build/otelcol-compare when it exists; 0 = off)
# ROUNDS=0 skips the table, SUSTAIN_BATCHES=0 the sustained run; ZSTD=1
# adds analytics with compression zstd (its lines are not counted: no zstd
# tool needed).
# COLLECTOR_B (unset): a second build (absolute path) whose nop and
# analytics-none runs join every round, for an A/B of a change end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-5}
BATCHES=${BATCHES:-300}
RECORDS=${RECORDS:-1000}
CONCURRENCY=${CONCURRENCY:-4}
ROTATE_MB=${ROTATE_MB:-16}
SUSTAIN_BATCHES=${SUSTAIN_BATCHES:-2000}
SUSTAIN_SESSIONS=${SUSTAIN_SESSIONS:-100}
COLLECTOR=${OTELCOL_ANALYTICS_BINARY:-_build/otelcol-analytics}
COMPARE_BIN=bench/_build/otelcol-compare
COMPARE=${COMPARE:-auto}
COLLECTOR_B=${COLLECTOR_B:-}

WORK=$(mktemp -d /tmp/bench-e2e.XXXXXX)
PID=
cleanup() {
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ! -x $COLLECTOR ]]; then
	echo "bench-e2e: $COLLECTOR missing, running make build"
	make build
fi
[[ $COLLECTOR == /* ]] || COLLECTOR=$ROOT/$COLLECTOR
(cd bench && go build -o "$WORK/load" ./load)
LOAD=$WORK/load
if [[ $COMPARE == auto ]]; then
	if [[ -x $COMPARE_BIN ]]; then COMPARE=1; else COMPARE=0; fi
fi

# exporter_yaml NAME DIR: the exporters section entry of config NAME.
exporter_yaml() {
	case $1 in
	nop) printf '  nop: {}\n' ;;
	none | gzip | zstd) printf '  analytics:\n    directory: %s\n    compression: %s\n    rotation: {max_megabytes: %s, max_files: 1000}\n' "$2" "$1" "$ROTATE_MB" ;;
	sustain) printf '  analytics:\n    directory: %s\n    compression: gzip\n    rotation: {max_megabytes: 1, max_files: 5}\n' "$2" ;;
	file) printf '  file:\n    path: %s/out.json\n' "$2" ;;
	esac
}

exporter_id() {
	case $1 in nop) echo nop ;; file) echo file ;; *) echo analytics ;; esac
}

# write_config NAME PORT METRICS_PORT DIR > file
write_config() {
	cat <<YAML
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$2
exporters:
$(exporter_yaml "$1" "$4")
service:
  telemetry:
    logs: {level: warn}
    metrics:
      level: normal
      readers:
        - pull:
            exporter:
              prometheus: {host: 127.0.0.1, port: $3}
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [$(exporter_id "$1")]
YAML
}

# run_one BIN NAME [load flags...]: starts the Collector with config NAME,
# loads it, stops it; prints the load tool's RESULT line (without "RESULT ").
run_one() {
	local bin=$1 name=$2 port mport dir cfg out
	shift 2
	port=$("$LOAD" -free-port)
	mport=$("$LOAD" -free-port)
	dir=$WORK/out-$name
	cfg=$WORK/$name.yaml
	rm -rf "$dir" && mkdir -p "$dir"
	write_config "$name" "$port" "$mport" "$dir" >"$cfg"
	"$bin" --config "$cfg" >"$WORK/$name.log" 2>&1 &
	PID=$!
	if ! out=$("$LOAD" -addr "127.0.0.1:$port" -pid "$PID" -records "$RECORDS" -concurrency "$CONCURRENCY" "$@" 2>&1); then
		echo "bench-e2e: load failed for $name: $out" >&2
		tail -20 "$WORK/$name.log" >&2
		exit 1
	fi
	kill -TERM "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	check_written "$name" "$dir" "$@"
	rm -rf "$dir"
	sed -n 's/^RESULT //p' <<<"$out"
}

# check_written NAME DIR [load flags]: the analytics runs keep every file
# (max_files 1000), so the lines written can be counted after the Collector
# stopped: at least one per record sent (warm-up, readiness probe, measured
# batches; the session tracker adds its own session_start/end lines).
check_written() {
	local name=$1 dir=$2 batches lines want
	[[ $name == none || $name == gzip ]] || return 0
	batches=$(sed -n 's/.*-batches \([0-9]*\).*/\1/p' <<<"${*:3}")
	want=$(((batches + 20 + 1) * RECORDS))
	lines=$(find "$dir" -name 'metrics_*.jsonl*' -type f -print0 | xargs -0 -r zcat -f | wc -l)
	if ((lines < want)); then
		echo "bench-e2e: $name wrote $lines lines, want >= $want: the exporter lost data, numbers void" >&2
		exit 1
	fi
}

# field KEY < RESULT line
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A CPU RATE
# Jobs are KEY:BINARY:CONFIG. Every round runs them all, starting one
# further down the list each time: the first run of a round is measured
# differently (what the previous round left behind: page cache, writeback),
# and the rotation spreads that over every config instead of always nop.
JOBS=("nop:$COLLECTOR:nop" "none:$COLLECTOR:none" "gzip:$COLLECTOR:gzip")
if [[ -n ${ZSTD:-} ]]; then JOBS+=("zstd:$COLLECTOR:zstd"); fi
if [[ -n $COLLECTOR_B ]]; then JOBS+=("bnop:$COLLECTOR_B:nop" "bnone:$COLLECTOR_B:none"); fi
if [[ $COMPARE == 1 ]]; then JOBS+=("cnop:$ROOT/$COMPARE_BIN:nop" "cfile:$ROOT/$COMPARE_BIN:file"); fi
echo "bench-e2e: $ROUNDS rounds of $BATCHES batches x $RECORDS records, concurrency $CONCURRENCY, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
	line=
	for ((j = 0; j < ${#JOBS[@]}; j++)); do
		IFS=: read -r key bin name <<<"${JOBS[(j + r - 1) % ${#JOBS[@]}]}"
		res=$(run_one "$bin" "$name" -batches "$BATCHES")
		CPU[$key]+="$(field cpu_us_per_record <<<"$res") "
		RATE[$key]+="$(field records_per_s <<<"$res") "
		line+="$key=$(field cpu_us_per_record <<<"$res") "
	done
	echo "round $r: $line"
done

# paired_ratio A B: median over rounds of A_i / B_i
paired_ratio() {
	paste <(tr ' ' '\n' <<<"${CPU[$1]}" | sed '/^$/d') <(tr ' ' '\n' <<<"${CPU[$2]}" | sed '/^$/d') |
		awk '{print $1/$2}' | median
}

row() { # row LABEL KEY BASE
	local m b
	m=$(tr ' ' '\n' <<<"${CPU[$2]}" | sed '/^$/d' | median)
	b=$(tr ' ' '\n' <<<"${CPU[$3]}" | sed '/^$/d' | median)
	printf '| %-34s | %8.3f | %9.0f | %6.2fx | %6.2fx |\n' "$1" "$m" \
		"$(tr ' ' '\n' <<<"${RATE[$2]}" | sed '/^$/d' | median)" \
		"$(awk -v a="$m" -v b="$b" 'BEGIN {print a/b}')" "$(paired_ratio "$2" "$3")"
}

if ((ROUNDS > 0)); then
	echo
	echo "| Collector config (logs pipeline)   | CPU-us/rec | records/s | vs nop | paired |"
	echo "|------------------------------------|----------|-----------|--------|--------|"
	row "nop exporter" nop nop
	row "analytics, compression none" none nop
	row "analytics, compression gzip" gzip nop
	if [[ -n ${ZSTD:-} ]]; then row "analytics, compression zstd" zstd nop; fi
	if [[ -n $COLLECTOR_B ]]; then
		row "nop exporter (build B)" bnop bnop
		row "analytics none (build B)" bnone bnop
		printf 'build B / build A, analytics none CPU per record: %s (median of per-round ratios)\n' "$(paired_ratio bnone none)"
	fi
	if [[ $COMPARE == 1 ]]; then
		row "nop exporter (compare build)" cnop cnop
		row "contrib file exporter (compare)" cfile cnop
	fi
	echo "(medians of $ROUNDS rounds; 'vs nop' = ratio of medians, 'paired' = median of per-round ratios)"
fi

if ((SUSTAIN_BATCHES > 0)); then
	echo
	echo "bench-e2e: sustained run: analytics gzip, max_megabytes 1, $SUSTAIN_BATCHES batches, $SUSTAIN_SESSIONS fresh sessions per batch"
	res=$(run_one "$COLLECTOR" sustain -batches "$SUSTAIN_BATCHES" -sessions "$SUSTAIN_SESSIONS" \
		-fresh-sessions -warmup 100 -max-duration 10m)
	mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b/1048576}'; }
	printf 'records %s, %s records/s, %s CPU-us/record\n' "$(field records <<<"$res")" \
		"$(field records_per_s <<<"$res")" "$(field cpu_us_per_record <<<"$res")"
	printf 'RSS MiB: start %s  mid %s  peak %s  end %s  (second half growth %s MiB)\n' \
		"$(mb "$(field rss_start <<<"$res")")" "$(mb "$(field rss_mid <<<"$res")")" \
		"$(mb "$(field rss_peak <<<"$res")")" "$(mb "$(field rss_end <<<"$res")")" \
		"$(mb $(($(field rss_end <<<"$res") - $(field rss_mid <<<"$res"))))"
	printf 'RSS MiB at 10 evenly spaced moments: %s\n' "$(field rss_curve_mib <<<"$res" | tr ',' ' ')"
fi
