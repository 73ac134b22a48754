# analyticsexporter: build, test and run the otelcol-analytics Collector.
#
#   make run      install ocb, build the Collector, run it with config.yaml
#   make test     lint, unit tests (-race and, for what -race skips, without),
#                 build, end-to-end smoke test
#   make build    build ./_build/otelcol-analytics and ./_build/analytics (only when sources changed)
#   make lint     golangci-lint (pinned, installed into .tools/bin)
#   make bench    Go benchmarks into $(BENCH_OUT) for benchstat
#   make reliability  the full reliability suite against the built Collector
#   make bench-e2e    CPU per record of the built Collector vs the nop exporter
#   make agents   run the real agents (npm, pinned) against a mock model API,
#                 store what they send under testdata/agents, check the output
#   make gateway  build ./_build/gateway/otelcol-gateway (docs/scaling.md)
#   make scale    the scale-out test: gateway + three backends, one killed
#                 (its short form, scale-short, is part of make test)
#
# Tools are pinned and installed into .tools/bin with `go install`, never into
# the user's GOPATH; each install leaves a stamp in .tools/stamps named after
# the version, so changing a version below reinstalls that tool.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

GO ?= go

OCB_VERSION           := v0.165.0
# The gateway (gateway/builder-config.yaml) is one release of its own:
# contrib v0.161.0 with its Collector modules, built by the ocb of that
# release, installed beside the other one.
GATEWAY_OCB_VERSION   := v0.161.0
GOLANGCI_LINT_VERSION := v2.15.0
BENCHSTAT_VERSION     := v0.0.0-20260908200009-22c9c6c9d4da

TOOLS_DIR := $(CURDIR)/.tools
TOOLS_BIN := $(TOOLS_DIR)/bin
STAMPS    := $(TOOLS_DIR)/stamps

OCB           := $(TOOLS_BIN)/builder
GATEWAY_OCB   := $(TOOLS_DIR)/ocb-$(GATEWAY_OCB_VERSION)/builder
GOLANGCI_LINT := $(TOOLS_BIN)/golangci-lint
BENCHSTAT     := $(TOOLS_BIN)/benchstat

OCB_STAMP           := $(STAMPS)/builder@$(OCB_VERSION)
GATEWAY_OCB_STAMP   := $(STAMPS)/builder@$(GATEWAY_OCB_VERSION)
GOLANGCI_LINT_STAMP := $(STAMPS)/golangci-lint@$(GOLANGCI_LINT_VERSION)
BENCHSTAT_STAMP     := $(STAMPS)/benchstat@$(BENCHSTAT_VERSION)

BUILD_DIR := _build
BINARY    := $(BUILD_DIR)/otelcol-analytics
ANALYTICS := $(BUILD_DIR)/analytics

# The report command's checks (DuckDB, headless Chromium) run under node
# with the npm packages pinned in scripts/report/package-lock.json,
# installed into .tools/node, never globally.
REPORT_NODE       := $(TOOLS_DIR)/node
REPORT_NODE_STAMP := $(STAMPS)/report-node@$(shell cksum < scripts/report/package-lock.json | cut -d' ' -f1)
GATEWAY_BINARY := $(BUILD_DIR)/gateway/otelcol-gateway
CONFIG    ?= config.yaml

# The Collector is rebuilt only when something it is built from changed: the
# manifest, the module files, or a non-test Go file of the root module
# (nested modules such as bench/ and the generated _build/ are not part of it).
GO_SOURCES := $(shell find . -name '*.go' -not -name '*_test.go' \
	-not -path './_build/*' -not -path './.tools/*' -not -path './.git/*' \
	-not -path './bench/*' -not -path './contribtest/*' -not -path './e2e/*')

# Nested modules whose tests belong to `make test` (contribtest/ keeps the
# contrib dependencies out of the root module). bench/ is run by its own
# targets.
TEST_MODULES := $(patsubst %/go.mod,%,$(wildcard contribtest/go.mod))

