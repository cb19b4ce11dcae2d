// Package avroclient is `flume-ng avro-client`: it sends text lines to an
// avro source, one event per line, as Flume's AvroCLIClient. (The load
// generator of `flume-ng bench` is internal/bench/loadgen.)
//
// Delivery guarantee: a batch is sent with appendBatch and counts as sent
// only when the source answered OK (committed); with --dirname a file is
// renamed to <name>.COMPLETED only after all of its lines were sent. On a
// failure the command stops with an error and a non-zero exit status (Java
// Flume logs and exits 0); lines sent before the failure are not sent again
// by the same run.
package avroclient
