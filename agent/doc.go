// Package agent runs a flume agent: it turns an AgentConfig into a graph of
// components, runs it, reloads it when the configuration changes and
// describes it while it runs.
//
//	channels ──► sink runners (one per sink or sink group) ──► sources
//
// Agent is the whole agent, for the flume-ng command and for programs that
// embed one: a ConfigSource (Files, Static or the program's own), an
// optional configuration watch that reloads on change, the monitoring
// server Flume's flume.monitoring.* system properties ask for, and a
// bounded stop. Run(ctx) is its whole life; Start and Stop split it.
//
// Graph is the built agent. Build looks every type up in the registry,
// builds the components (Flume's second validation stage: an unknown type,
// a factory error, or a batch size above a channel's transactionCapacity
// drops that component with a located error, and the rest runs), wires
// each source to a ChannelProcessor over its channels, and wraps sinks and
// sink groups in sinkrunner.Runners.
//
// Start starts channels, then sink runners, then sources; a component whose
// Start fails is retried every 3 s until it starts, as Flume's supervisor
// does. Stop stops the sources first, then lets the sink runners drain what
// the channels still hold for a bounded time (Flume drops a memory channel's
// content on shutdown; flumego delivers it), then stops the sinks and the
// channels. Reload plans the change against the running topology without
// touching it, then applies it, restarting only what changed.
//
// Snapshot returns a copy of the topology (components, wiring, counters,
// channel fill, failover and load_balance member states, and the
// configured components that do not run) that is safe to read while the
// graph runs and reloads. Its Topology method turns it into the graph of
// package topology, the one description that the monitoring page (served
// by Agent when monitoring is on) and flume-ng graph draw.
//
// Locks: Graph.life serialises Start, Stop and Reload and is held while
// they call into components; Graph.mu guards the topology and the states
// and is never held while calling into a component, so Snapshot and the
// retry loops never wait for one.
package agent
