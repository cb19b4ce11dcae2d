// Command app is a small application that logs coin transactions through
// Flume: it puts one event per transaction, with the header State=coin_log
// that the ingest agents' multiplexing selector routes on, into an embedded
// agent (package embedded) configured by Flume embedded agent properties
// files: a durable file channel and a failover pair of thrift sinks.
//
//	go run ./examples/thrift-sdk-to-kafka/app -f examples/thrift-sdk-to-kafka/app.properties \
//	    -f examples/thrift-sdk-to-kafka/local-app.properties -to 10000
//
// Events are numbered from -from (the "seq" field of the JSON body) and put
// -batch at a time. Put returns once the events are fsynced in the file
// channel, so an event it acknowledged survives a crash of the
// application: the embedded agent delivers it after the next start (which
// logs how many events it replayed). After each Put the application prints
// "acked FIRST LAST" on its standard output: that record holds only
// durable numbers, and a restart continues with -from LAST+1 of the last
// line (an event put again after a crash between Put and the print is a
// duplicate, never a loss). While every ingest agent is down the events
// wait in the channel; when the channel is full, Put pushes back.
//
// With -to, once every event is in the channel the application waits for
// the ingest agents to take them all. SIGINT or SIGTERM stops putting (a
// Put waiting for room is abandoned, its events not committed). Either way
// it then closes the agent, which delivers what the channel holds for up
// to 10 s (a file channel keeps the rest for the next start), logs
// `msg=done first=F acked=N` and exits 0.
//
// -Dflume.monitoring.type=http -Dflume.monitoring.port=P serves the
// embedded agent's counters as a flume-ng agent does (SOURCE.source-coin-service,
// CHANNEL.channel-coin-service, SINK.h1, SINK.h2).
package main
