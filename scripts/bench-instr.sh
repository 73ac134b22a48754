#!/usr/bin/env bash
# Instructions per record of one benchmark, counted by valgrind's cachegrind:
# a noise-free A/B for a shared, oversubscribed machine, where wall and even
# CPU time swing by 30-50% between runs. It counts instructions, not cycles
# (cache misses and branch mispredictions do not show), so it says whether a
# change does less work; confirm a real win with benchstat or bench-e2e.
#
#   scripts/bench-instr.sh [REV] [PKG] [BENCH]
#   (REV=HEAD, PKG=./internal/convert/, BENCH='AppendLogs/claude_code_mapped';
#   PKG=./bench/ measures the bench module, e.g. BENCH='Stages/stage=convert$'
#   on the bench/gen workload of the end-to-end runs)
#
# Each binary runs the benchmark N1 and N2 times (-test.benchtime Nx, GOGC=off,
# GOMAXPROCS=1); the difference of the two instruction totals divided by
# (N2-N1) and by RECORDS (1,000 per op) is the cost per record without the
# setup. Both the tree at REV (git archive into a temp dir) and the working
# tree are measured. Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD}
PKG=${2:-./internal/convert/}
BENCH=${3:-'AppendLogs/claude_code_mapped'}
N1=${N1:-50}
N2=${N2:-250}
RECORDS=${RECORDS:-1000}
command -v valgrind >/dev/null || { echo "bench-instr: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/bench-instr.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/old"
git archive "$REV" | tar -x -C "$WORK/old"
# bench/ is a module of its own: build it from its directory.
MOD=.
if [[ $PKG == ./bench* || $PKG == bench* ]]; then MOD=bench PKG=./${PKG#*bench/}; fi
(cd "$WORK/old/$MOD" && go test -c -o "$WORK/a.test" "$PKG")
(cd "$MOD" && go test -c -o "$WORK/b.test" "$PKG")
instr() { # binary iterations -> total instructions
	GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
		"$1" -test.run '^$' -test.bench "$BENCH" -test.benchtime "${2}x" 2>&1 |
		awk '/I +refs/ {gsub(",", "", $4); print $4}'
}
per() { echo $((($(instr "$1" "$N2") - $(instr "$1" "$N1")) / (N2 - N1) / RECORDS)); }
a=$(per "$WORK/a.test")
b=$(per "$WORK/b.test")
printf '%s %s\n  %-12s %8d instructions/record\n  %-12s %8d instructions/record (%+.1f%%)\n' \
	"$PKG" "$BENCH" "$REV" "$a" "working tree" "$b" "$(echo "($b - $a) * 100 / $a" | bc -l)"
