// Package null implements Flume's null sink (type "null",
// org.apache.flume.sink.NullSink): it takes events and discards them.
//
// Properties: batchSize (100), logEveryNEvents (10000: a progress line every
// N events). It returns BACKOFF when it took fewer than batchSize events.
package null