GO_TEST_FLAGS ?= -race -timeout 15m
E2E_FLAGS     ?= -race -count=1 -timeout 10m -v
# The scale test drives five processes; the race detector would only slow
# its senders (internal/replay runs under -race in test-unit).
SCALE_FLAGS   ?= -count=1 -timeout 20m -v
# The capture root the scale test replays (internal/replay layout): the
# real agents' captures.
SCALE_CAPTURES ?= testdata/agents

BENCH       ?= .
BENCH_COUNT ?= 6
BENCH_PKGS  ?= ./...
BENCH_OUT   ?= bench.out

.PHONY: all
all: test

## ---- tools ---------------------------------------------------------------

$(OCB_STAMP):
	@mkdir -p $(TOOLS_BIN) $(STAMPS)
	GOBIN=$(TOOLS_BIN) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)
	@touch $@

$(GATEWAY_OCB_STAMP):
	@mkdir -p $(dir $(GATEWAY_OCB)) $(STAMPS)
	GOBIN=$(dir $(GATEWAY_OCB)) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(GATEWAY_OCB_VERSION)
	@touch $@

$(GOLANGCI_LINT_STAMP):
	@mkdir -p $(TOOLS_BIN) $(STAMPS)
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@touch $@

$(BENCHSTAT_STAMP):
	@mkdir -p $(TOOLS_BIN) $(STAMPS)
	GOBIN=$(TOOLS_BIN) $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)
	@touch $@

$(REPORT_NODE_STAMP): scripts/report/package.json scripts/report/package-lock.json
	@mkdir -p $(REPORT_NODE) $(STAMPS)
	cp scripts/report/package.json scripts/report/package-lock.json $(REPORT_NODE)/
	cd $(REPORT_NODE) && npm ci --no-audit --no-fund
	@touch $@

# Without npm the report's DuckDB and Chromium tests skip with a message
# (and fail under CI=true, where .ci/run installs node and chromium).
.PHONY: report-tools
report-tools: ## npm packages of the report checks (@duckdb/node-api, playwright-core) into .tools/node
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(REPORT_NODE_STAMP); \
	else echo "npm not found: the report's DuckDB and Chromium tests will be skipped"; fi

.PHONY: tools
tools: $(OCB_STAMP) $(GATEWAY_OCB_STAMP) $(GOLANGCI_LINT_STAMP) $(BENCHSTAT_STAMP) report-tools ## install every pinned tool

## ---- build and run -------------------------------------------------------

# ocb generates _build/{main.go,components.go,go.mod}; the go.mod replaces
# this module with the local checkout (builder-config.yaml, `path: ./`), then
# ocb runs `go mod tidy` and `go build -trimpath`. -buildvcs=false: the
# binary does not depend on the state of a .git directory (or on git being
# installed). The touch marks the binary as newer than its sources even when
# go build found nothing to relink.
$(BINARY): $(OCB_STAMP) builder-config.yaml go.mod go.sum $(GO_SOURCES)
	GOFLAGS="$$($(GO) env GOFLAGS) -buildvcs=false" $(OCB) --config builder-config.yaml
	@touch $@

# The report command (cmd/analytics); also `go install
# github.com/analyticsexporter/analyticsexporter/cmd/analytics@latest`.
$(ANALYTICS): go.mod go.sum $(GO_SOURCES)
	$(GO) build -trimpath -buildvcs=false -o $@ ./cmd/analytics

.PHONY: build
build: $(BINARY) $(ANALYTICS) ## build the Collector with ocb, and the analytics report command

# The gateway contains no module of this repository: only its manifest
# makes it. ocb does not create the parent of output_path.
$(GATEWAY_BINARY): $(GATEWAY_OCB_STAMP) gateway/builder-config.yaml
	@mkdir -p $(BUILD_DIR)
	GOFLAGS="$$($(GO) env GOFLAGS) -buildvcs=false" $(GATEWAY_OCB) --config gateway/builder-config.yaml
	@touch $@

.PHONY: gateway
gateway: $(GATEWAY_BINARY) ## build the gateway Collector (OTLP in, load_balancing out) with ocb v0.161.0

.PHONY: run
run: $(BINARY) ## build, then run the Collector with $(CONFIG)
	$(BINARY) --config $(CONFIG)

## ---- checks --------------------------------------------------------------

