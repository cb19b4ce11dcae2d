// Package flumetest holds the test helpers that the tests of several
// packages share: a started memory channel, putting events on a channel and
// taking them all back, a channel processor over one channel, polling for a
// condition that has no signal, and LogBuffer, a log sink that a test can
// wait on. It is imported by tests only.
package flumetest
