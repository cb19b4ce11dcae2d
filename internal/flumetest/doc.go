// Package flumetest holds the test helpers that the tests of several
// packages share: a started memory channel, putting events on a channel and
// taking them all back, a channel processor over one channel, polling for a
// condition that has no signal, LogBuffer, a log sink that a test can
// wait on, and for network sources a counting listener, stalled senders,
// a check that the peer closed a connection, and a processor that holds
// requests in progress. It is imported by tests only.
package flumetest
