// Package bench holds flumego's end-to-end benchmark scenarios, run by
// `flume-ng bench` (and `make bench`). Each scenario runs a real pipeline on
// loopback — most of them as a separate `flume-ng agent` process, so start-up
// is included and peak RSS is the agent's own — and reports events/s, MB/s
// and peak RSS. Benchmarks report; they never fail a build.
package bench
