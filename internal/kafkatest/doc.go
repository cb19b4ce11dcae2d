// Package kafkatest is the Kafka the Kafka source and channel tests run
// against: franz-go's kfake, an in-process implementation of the Kafka
// protocol, on 127.0.0.1, with several brokers, consumer groups that accept
// the short session timeouts tests use, and an outage mode that stops every
// broker and restarts them on the same ports with their data (records,
// committed offsets) kept on disk. Readers and producers use franz-go's kgo
// client, independent of the code under test where that code uses
// segmentio/kafka-go, and written against the plain protocol otherwise.
//
// It is imported by tests only.
package kafkatest
