// Command kafka-consumer-group runs the kafka-consumer-group example on
// this machine: two archiving agents (archiver.properties) read one Kafka
// topic as a consumer group, each into a file channel and an archive.
//
//	go run ./examples/kafka-consumer-group                        # in-process Kafka-protocol brokers
//	KAFKA_BROKERS=host:9092 go run ./examples/kafka-consumer-group  # your cluster
//
// It writes numbered records to the topic, kills one agent with SIGKILL in
// the middle of the stream, watches the other take its partitions over,
// starts the killed one again (its file channel still holds what it had
// taken in), and counts every record in the two archives. See README.md.
package main
