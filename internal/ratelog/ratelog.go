package ratelog

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// DefaultInterval is the interval of a Limiter whose Interval is zero.
const DefaultInterval = 10 * time.Second

// Limiter lets one warning (or one line of another level, see Log) through
// per Interval. The warnings in between are logged at debug level and
// counted; the next warning that passes carries their number as
// "similar_suppressed". The zero value is ready and a Limiter is safe for
// concurrent use.
type Limiter struct {
	// Interval is the least time between two warnings (DefaultInterval
	// when zero). Set it before the first Warn.
	Interval time.Duration

	last       atomic.Int64 // unix nanoseconds of the last warning
	suppressed atomic.Int64
	now        func() time.Time // tests
}

// Warn logs msg at warning level, or at debug level when a warning went
// out less than Interval ago. It reports whether the warning went out.
func (l *Limiter) Warn(log *slog.Logger, msg string, args ...any) bool {
	return l.Log(log, slog.LevelWarn, msg, args...)
}

// Log logs msg at level, or at debug level when a line of this Limiter
// went out at its own level less than Interval ago (lines of different
// levels share the Limiter's interval). It reports whether the line went
// out at level.
func (l *Limiter) Log(log *slog.Logger, level slog.Level, msg string, args ...any) bool {
	if !l.allow() {
		l.suppressed.Add(1)
		log.Debug(msg, args...)
		return false
	}
	if n := l.suppressed.Swap(0); n > 0 {
		args = append(args, "similar_suppressed", n)
	}
	log.Log(context.Background(), level, msg, args...)
	return true
}

// allow reports whether a line may go out now, and if so records it.
func (l *Limiter) allow() bool {
	interval := l.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	clock := time.Now
	if l.now != nil {
		clock = l.now
	}
	now := clock().UnixNano()
	last := l.last.Load()
	return (last == 0 || now-last >= int64(interval)) && l.last.CompareAndSwap(last, now)
}

// Streak is a Limiter for a condition that comes and goes (a channel that
// refuses events while it is full): failures are warned about as Limiter
// does, and the first success after a warning that went out is logged once
// at info level, so the log tells when the condition ended. A flapping
// condition therefore costs at most two lines per Interval. The zero value
// is ready and a Streak is safe for concurrent use.
type Streak struct {
	Limiter
	warned atomic.Bool // a failure warning went out since the last recovery line
}

// Fail records a failure and warns as Limiter.Warn does; it reports whether
// the warning went out.
func (s *Streak) Fail(log *slog.Logger, msg string, args ...any) bool {
	return s.FailAt(log, slog.LevelWarn, msg, args...)
}

// FailAt is Fail for a failure logged at another level than warning (an
// error that stops delivery).
func (s *Streak) FailAt(log *slog.Logger, level slog.Level, msg string, args ...any) bool {
	if !s.Log(log, level, msg, args...) {
		return false
	}
	s.warned.Store(true)
	return true
}

// OK records a success. The first one after a failure warning logs msg at
// info level; otherwise it costs one atomic load.
func (s *Streak) OK(log *slog.Logger, msg string, args ...any) {
	if s.warned.Load() && s.warned.Swap(false) {
		log.Info(msg, args...)
	}
}

// Tally is a Limiter for a warning about items that arrive in batches
// (events given the current time, lines written to a dirty-data file): Add
// counts them, and the warning that goes out at most once per Interval
// carries the number counted since the last one. The calls in between log
// nothing; the count stands for them. The zero value is ready and a Tally is
// safe for concurrent use.
type Tally struct {
	Limiter
	pending atomic.Int64
}

// Add counts n items and, when a warning is due, warns msg with args and
// key = the items counted since the last warning. It reports whether the
// warning went out.
func (t *Tally) Add(log *slog.Logger, n int64, msg, key string, args ...any) bool {
	t.pending.Add(n)
	if !t.allow() {
		return false
	}
	log.Warn(msg, append(args, key, t.pending.Swap(0))...)
	return true
}
