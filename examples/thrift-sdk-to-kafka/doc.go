// Command thrift-sdk-to-kafka runs the thrift-sdk-to-kafka example on this
// machine: an application (app/) puts coin_log events into an embedded
// agent (package embedded: a durable file channel, a failover pair of
// thrift sinks), which delivers them to two ingest agents
// (ingest.properties: thrift source, multiplexing selector, file channel
// with dual checkpoints, Kafka sink), which write them to a Kafka topic.
//
//	go run ./examples/thrift-sdk-to-kafka                        # in-process Kafka-protocol broker
//	KAFKA_BROKERS=host:9092 go run ./examples/thrift-sdk-to-kafka  # your cluster
//
// It plays the failures the deployment must survive: Kafka refuses writes
// (with the in-process broker) and the events pile up in the first ingest
// agent's file channel; that agent is killed (SIGKILL) and the
// application fails over to the second; Kafka comes back and the first
// agent, restarted, delivers what its file channel kept. Then both ingest
// agents stop and the events pile up in the application's own file
// channel; the application is killed (SIGKILL) and restarted after the
// last event it acknowledged: it finds its backlog on disk and, once the
// ingest agents are back, delivers it with the rest. Every event must
// reach the topic. See README.md.
package main
