// Package ring is the queue under both channels: a growable FIFO ring
// buffer with push-front, so that a rolled-back take returns its items to
// the head in their original order. The memory channel queues events in
// it, the file channel pointers to records in its data logs.
package ring
