#!/usr/bin/env bash
# A/B of one bench/ benchmark between a git revision and the working tree,
# fit for a noisy shared machine: both test binaries run AT THE SAME TIME,
# ROUNDS times, so they see the same contention, and the script compares the
# medians of their CPU per record (cpu-ns/record; wall time is meaningless
# when the CPUs are oversubscribed).
#
#   scripts/bench-ab.sh [REV] [BENCH]     (REV=HEAD, BENCH='Stages/stage=convert$')
#   ROUNDS=5 BENCHTIME=3s
#
# The old tree is exported with `git archive` into a temp dir (no worktree,
# no change to .git); bench/ must exist at REV.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD}
BENCH=${2:-'Stages/stage=convert$'}
ROUNDS=${ROUNDS:-5}
BENCHTIME=${BENCHTIME:-3s}
WORK=$(mktemp -d /tmp/bench-ab.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/old"
git archive "$REV" | tar -x -C "$WORK/old"
(cd "$WORK/old/bench" && go test -c -o "$WORK/a.test" .)
(cd bench && go test -c -o "$WORK/b.test" .)
run() { "$WORK/$1.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" 2>&1 |
	awk '/^Benchmark/ {for (i = 2; i <= NF; i++) if ($i == "cpu-ns/record") print $(i-1)}' >>"$WORK/$1.txt"; }
for ((r = 1; r <= ROUNDS; r++)); do
	run a &
	run b &
	wait
done
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
a=$(median <"$WORK/a.txt")
b=$(median <"$WORK/b.txt")
echo "$BENCH cpu-ns/record, $ROUNDS concurrent rounds of $BENCHTIME:"
echo "  $REV:        $(tr '\n' ' ' <"$WORK/a.txt")-> median $a"
echo "  working tree: $(tr '\n' ' ' <"$WORK/b.txt")-> median $b"
awk -v a="$a" -v b="$b" 'BEGIN {printf "  change: %+.1f%%\n", (b-a)/a*100}'
