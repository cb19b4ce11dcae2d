// Package heapfloor keeps the Go heap goal from falling below a floor.
//
// The Go runtime starts a garbage collection when the heap has grown by
// GOGC percent (100 by default) of the live heap, with a minimum of 4 MB.
// An agent's live heap is small while its channels are nearly empty (4 to
// 6 MB, most of it the program's own tables), yet its sources allocate a
// request buffer for every batch they receive (about 700 MB per second at
// 3 M events/s): the runtime then collects nearly 200 times per second, and
// each collection's fixed costs (marking the live heap again, sweeping
// every span, the scheduler round trips of the background sweeper) took
// half of an avro → memory → null agent's CPU. Start raises GOGC after each
// collection (within a millisecond of it, see Start) just enough that the
// next goal is about the floor, and lowers it back to its base value as
// the live heap grows (a filling channel), so the goal is the larger of
// the floor and what GOGC alone gives: the floor costs at most its size in
// memory, and only while the heap is smaller than it. An idle agent
// allocates a few KB per second and never reaches it. A memory limit
// (GOMEMLIMIT, debug.SetMemoryLimit) still bounds the heap.
//
// The flume-ng agent command runs a 12 MB floor unless GOGC is set in the
// environment; libraries (the embedded agent) leave the application's GC
// settings alone.
package heapfloor
