// Package channel holds the channel implementations (sub-packages memory and
// file) and channeltest, the conformance suite every channel passes.
package channel
