// Command kafka-channel runs the kafka-channel example on this machine: a
// collecting agent (collector.properties: exec → Kafka channel, no sink)
// and a writing agent (writer.properties: Kafka channel → file_roll, no
// source) share a Kafka channel's topic.
//
//	go run ./examples/kafka-channel                        # in-process Kafka-protocol brokers
//	KAFKA_BROKERS=host:9092 go run ./examples/kafka-channel  # your cluster
//
// The collector puts seq 1 100000; each agent is killed with SIGKILL once
// in the middle of the stream and started again; the demo counts every
// number in the writer's output and, reading the topic itself, tells the
// collector's re-run apart from what the writer wrote twice. See
// README.md.
package main
