#!/usr/bin/env bash
# The in-process comparison: BenchmarkConsumeLogs (analytics vs
# contrib file exporter, same 1,000-record batches) and BenchmarkStages, in
# the bench/ module, in COUNT alternating rounds; prints the medians, the ratio of
# records per CPU-second and the per-record figures.
#
#   scripts/bench-compare.sh          (COUNT=6, BENCHTIME=1s, OUT=bench-compare.out)
#
# The raw output is benchstat input: benchstat -col /exporter bench-compare.out
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
OUT=${OUT:-$PWD/bench-compare.out}
WORK=$(mktemp -d /tmp/bench-compare.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
(cd bench && go test -c -o "$WORK/bench.test" .)
# Rounds alternate the benchmarks (go test -count would run each one COUNT
# times in a row, and a burst of load from others would land on one only).
: >"$OUT"
for ((r = 1; r <= COUNT; r++)); do
	for b in 'ConsumeLogs/exporter=analytics$' 'ConsumeLogs/exporter=file$' 'Stages'; do
		(cd bench && "$WORK/bench.test" -test.run '^$' -test.bench "$b" -test.benchtime "$BENCHTIME") >"$WORK/one.txt"
		if [[ ! -s $OUT ]]; then grep -E '^(goos|goarch|pkg|cpu):' "$WORK/one.txt" >>"$OUT"; fi
		grep '^Benchmark' "$WORK/one.txt" | tee -a "$OUT"
	done
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# metric NAME UNIT: median of UNIT over the runs of benchmark NAME
metric() { awk -v b="$1" -v u="$2" '$1 ~ "^"b"(-[0-9]+)?$" {for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}' "$OUT" | median; }

A=BenchmarkConsumeLogs/exporter=analytics
F=BenchmarkConsumeLogs/exporter=file
echo
echo "| benchmark (median of $COUNT)          | cpu-ns/record | ns/record (wall) | allocs/record | records/cpu-s |"
echo "|--------------------------------------|---------------|------------------|---------------|---------------|"
for b in $A $F BenchmarkStages/stage=walk BenchmarkStages/stage=convert BenchmarkStages/stage=sink; do
	printf '| %-36s | %13.0f | %16.0f | %13.4f | %13.0f |\n' "${b#Benchmark}" "$(metric "$b" cpu-ns/record)" \
		"$(metric "$b" ns/record)" "$(metric "$b" allocs/record)" "$(metric "$b" records/cpu-s)"
done
ratio=$(awk -v a="$(metric $A records/cpu-s)" -v f="$(metric $F records/cpu-s)" 'BEGIN {printf "%.2f", a/f}')
echo
echo "records per CPU-second, analytics / file: ${ratio}x"
echo "analytics per record: $(metric $A cpu-ns/record) CPU-ns, $(metric $A ns/record) wall-ns, $(metric $A allocs/record) allocs"
if [[ -x .tools/bin/benchstat ]]; then
	echo
	.tools/bin/benchstat -col /exporter -filter '.name:ConsumeLogs' "$OUT" || true
fi
