package interceptor

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
	"github.com/flumego/flume/internal/ratelog"
)

// compileRegex compiles the Java regex of key, recording a bad pattern as a
// problem of cfg (nil is then returned), and logs at debug level which
// engine runs it: RE2, or the backtracking engine for the constructs RE2
// lacks, each match then bounded by javaregex.DefaultTimeout.
func compileRegex(set flume.Settings, cfg *flume.Context, key, pattern string, o javaregex.Options) *javaregex.Regexp {
	re, err := javaregex.CompileOptions(pattern, o)
	if err != nil {
		cfg.Errorf(key, "%v", err)
		return nil
	}
	set.Log().Debug("regex compiled", "key", cfg.Prefix()+key, "regex", pattern, "engine", re.Describe())
	return re
}

// matchFailures counts and reports the events a regex gave up on (a
// backtracking match that ran out of time): one warning a minute with the
// pattern and what happened to the event, never the event itself.
type matchFailures struct {
	count atomic.Int64
	log   *slog.Logger
	warn  ratelog.Limiter
}

func newMatchFailures(set flume.Settings) *matchFailures {
	return &matchFailures{log: set.Log(), warn: ratelog.Limiter{Interval: time.Minute}}
}

// report records one event the regex gave up on; outcome says what the
// interceptor did with it ("the event is kept").
func (m *matchFailures) report(interceptor string, err error, outcome string) {
	n := m.count.Add(1)
	m.warn.Warn(m.log, interceptor+": the regex gave up on an event; "+outcome, "error", err, "failures", n)
}
