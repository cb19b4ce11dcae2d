// Package sourcetest is a conformance suite for sources that clients send
// events to (RPC and line protocols), beside channeltest and sinktest.
// Run checks against a real memory channel that:
//
//   - the events a client sends are committed, in order, before the
//     source acknowledges them;
//   - a channel that refuses them (full) reaches the client as a refusal
//     (FAILED, an error reply) that tells it to resend, and nothing the
//     client was not told is committed is in the channel: a refused batch
//     is not half committed;
//   - once the channel has room again, the same client's events go
//     through.
//
// It is imported by tests only; plugin authors run it on their sources.
package sourcetest