.PHONY: lint
lint: $(GOLANGCI_LINT_STAMP) ## golangci-lint over the root module and $(TEST_MODULES)
	$(GOLANGCI_LINT) run ./...
	for m in $(TEST_MODULES); do (cd $$m && $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...); done

.PHONY: fmt
fmt: $(GOLANGCI_LINT_STAMP) ## rewrite files with gofmt and goimports
	$(GOLANGCI_LINT) fmt ./...

.PHONY: test-unit
test-unit: ## go test -race over the root module and $(TEST_MODULES)
	$(GO) test $(GO_TEST_FLAGS) ./...
	for m in $(TEST_MODULES); do (cd $$m && $(GO) test $(GO_TEST_FLAGS) ./...); done

# The checks the race detector makes meaningless skip under -race:
# allocation counts (sync.Pool drops items at random) and CPU time per input
# byte. This pass runs just those, without -race. Their names contain one of
# these words.
NORACE_TESTS := Alloc|CostPerInputByte

.PHONY: test-norace
test-norace: ## the allocation and cost checks -race skips, without -race
	$(GO) test -count=1 -run '$(NORACE_TESTS)' ./...

# The smoke test of the built binary; it is behind the e2e build tag so that
# `go test ./...` does not need ocb.
.PHONY: e2e
e2e: $(BINARY) ## end-to-end smoke test of the built Collector
	OTELCOL_ANALYTICS_BINARY=$(CURDIR)/$(BINARY) $(GO) test -tags e2e $(E2E_FLAGS) ./e2e/...

# The reliability suite drives the built Collector: kill -9 under
# load, rapid rotation, disk full on a tmpfs, two writers, hostile input,
# SIGTERM under load, permissions. `make test` runs its short form.
.PHONY: reliability
reliability: $(BINARY) ## full reliability suite (~11 min on 2 cores)
	OTELCOL_ANALYTICS_BINARY=$(CURDIR)/$(BINARY) scripts/reliability.sh

.PHONY: reliability-short
reliability-short: $(BINARY) ## short reliability suite, part of make test
	OTELCOL_ANALYTICS_BINARY=$(CURDIR)/$(BINARY) scripts/reliability.sh -short

# The scale-out test (package scale): otelcol-gateway in front of three
# otelcol-analytics backends, hundreds of concurrent sessions replayed from
# $(SCALE_CAPTURES), compared with the same replay into one Collector, then
# one backend killed and restarted mid-run. SCALE_OUT=dir keeps the output
# directories; SCALE_SESSIONS=n changes the number of sessions.
SCALE_ENV = OTELCOL_ANALYTICS_BINARY=$(CURDIR)/$(BINARY) OTELCOL_GATEWAY_BINARY=$(CURDIR)/$(GATEWAY_BINARY) \
	SCALE_CAPTURES=$(abspath $(SCALE_CAPTURES))

.PHONY: scale
scale: $(BINARY) $(GATEWAY_BINARY) ## scale-out test, full: 4800 sessions through the gateway, one backend killed
	$(SCALE_ENV) $(GO) test -tags scale $(SCALE_FLAGS) ./scale/

.PHONY: scale-short
scale-short: $(BINARY) $(GATEWAY_BINARY) ## scale-out test, short (480 sessions), part of make test
	$(SCALE_ENV) $(GO) test -tags scale -short $(SCALE_FLAGS) ./scale/

.PHONY: test
test: ## everything CI runs: lint, report tools, unit tests, build, smoke test, short reliability, short scale
	$(MAKE) lint
	$(MAKE) report-tools
	$(MAKE) test-unit
	$(MAKE) test-norace
	$(MAKE) build
	$(MAKE) e2e
	$(MAKE) reliability-short
	$(MAKE) gateway
	$(MAKE) scale-short

## ---- the real agents ---------------------------------------------------

# The agents are installed with npm at the versions pinned in
# conformance/agents/package-lock.json, into .tools/agents (never globally).
AGENTS_DIR   := $(TOOLS_DIR)/agents
AGENTS_LOCK  := conformance/agents/package-lock.json
AGENTS_STAMP := $(STAMPS)/agents-$(shell sha256sum $(AGENTS_LOCK) 2>/dev/null | cut -c1-16)
AGENTS_ONLY  ?=

