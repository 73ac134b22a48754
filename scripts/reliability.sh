#!/usr/bin/env bash
# reliability.sh runs the reliability suite (package ./reliability)
# against the built Collector and prints the figures of every scenario.
#
#   scripts/reliability.sh            full suite (1,000,000-entry rotation, 25 kill rounds)
#   scripts/reliability.sh -short     short form for `make test` (~3 minutes)
#   scripts/reliability.sh -run Kill  any further arguments go to `go test`
#
# Environment: OTELCOL_ANALYTICS_BINARY (default _build/otelcol-analytics),
# RELIABILITY_REPORT (figures file, default $TMPDIR/reliability-figures.txt),
# RELIABILITY_SEED (replay the kill moments), RELIABILITY_KILL_ROUNDS,
# RELIABILITY_ROTATION_ENTRIES. The disk-full tests mount a tmpfs and need
# root; without it they skip and say so.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export OTELCOL_ANALYTICS_BINARY=${OTELCOL_ANALYTICS_BINARY:-$root/_build/otelcol-analytics}
export RELIABILITY_REPORT=${RELIABILITY_REPORT:-${TMPDIR:-/tmp}/reliability-figures.txt}
if [[ ! -x $OTELCOL_ANALYTICS_BINARY ]]; then
	echo "reliability: no Collector at $OTELCOL_ANALYTICS_BINARY (run \`make build\`)" >&2
	exit 2
fi

timeout=40m
for arg in "$@"; do
	[[ $arg == -short ]] && timeout=10m
done

: >"$RELIABILITY_REPORT"
log=$(mktemp "${TMPDIR:-/tmp}/reliability.XXXXXX.log")
echo "reliability: $OTELCOL_ANALYTICS_BINARY, go test log in $log"
status=0
(cd "$root" && go test -tags reliability -count=1 -v -timeout "$timeout" "$@" ./reliability/) >"$log" 2>&1 || status=$?

# Results and figures; the full log keeps the Collector output of failures.
grep -E '^(=== RUN|--- |\s+--- |ok|FAIL|PASS|panic)|FIGURE|_test\.go:[0-9]+: ' "$log" |
	grep -vE '^=== RUN' | grep -vE '^\s+20[0-9]{2}-[0-9]{2}-' || true
echo
echo "reliability: figures in $RELIABILITY_REPORT; exit status $status"
exit "$status"
