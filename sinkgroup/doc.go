// Package sinkgroup runs sinks: the Runner is Flume's SinkRunner (one
// goroutine per sink or sink group calling Process in a loop, with Flume's
// backoff), and the failover and load_balance processors compose several
// sinks into one value that processes like a sink.
//
// A processor is a flume.Sink: the runner cannot tell a group from a single
// sink, and the default processor is simply the sink itself.
//
// Delivery guarantee: a member sink that fails has rolled its transaction
// back, so the next sink the processor tries takes the same events; nothing
// committed is lost or duplicated by a switch-over.
package sinkgroup
