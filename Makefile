GO ?= go

.PHONY: run test vet bench build build-plugins thrift-gen

# Runs the quickstart example agent (no external service needed).
run:
	$(GO) run ./cmd/flume-ng agent -n a1 -c examples/quickstart -f examples/quickstart/a1.properties

# The whole test suite, as CI runs it.
test: vet
	$(GO) test -race -timeout 20m ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)

# The release binary: static, stripped.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -o bin/flume-ng ./cmd/flume-ng

# A binary that can load Go plugins from plugins.d (needs cgo); build the
# plugins with the same command-line flags.
build-plugins:
	CGO_ENABLED=1 $(GO) build -trimpath -o bin/flume-ng ./cmd/flume-ng

# End-to-end benchmarks of the release binary (see flume-ng bench -list).
bench: build
	bin/flume-ng bench

# Regenerates what is generated from the Thrift IDL: the Python peer of the
# thrift interop tests (the Go codec in rpc/thriftrpc is written by hand).
# Needs Debian's thrift-compiler.
thrift-gen:
	rm -rf rpc/thriftrpc/thriftpeer/py/gen
	mkdir -p rpc/thriftrpc/thriftpeer/py/gen
	thrift --gen py -out rpc/thriftrpc/thriftpeer/py/gen rpc/thriftrpc/flume.thrift
	rm -f rpc/thriftrpc/thriftpeer/py/gen/flume/*-remote
