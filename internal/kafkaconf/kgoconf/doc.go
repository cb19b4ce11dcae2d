// Package kgoconf adapts kafkaconf's library-neutral settings to franz-go's
// kgo client: seed brokers, TLS, SASL and client options for any client,
// and the producer and consumer options. A consumer's topics, its commit
// calls and max.poll.records (Consumer.MaxPollRecords, a PollRecords
// argument) are the component's own.
//
// It is a package of its own so that the agent links franz-go only when a
// component uses it.
package kgoconf
