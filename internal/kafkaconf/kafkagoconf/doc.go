// Package kafkagoconf adapts kafkaconf's library-neutral settings to
// github.com/segmentio/kafka-go, the Kafka sink's client: its RequiredAcks,
// Compression, SASL mechanisms, and the Writer and Transport values a
// producer needs, including what kafka-go does differently from Java's
// producer (attempts instead of a delivery timeout, metadata refreshed only
// on a timer).
package kafkagoconf
