// Command thrift-sdk-to-kafka runs the thrift-sdk-to-kafka example on this
// machine: an application (app/) sends coin_log events with the client SDK
// (failover over Thrift) to two ingest agents (ingest.properties: thrift
// source, multiplexing selector, file channel with dual checkpoints, Kafka
// sink), which write them to a Kafka topic.
//
//	go run ./examples/thrift-sdk-to-kafka                        # in-process Kafka-protocol broker
//	KAFKA_BROKERS=host:9092 go run ./examples/thrift-sdk-to-kafka  # your cluster
//
// With the in-process broker it also plays an outage: Kafka refuses writes,
// the events pile up in the first agent's file channel, that agent is
// killed (SIGKILL), the application fails over to the second agent, Kafka
// comes back, the first agent is restarted and delivers what its file
// channel kept. See README.md.
package main
