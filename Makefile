# Makefile for scimbridge. Run `make help` for the list of targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help

GO      ?= go
PKG     := github.com/scimbridge/scimbridge
BIN     := bin/scimbridge
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The commit and its time (UTC, RFC 3339) stamped into the binary beside
# VERSION; the Dockerfile takes them as build args of the same names.
COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null)
COMMIT_DATE ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
# The platform to build for, as buildx names it (TARGETOS=linux
# TARGETARCH=arm64); empty means the Go toolchain's own.
TARGETOS   ?=
TARGETARCH ?=

.PHONY: help test build image release vet fmt lint demo bench soak deploy-check ci clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*?## "; printf "Usage: make <target>\n\nTargets:\n"} \
		/^[a-zA-Z_-]+:.*?## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: ## Run all tests with the race detector (MySQL/MariaDB from SCIMBRIDGE_TEST_DSN if set, else an embedded engine)
	$(GO) test -race -count=1 ./...

# The recipe line below is copied literally into the Dockerfile (as a RUN line,
# where ${VERSION}, ${COMMIT}, ${COMMIT_DATE}, ${TARGETOS} and ${TARGETARCH}
# are build ARGs); .ci/run checks that the two stay identical. The variables
# are written with braces so that make and the shell read the same text.
build: ## Build the static production binary into bin/scimbridge (VERSION, COMMIT, COMMIT_DATE, TARGETOS, TARGETARCH)
	GOOS=${TARGETOS} GOARCH=${TARGETARCH} CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Version=${VERSION} -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Commit=${COMMIT} -X github.com/scimbridge/scimbridge/cmd/scimbridge/cli.Date=${COMMIT_DATE}" -o bin/scimbridge ./cmd/scimbridge

image: ## Build the container image scimbridge:$(VERSION) with docker buildx, stamped like make build (PLATFORMS=linux/amd64,linux/arm64 for several)
	docker buildx build $(if $(PLATFORMS),--platform $(PLATFORMS)) --build-arg VERSION='$(VERSION)' --build-arg COMMIT='$(COMMIT)' --build-arg COMMIT_DATE='$(COMMIT_DATE)' -t scimbridge:$(VERSION) .

# The platforms make release builds, and where it writes.
RELEASE_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
DIST            ?= dist

release: ## Cross-build versioned archives, an SBOM per binary and SHA256SUMS into dist/ (VERSION, RELEASE_TARGETS); publishes nothing
	rm -rf $(DIST)
	set -e; for t in $(RELEASE_TARGETS); do \
		$(MAKE) --no-print-directory build TARGETOS=$${t%/*} TARGETARCH=$${t#*/} VERSION='$(VERSION)' COMMIT='$(COMMIT)' COMMIT_DATE='$(COMMIT_DATE)'; \
		mkdir -p $(DIST)/bin/$${t%/*}_$${t#*/}; \
		mv bin/scimbridge $(DIST)/bin/$${t%/*}_$${t#*/}/scimbridge; \
	done
	$(GO) run ./internal/release -version '$(VERSION)' -commit '$(COMMIT)' -date '$(COMMIT_DATE)' -dist $(DIST) $(RELEASE_TARGETS)

vet: ## Run go vet
	$(GO) vet ./...

fmt: ## Format all Go files with gofmt
	gofmt -w -l .

lint: ## Run golangci-lint (optional; not required by CI)
	@if command -v golangci-lint >/dev/null 2>&1; then \
		golangci-lint run ./...; \
	else \
		echo "golangci-lint is not installed; install v2 with:"; \
		echo "  go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@latest"; \
	fi

demo: ## Run the self-contained demo (no database needed)
	$(GO) run ./examples/demo

# The server the benchmark creates its scratch database on, and extra flags
# (e.g. BENCH_FLAGS='-c 16 -sizes 1000,1000000'); see go doc ./cmd/scimbench.
BENCH_DSN   ?= root@tcp(127.0.0.1:3306)/
BENCH_FLAGS ?=

bench: build ## Compare the production binary with raw SQL on MariaDB, and the filter parser with what it replaced (BENCH_DSN, BENCH_FLAGS)
	$(GO) run ./cmd/scimbench -dsn '$(BENCH_DSN)' -binary $(BIN) $(BENCH_FLAGS)
	cd scim/filter/compare && $(GO) test -run '^$$' -bench . -benchmem .

# The soak test's server (a scratch database is created and dropped on it)
# and extra flags of cmd/scimsoak.
SOAK_DSN   ?= root@tcp(127.0.0.1:3306)/
SOAK_FLAGS ?=

soak: ## Soak test: 16 clients for 3 minutes on MariaDB (SOAK_DSN, SOAK_FLAGS="-duration 30s")
	$(GO) run ./cmd/scimsoak -dsn '$(SOAK_DSN)' $(SOAK_FLAGS)

deploy-check: ## Validate the Kubernetes manifests in deploy/kubernetes (strict API types, kustomize build)
	cd deploy/kubernetes/validate && $(GO) test -count=1 ./...

ci: ## Run the CI script (.ci/run) locally
	bash .ci/run

clean: ## Remove build outputs
	rm -rf bin/ $(DIST)/ scimbridge *.test *.out
