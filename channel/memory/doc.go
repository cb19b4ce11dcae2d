// Package memory implements Flume's memory channel (type "memory",
// org.apache.flume.channel.MemoryChannel): a bounded in-process queue with
// Flume's transaction semantics, capacity, transactionCapacity, keep-alive
// and byte-capacity accounting.
//
// Delivery guarantee: none across a process crash (use the file channel for
// that). Within a running agent nothing is lost: a full channel refuses the
// commit (ErrChannelFull) and the source keeps the events, and a rolled-back
// take returns its events to the head of the queue in order. Unlike Flume, the
// agent lets sinks drain the channel on shutdown.
//
// Properties (Flume's names and defaults):
//
//	capacity                      100   max events held (committed + taken, uncommitted)
//	transactionCapacity           100   max puts, and separately takes, per transaction
//	keep-alive                    3     seconds Take waits for a first event and Commit for room
//	byteCapacity                  80% of GOMEMLIMIT, unlimited if no limit is set
//	byteCapacityBufferPercentage  20    percent of byteCapacity kept for headers
//
// Body bytes are accounted in slots of 100 bytes, as Flume does; headers are
// not counted. Unlike Flume, a Take that already has an event returns at once
// instead of waiting keep-alive for the rest of the batch.
package memory
