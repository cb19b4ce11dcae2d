// Package fakeproc runs cmd/datahub-fake as a separate process, for
// benchmarks that must not share their process with the fake (allocation
// counts, CPU) and for tests of the command itself. The command is built
// once per test binary with the go tool.
package fakeproc
