// Package kafkaadmin reads what tests, benchmarks and examples need to know
// about a Kafka cluster, over a franz-go kgo client and the plain protocol:
// the end offsets of a topic's partitions.
package kafkaadmin
