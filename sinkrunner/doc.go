// Package sinkrunner drives a sink: a Runner is Flume's SinkRunner, one
// goroutine calling a sink's Process in a loop with Flume's backoff. The
// agent gives every lone sink and every sink group its own runner; to the
// runner a sink group's processor is just another flume.Sink.
//
//	channel ──► Runner ──► sink (or sink group processor) ──► destination
//
// The runner also contains what a faulty (plugin) sink could do to the
// agent: a panic in Process is logged with its stack and treated as a
// failed delivery, and Drain lets the agent empty a channel through the sink
// before stopping it.
//
// Stop follows the lifecycle contract of flume.Lifecycle: when its context
// ends before the loop does (a Process call that ignores its context), it
// still tells the sink to stop, which aborts the delivery, and returns an
// error; a later Stop waits for the loop again.
//
// Delivery guarantee: the runner adds none of its own. It never takes
// events itself; a Process call that fails or panics has rolled its
// transaction back (sink.Step does so), so the next call delivers the
// same events again.
package sinkrunner
