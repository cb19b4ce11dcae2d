// Package sink holds what every sink shares; each sink type lives in a
// sub-package (sink/logger, sink/null, sink/fileroll, sink/avro, ...).
//
// Step is the one take–deliver–commit step of Flume's batching sinks, and
// every sink is built on it: it takes a batch (BatchSize; with BatchTimeout
// and MaxBytes over several takes of one transaction, as the DataHub sink's
// batchTimeout and maxBufferSize need), hands it to the sink's deliver
// function, commits, keeps Flume's sink counters and returns a Result that
// says what it did (taken, committed, rolled back, the channel's error) and
// the Status for the runner. A sink adds what is its own around it: the
// Kafka sink counts RollbackCount from Result.RolledBack; the HDFS sink
// writes the batch into its bucket writers and flushes them in deliver
// (callTimeout bounds each call there, rolling happens between steps) and
// maps an HDFS IO error to Backoff as Flume does. ("Drain", elsewhere in
// flumego, means only emptying a channel at shutdown.)
//
// Conn is the RPC sinks' connection to their next hop (connect on demand,
// close after a failed delivery, reset-connection-interval, Flume's
// connection counters); ParseResetInterval reads that property once for
// all of them.
//
// Delivery guarantee: a sink built on Step commits its take only after its
// deliver function returned nil, that is after the destination acknowledged
// every event of the batch. Any failure rolls the transaction back and the
// same events, in the same order, are taken again on the next call.
package sink
