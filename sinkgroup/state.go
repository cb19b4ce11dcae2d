package sinkgroup

import "time"

// MemberState is the state of one member sink of a group, as the group's
// processor sees it.
type MemberState struct {
	// Name is the sink's name.
	Name string
	// Priority is the sink's failover priority (processor.priority.<sink>);
	// 0 in a load_balance group.
	Priority int
	// Active is set on the sink that takes the next batch, unless a failed
	// sink's penalty expires first; in a load_balance group, on every sink
	// whose last batch did not fail.
	Active bool
	// Failures counts the sink's consecutive failures; 0 while it works.
	Failures int
	// PenaltyUntil is when a failed sink is tried again; zero while it
	// works. A time in the past means it is retried with the next batch.
	PenaltyUntil time.Time
}

// MemberReporter is implemented by processors that can report their member
// sinks' states (Failover, LoadBalance). MemberStates must be safe to call from any
// goroutine while the sink runner drives the processor; it returns a copy.
type MemberReporter interface {
	MemberStates() []MemberState
}
