GO ?= go

# What the binaries report (flume-ng version, the monitoring output):
# the release (a v1.2.3 tag on HEAD, else internal/buildinfo.Release),
# the commit, and the build time (SOURCE_DATE_EPOCH when set, for
# reproducible builds).
BUILDINFO := github.com/flumego/flume/internal/buildinfo
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --exact-match 2>/dev/null | sed 's/^v//')
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
MODIFIED ?= $(shell test -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo true)
DATE ?= $(shell date -u -d "@$${SOURCE_DATE_EPOCH:-$$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
STAMP := -X $(BUILDINFO).commit=$(COMMIT) -X $(BUILDINFO).date=$(DATE) \
	$(if $(VERSION),-X $(BUILDINFO).version=$(VERSION)) $(if $(MODIFIED),-X $(BUILDINFO).modified=true)

.PHONY: run test vet lint bench build build-plugins thrift-gen dist

# Release artifacts in dist/: for each of DIST_ARCHES a static flume-ng, a
# tarball in Flume's layout, a .deb and an .rpm (see packaging/doc.go).
DIST_ARCHES ?= amd64,arm64
dist:
	cd packaging && $(GO) run . -root .. -out ../dist -arch "$(DIST_ARCHES)" -commit "$(COMMIT)" -date "$(DATE)" \
		$(if $(VERSION),-version "$(VERSION)") $(if $(MODIFIED),-modified)

# Runs the quickstart example agent (no external service needed).
run:
	$(GO) run ./cmd/flume-ng agent -n a1 -c examples/quickstart -f examples/quickstart/a1.properties

# The whole test suite, as CI runs it. packaging/ is a module of its own
# (nfpm stays out of flumego's module graph); its tests build the amd64
# artifacts, check them, and as root install the .deb.
test: vet lint
	$(GO) test -race -timeout 20m ./...
	cd packaging && $(GO) test -timeout 10m ./...

vet:
	$(GO) vet ./...
	cd packaging && $(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

# staticcheck, at the version tools/go.mod pins (a module of its own, so the
# linter's dependencies stay out of flumego's); staticcheck.conf says which
# checks run and how to ignore a finding.
STATICCHECK := $(GO) tool -modfile=$(CURDIR)/tools/go.mod staticcheck
lint:
	$(STATICCHECK) ./...
	cd packaging && $(STATICCHECK) ./...

# The release binary: static, stripped.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w $(STAMP)" -o bin/flume-ng ./cmd/flume-ng

# A binary that can load Go plugins from plugins.d (needs cgo); build the
# plugins with the same command-line flags.
build-plugins:
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags="$(STAMP)" -o bin/flume-ng ./cmd/flume-ng

# End-to-end benchmarks of the release binary (see flume-ng bench -list);
# the exec-hdfsfake-* scenarios run bin/hdfs-fake beside it.
bench: build
	$(GO) build -o bin/hdfs-fake ./cmd/hdfs-fake
	bin/flume-ng bench

# Regenerates what is generated from the Thrift IDL: the Python peer of the
# thrift interop tests (the Go codec in rpc/thriftrpc is written by hand).
# Needs Debian's thrift-compiler.
thrift-gen:
	rm -rf internal/thrifttest/py/gen
	mkdir -p internal/thrifttest/py/gen
	thrift --gen py -out internal/thrifttest/py/gen rpc/thriftrpc/flume.thrift
	rm -f internal/thrifttest/py/gen/flume/*-remote
