// Package flume is the shared vocabulary of flumego, a Go drop-in replacement
// for the Apache Flume agent: the event, the transactional channel, sources,
// sinks, interceptors, the counters every component keeps under Flume's names,
// the configuration context components read their properties from, and the
// registry that maps Flume's type names (short aliases and Java class names)
// to Go factories.
//
// The package does no I/O. Built-in components and third-party plugins use
// exactly the same API: a plugin is a Go package that calls RegisterSource,
// RegisterChannel, RegisterSink, RegisterInterceptor, RegisterChannelSelector,
// RegisterSinkProcessor, RegisterSinkSelector, RegisterEventSerializer,
// RegisterEventDeserializer or RegisterHTTPSourceHandler from its init
// function.
//
// # The flow
//
//	source ──► ChannelProcessor (interceptors, selector) ──► channel(s)
//	channel ──► sink runner ──► sink processor ──► sink
//
// Sources push, sinks pull, and every hand-over is a channel transaction: a
// put becomes visible to takers only at Commit; a take is final only at Commit,
// and Rollback returns taken events to the head of the queue in their original
// order. A sink commits only after the downstream system acknowledged the
// batch; an RPC source acknowledges its sender only after its put committed on
// every required channel. That is the whole delivery guarantee: at least once,
// never silent loss.
package flume
