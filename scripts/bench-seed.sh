#!/usr/bin/env bash
# Entries per second: the original Python engine (../shared/seed) against
# the analytics exporter, on the same entries.
#
#   scripts/bench-seed.sh        (ROUNDS=15 COUNT=5)
#
# 1. bench/cmd/entries writes the entries the exporter makes of the benchmark
#    batch (1,000 Claude-Code-shaped records);
# 2. bench/seed/seed_bench.py replays them through the seed's
#    JSONLWriter.write_batch (MetricEntry objects; `aiofiles` is the shim in
#    bench/seed/aiofiles.py, PyPI being unreachable), in the shim's `thread`
#    mode (executor hop per call, like the real aiofiles) and `direct` mode
#    (plain calls: a lower bound on the seed's cost);
# 3. BenchmarkConsumeLogs/exporter=analytics gives ours (ConsumeLogs: type
#    resolution, conversion, encoding and the file write).
# Rates are per CPU-second (process CPU time), the only fair unit on a shared
# machine; wall-clock rates are printed too.
#
# Needs ../shared/seed next to the repository; without it the script says so
# and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=$(cd .. && pwd)/shared/seed
ROUNDS=${ROUNDS:-15}
COUNT=${COUNT:-5}
if [[ ! -d $SEED/shannon ]]; then
	echo "bench-seed: skipped: $SEED not found (the seed engine lives in ../shared, which a user's clone does not have)"
	exit 0
fi
WORK=$(mktemp -d /tmp/bench-seed.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

entries=$(cd bench && go run ./cmd/entries -dir "$WORK/entries")
if [[ -f $SEED/../tools/seedcheck.py ]]; then
	python3 "$SEED/../tools/seedcheck.py" "$WORK/entries" >/dev/null
fi
declare -A R
for mode in thread direct; do
	out=$(AIOFILES_SHIM_MODE=$mode python3 bench/seed/seed_bench.py --seed "$SEED" --entries "$entries" --rounds "$ROUNDS")
	echo "$out" | grep -v '^RESULT'
	R[$mode]=$(sed -n 's/^RESULT //p' <<<"$out")
done
(cd bench && go test -run '^$' -bench 'ConsumeLogs/exporter=analytics$' -count "$COUNT" .) | tee "$WORK/ours.txt" | grep '^Benchmark' || true

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
metric() { awk -v u="$1" '/^Benchmark/ {for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}' "$WORK/ours.txt" | median; }
field() { tr ' ' '\n' <<<"${R[$1]}" | sed -n "s/^$2=//p"; }
ours_cpu=$(metric records/cpu-s)
ours_wall=$(awk -v n="$(metric ns/record)" 'BEGIN {printf "%.0f", 1e9/n}')

echo
echo "| engine                                  | entries/cpu-s | entries/s (wall) | ours / it (cpu) |"
echo "|-----------------------------------------|---------------|------------------|-----------------|"
printf '| %-39s | %13.0f | %16.0f | %15s |\n' "analytics exporter (ConsumeLogs)" "$ours_cpu" "$ours_wall" "-"
for mode in thread direct; do
	for m in write build_write; do
		c=$(field "$mode" "${m}_per_cpu_s")
		w=$(field "$mode" "${m}_per_s")
		printf '| %-39s | %13.0f | %16.0f | %14.0fx |\n' "seed $m, aiofiles shim $mode" "$c" "$w" \
			"$(awk -v a="$ours_cpu" -v b="$c" 'BEGIN {print a/b}')"
	done
done
echo "(ours: median of $COUNT benchmark runs; seed: median of $ROUNDS rounds of 1,000 entries)"
