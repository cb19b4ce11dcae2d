// Package loadgen is the RPC load generator of `flume-ng bench` and of the
// avro and thrift sources' benchmarks: it sends events of a given body size
// and number of headers (package loadevent) to an
// avro or a thrift source over parallel connections, in appendBatch calls
// encoded once before the clock starts, so the figures measure the source,
// not the client. Both protocols report one Result.
package loadgen
