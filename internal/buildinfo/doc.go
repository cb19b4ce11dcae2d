// Package buildinfo says exactly what a flume-ng binary is: the flumego
// release, the commit it was built from, when, with which Go, and which
// plugin modules were compiled in.
//
// The values come from the build. The Makefile, the dist tool and the
// plugin builder (flume-ng build) stamp them with the linker:
//
//	go build -ldflags "-X github.com/flumego/flume/internal/buildinfo.version=0.1.0 \
//	  -X github.com/flumego/flume/internal/buildinfo.commit=$(git rev-parse HEAD) \
//	  -X github.com/flumego/flume/internal/buildinfo.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" ./cmd/flume-ng
//
// Without them Get falls back on what the Go toolchain records
// (debug.ReadBuildInfo): the module version of a `go install ...@v1.2.3`
// (or of the github.com/flumego/flume dependency of a binary built from
// another main module), the commit and time of a pseudo-version, and the
// vcs.revision and vcs.time settings when VCS stamping is on. What is known
// from nowhere is reported as unknown rather than guessed.
package buildinfo
