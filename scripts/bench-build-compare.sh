#!/usr/bin/env bash
# Builds bench/_build/otelcol-compare from bench/builder-config-compare.yaml
# (OTLP receiver; analytics, nop and contrib file exporters; pprof).
#
# ocb runs `go mod tidy`, which fails here because a test-only dependency of
# the file exporter (otlpencodingextension v0.165.1) is refused by the module
# proxy; when that happens the generated module is tidied with -e and built
# by hand. Rebuilds only when the binary is older than the exporter sources.
set -euo pipefail
cd "$(dirname "$0")/.."
OCB=${OCB:-.tools/bin/builder}
OUT=bench/_build
BIN=$OUT/otelcol-compare

if [[ -x $BIN && -z ${FORCE:-} ]] &&
	[[ -z $(find . -name '*.go' -not -name '*_test.go' -not -path './bench/*' -not -path './_build/*' \
		-not -path './.tools/*' -newer "$BIN" -print -quit) ]] &&
	[[ ! bench/builder-config-compare.yaml -nt $BIN && ! go.mod -nt $BIN ]]; then
	echo "bench-build-compare: $BIN is up to date"
	exit 0
fi
if [[ ! -x $OCB ]]; then
	echo "bench-build-compare: installing ocb v0.165.0 into .tools/bin"
	GOBIN=$PWD/.tools/bin go install go.opentelemetry.io/collector/cmd/builder@v0.165.0
fi
if ! "$OCB" --config bench/builder-config-compare.yaml >"$OUT.log" 2>&1; then
	echo "bench-build-compare: ocb failed (see $OUT.log); tidying with -e and building by hand"
	"$OCB" --config bench/builder-config-compare.yaml --skip-compilation --skip-get-modules >>"$OUT.log" 2>&1 || true
	(cd "$OUT" && go mod tidy -e >>"../_build.log" 2>&1 && go build -trimpath -o otelcol-compare .)
fi
touch "$BIN"
echo "bench-build-compare: built $BIN"
