// Package channeltest is the conformance suite every flumego channel must
// pass: transaction ordering, rollback semantics, transaction and channel
// capacity errors, concurrent producers and consumers, stop, and (for
// durable channels) what survives a reopen.
//
// A channel's own test calls Run with a factory:
//
//	func TestConformance(t *testing.T) {
//		channeltest.Run(t, channeltest.Options{New: newTestChannel})
//	}
package channeltest
