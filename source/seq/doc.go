// Package seq implements Flume's sequence generator source (type "seq",
// org.apache.flume.source.SequenceGeneratorSource): event bodies are the
// decimal numbers 0, 1, 2, ... with no headers.
//
// Properties: batchSize (1), totalEvents (unlimited), and the pollable
// source backoff settings backoffSleepIncrement (1000 ms) and
// maxBackoffSleep (5000 ms). When the channels refuse a batch the same
// numbers are offered again, so nothing is skipped.
package seq
