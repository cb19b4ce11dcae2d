// Package sinktest is a delivery conformance suite for sinks, beside
// channeltest for channels and componenttest for the lifecycle, in the
// manner of Benthos' StreamTestAtLeastOnceDelivery. Run checks that a
// sink, driven as the agent's sink runner drives it, against a real
// destination:
//
//   - delivers every event once and in channel order while the
//     destination works, committing only what it delivered;
//   - rolls a failing delivery back and returns the error, so that the
//     events stay in the channel, in order, and reach the destination
//     once it works again (at least once: an event whose acknowledgement
//     was lost may arrive twice, never out of order with itself);
//   - returns Backoff, without an error and at once, on an empty channel.
//
// It is imported by tests only; plugin authors run it on their sinks.
package sinktest
