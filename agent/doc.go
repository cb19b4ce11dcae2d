// Package agent turns an AgentConfig into a running graph of components and
// runs it:
//
//	channels ──► sink runners (one per sink or sink group) ──► sources
//
// Build looks every type up in the registry, builds the components (Flume's
// second validation stage: an unknown type, a factory error, or a batch size
// above a channel's transactionCapacity drops that component with a located
// error, and the rest runs), wires each source to a ChannelProcessor over its
// channels, and wraps sinks and sink groups in runners.
//
// Start starts channels, then sink runners, then sources; a component whose
// Start fails is retried every 3 s until it starts, as Flume's supervisor
// does. Stop stops the sources first, then lets the sink runners drain what
// the channels still hold for a bounded time (Flume drops a memory channel's
// content on shutdown; flumego delivers it), then stops the sinks and the
// channels.
//
// Lock order: Graph.mu is never held while calling into a component.
package agent
