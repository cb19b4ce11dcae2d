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
//
// Footprint: a queued event takes its flume.Event (48 bytes, in the slice
// its transaction committed: the queue keeps committed batches as they
// are, see batchQueue) plus its body and encoded headers, nothing else: the
// channel copies no data. With 200-byte bodies and 3 headers (timestamp,
// host, seq) that is 328 bytes per event for events from the avro source
// (which share their request's buffer: body and headers as they arrived)
// and 321 for events built one by one (an exec source with interceptors),
// live heap measured by BenchmarkFootprint over 100,000 queued events (342
// and 336 when the queue was a ring of events, which doubled as it grew;
// 657 and 592 with header maps, before flumego kept headers encoded). The
// Go runtime lets the heap grow to about twice the live data before it
// collects (GOGC=100), so a full channel of N such events needs about
// 2 × 330 × N bytes of RAM (GOMEMLIMIT or byteCapacity bound it).
package memory
