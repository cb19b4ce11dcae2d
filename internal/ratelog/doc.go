// Package ratelog keeps a repeated warning (a misbehaving peer, a channel
// that keeps refusing) to one log line per interval, so that a problem that
// recurs on every request or every event cannot flood the log. The lines it
// holds back go to the debug level and are counted in the next warning.
// Streak adds the end of a condition (logged once, at info level) for
// failures that come and go; Tally counts items that arrive in batches and
// reports their number in its warning.
//
// It is the one way flumego keeps repeated lines down: every component that
// logs per failure, per request, per connection or per event in a loop goes
// through a Limiter, a Streak or a Tally, never its own timer, flag or
// counter.
package ratelog
