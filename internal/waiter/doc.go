// Package waiter is the wait of both channels: a Take waiting for an event,
// a Put or Commit waiting for room. Cond is sync.Cond with a Wait that also
// ends when a timer fires (the channel's keep-alive) or a context ends.
package waiter
