// Package sinkgroup builds a sink group's processor from the group's
// configuration, looking processor.type up in a flume.Registry. Register
// adds Flume's SinkProcessor types, default, failover and load_balance (and
// their class names); a plugin registers its own with
// flume.RegisterSinkProcessor. A sinkrunner.Runner drives the processor like
// any sink.
//
// A processor is a flume.Sink: the runner cannot tell a group from a single
// sink, and the default processor is simply the sink itself. A processor's
// Start and Stop start and stop its member sinks.
//
//	channel ──► Runner ──► Failover ──► k1 (priority 10), else k2 (priority 5)
//	channel ──► Runner ──► LoadBalance ──► k1, k2, k3 in round-robin order
//
// Penalties and backoff follow Flume's arithmetic exactly (see Failover and
// LoadBalance) and read an injected clock. Flume publishes no counters for
// sink processors, and neither do these: the member sinks keep their own.
// Both report their members' states instead (MemberStates: the active
// sink, or for load_balance the sinks taking batches in turn, and each
// failed sink's failures and end of penalty or exclusion), safe to read
// from any goroutine while the group runs.
//
// Delivery guarantee: a member sink that fails has rolled its transaction
// back, so the next sink the processor tries takes the same events; nothing
// committed is lost or duplicated by a switch-over. A sink whose Process
// fails only because the runner is stopping is not penalised.
package sinkgroup