$(AGENTS_STAMP): conformance/agents/package.json $(AGENTS_LOCK)
	@mkdir -p $(AGENTS_DIR) $(STAMPS)
	cp conformance/agents/package.json $(AGENTS_LOCK) $(AGENTS_DIR)/
	cd $(AGENTS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The GenAI apps' packages (instrumentations, OTel SDK, openai client, AI
# SDK) at the versions pinned in conformance/genai/package-lock.json, into
# .tools/genai; the apps themselves run from conformance/genai with
# NODE_PATH pointing there.
GENAI_DIR   := $(TOOLS_DIR)/genai
GENAI_LOCK  := conformance/genai/package-lock.json
GENAI_STAMP := $(STAMPS)/genai-$(shell sha256sum $(GENAI_LOCK) 2>/dev/null | cut -c1-16)

$(GENAI_STAMP): conformance/genai/package.json $(GENAI_LOCK)
	@mkdir -p $(GENAI_DIR) $(STAMPS)
	cp conformance/genai/package.json $(GENAI_LOCK) $(GENAI_DIR)/
	cd $(GENAI_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Runs every scenario with every agent (AGENTS_ONLY=codex or
# AGENTS_ONLY=codex/tool_ok for one), rewrites testdata/agents with what
# they sent and checks the Collector's output. `go test ./conformance/`
# replays the stored captures without npm.
.PHONY: agents
agents: $(BINARY) $(AGENTS_STAMP) $(GENAI_STAMP) ## run the real agents and GenAI apps against the built Collector and store their telemetry
	OTELCOL_ANALYTICS_BINARY=$(CURDIR)/$(BINARY) AGENTS_BIN=$(AGENTS_DIR)/node_modules/.bin \
	GENAI_MODULES=$(GENAI_DIR)/node_modules \
	AGENTS_ONLY=$(AGENTS_ONLY) $(GO) test -tags agents -count=1 -timeout 45m -v -run TestLive ./conformance/

## ---- benchmarks ----------------------------------------------------------

# Output is benchstat's input: `make bench BENCH_OUT=old.out`, change code,
# `make bench`, then `make benchstat OLD=old.out NEW=bench.out`.
.PHONY: bench
bench: ## run the Go benchmarks into $(BENCH_OUT)
	$(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -count=$(BENCH_COUNT) $(BENCH_PKGS) | tee $(BENCH_OUT)

# End to end: the built Collector under OTLP gRPC load from
# bench/load, analytics (none, gzip) against the nop exporter, CPU from /proc.
.PHONY: bench-e2e
bench-e2e: $(BINARY) ## end-to-end CPU per record vs nop (and the file exporter), RSS under sustained load
	-scripts/bench-build-compare.sh
	OTELCOL_ANALYTICS_BINARY=$(CURDIR)/$(BINARY) scripts/bench-e2e.sh

# In-process: the same batches through this exporter and the contrib file
# exporter (bench/ is its own module, so contrib stays out of go.mod).
.PHONY: bench-compare
bench-compare: ## analytics vs contrib file exporter, records per CPU-second
	scripts/bench-compare.sh

# Against the original Python engine (needs ../shared; skips without it).
.PHONY: bench-seed
bench-seed: ## entries per CPU-second: this exporter vs the Python seed
	scripts/bench-seed.sh

.PHONY: bench-profile
bench-profile: ## pprof CPU/heap under load (the comparison build, which has the pprof extension)
	scripts/bench-build-compare.sh
	scripts/bench-profile.sh none

OLD ?= old.out
NEW ?= $(BENCH_OUT)
.PHONY: benchstat
benchstat: $(BENCHSTAT_STAMP) ## compare two bench outputs: make benchstat OLD=a.out NEW=b.out
	$(BENCHSTAT) $(OLD) $(NEW)

## ---- housekeeping --------------------------------------------------------

.PHONY: clean
clean: ## remove the built Collector (keeps .tools and ./analytics)
	rm -rf $(BUILD_DIR)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort
