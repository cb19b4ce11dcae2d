// Package sink holds what every sink shares, chiefly Drain, the
// take–deliver–commit step of Flume's batching sinks; each sink type lives in
// a sub-package (sink/logger, sink/null, sink/fileroll, sink/avro, ...).
//
// Delivery guarantee: a sink built on Drain commits its take only after its
// deliver function returned nil, that is after the destination acknowledged
// every event of the batch. Any failure rolls the transaction back and the
// same events, in the same order, are taken again on the next call.
package sink
