// Package embedded runs a Flume agent inside an application: Flume's
// embedded agent (flume-ng-embedded-agent). The application is the agent's
// source: Put commits its events to a local channel, memory or durable
// file, and the agent's sinks deliver them in batches to collector agents
// over Avro or Thrift, failing over or balancing between them, retrying
// while they are down. Unlike the client SDK (package rpc), which is
// synchronous and loses what it has not sent when the process dies, a Put
// returns once its events are in the channel, and with a file channel they
// survive a crash of the application: the agent delivers them after the
// restart.
//
//	application ──Put──► interceptors ──► channel (memory | file) ──► sink processor ──► avro/thrift sinks ──► collectors
//
// # Configuration
//
// Flume's embedded agent properties, from a map (conf.FromMap) or a
// properties file (conf.LoadFiles), without an agent prefix:
//
//	channel.type          memory or file (required)
//	channel.*             the channel's properties: every property of the memory or file channel
//	sinks                 the sink names, separated by spaces (required; not source, channel or processor)
//	<sink>.type           avro or thrift, for each listed sink (required)
//	<sink>.*              the sink's properties (hostname, port, batch-size, ...)
//	processor.type        default (one sink), failover or load_balance (required)
//	processor.*           the sink processor's properties (priority.<sink>, maxpenalty, backoff, selector, ...)
//	source.type           embedded (optional; Flume's class name org.apache.flume.agent.embedded.EmbeddedSource too)
//	source.interceptors   interceptor names, with source.interceptors.<name>.* each
//
// For example:
//
//	channel.type = file
//	channel.checkpointDir = /var/lib/app/flume/checkpoint
//	channel.dataDirs = /var/lib/app/flume/data
//	sinks = c1 c2
//	c1.type = avro
//	c1.hostname = collector-1.example.internal
//	c1.port = 4545
//	c2.type = avro
//	c2.hostname = collector-2.example.internal
//	c2.port = 4545
//	processor.type = failover
//	processor.priority.c1 = 10
//	processor.priority.c2 = 5
//
// As in Flume, a missing or disallowed type is an error. Thrift sinks are a
// flumego addition (Flume's embedded agent takes avro sinks only). Any
// other key (source.selector.type, c1.channel, a key of a sink not listed)
// is reported as a warning like any agent's unknown key and ignored, where
// Flume throws; the components' own keys are checked as a flume-ng agent
// checks them. Every problem is located: file, line, key, value, what was
// expected.
//
// # Guarantees
//
// Put and PutBatch return nil only when their events are committed to the
// channel (with the file channel: written and fsynced). When the channel is
// full, Put waits for room and tries again until its context ends, then
// returns an error matching flume.ErrChannelFull: back-pressure, never a
// dropped event. An interceptor may drop events, as configured; nothing
// else does. The sinks take events off the channel only once a collector
// acknowledged them (a flumego or Flume avro or thrift source does so once
// they are in its channel), so an event committed to a file channel reaches
// a collector at least once, whatever the application and the collectors
// do in between; a failover or load-balancing switch neither loses nor
// duplicates, but a batch a collector committed without being able to
// answer is sent again.
//
// Close stops the agent as a flume-ng agent stops on SIGTERM: Put is
// refused (ErrClosed), the sinks deliver what the channel holds for at
// most Config.DrainTimeout, then everything stops and no goroutine is left.
// A memory channel's remaining events are then lost, as in any agent; a
// file channel keeps them for the next start.
//
// # Design
//
// The embedded agent is an ordinary agent (package agent), not a second
// implementation of one: Translate turns the embedded properties into the
// configuration of an agent with one source, one channel and one sink
// group, exactly as Flume's EmbeddedAgentConfiguration does, and an
// agent.Agent builds and runs it with the same registry, graph builder,
// sink runners, drain and bounded stop as flume-ng. The source is of type
// embedded, registered only in this agent's copy of the registry (a
// flume-ng agent has no use for it); its factory hands the agent the
// ChannelProcessor the builder made, with the interceptors, and Put calls
// it on the application's goroutine. Being a real source of the graph, it
// is stopped first on Close (so no Put races the drain), appears in
// Snapshot and publishes Flume's source counters (SOURCE.source-<name>),
// which Metrics, Counters and the monitoring server
// (Config.SystemProperties) serve with the channel's and the sinks'.
package embedded
