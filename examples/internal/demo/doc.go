// Package demo is the machinery the example topologies under examples/
// share, both their one-command runs (`go run ./examples/<name>`) and
// their end-to-end tests: building flume-ng once, starting agents as
// separate `flume-ng agent` processes on the example's properties files,
// waiting for what they log and serve, writing numbered access-log lines,
// counting what arrives by sequence number, and a Kafka-protocol broker
// (franz-go's kfake) with a reader.
//
// Everything waits on observable conditions (a log line, a counter, a
// record count) with a deadline taken from the context, never on a fixed
// sleep; a Session stops every process it started when it is closed.
//
// It is demo and test tooling, not part of the agent: it gives no delivery
// guarantee of its own, it reports what the agents delivered.
package demo
