#!/usr/bin/env bash
# Entries per CPU-second of `analytics report` on gzip files, against
# `zcat | wc -l` on the same files (both on one core; medians of RUNS
# runs). Usage: scripts/bench-report.sh [USERS] (default 1000 users, 30 days).
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-1000}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/analytics" ./cmd/analytics
go run ./internal/reportgen/reportgen -users "$users" -days 30 -compression gzip "$work/data"
files=("$work"/data/metrics/*.jsonl.gz)
lines=$(zcat "${files[@]}" | wc -l)
gz=$(du -cb "${files[@]}" | tail -1 | cut -f1)
raw=$(zcat "${files[@]}" | wc -c)
echo "input: ${#files[@]} gzip files, $lines entries, $gz bytes gzip, $raw bytes plain"

# cpu prints the user+sys CPU seconds of a command (its output discarded).
cpu() {
	local TIMEFORMAT='%U %S'
	{ time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%.3f\n", $1 + $2}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

report=$(for _ in $(seq "$runs"); do cpu "$work/analytics" report --workers 1 --format json --by all "$work/data"; done | median)
zcatwc=$(for _ in $(seq "$runs"); do cpu bash -c 'zcat "$@" | wc -l' _ "${files[@]}"; done | median)
awk -v n="$lines" -v r="$report" -v z="$zcatwc" 'BEGIN {
	printf "analytics report --workers 1: %.3f CPU-s, %.0f entries per CPU-second\n", r, n / r
	printf "zcat | wc -l:                 %.3f CPU-s, %.0f entries per CPU-second\n", z, n / z
	printf "ratio (report CPU / zcat|wc CPU): %.2f\n", r / z
}'
