// Package ring is the memory channel's queue: a growable FIFO ring buffer
// with push-front, so that a rolled-back take returns its items to the head
// in their original order. (The file channel keeps its queue of pointers
// delta encoded instead; see channel/file's ptrQueue.)
package ring
