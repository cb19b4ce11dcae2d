package interceptor

import (
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// RegexFilter is Flume's regex_filter interceptor: it keeps the events
// whose body contains a match of the Java regex regex (default ".*": every
// event) and drops the others, or, with excludeEvents = true, drops the
// matching events and keeps the others. "Contains a match" is Java's
// Matcher.find(), a match anywhere in the body read as UTF-8.
//
// A pattern RE2 cannot run (lookaround, backreferences) runs on a
// backtracking engine with a time bound per event; an event the regex gives
// up on is kept, whatever excludeEvents says (a filter that cannot decide
// loses nothing), counted and reported in a warning at most once a minute.
type RegexFilter struct {
	Regex    *javaregex.Regexp
	Exclude  bool
	failures *matchFailures
}

// NewRegexFilter builds a regex_filter interceptor from its properties.
func NewRegexFilter(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	f := &RegexFilter{Exclude: cfg.Bool("excludeEvents", false), failures: newMatchFailures(set)}
	f.Regex = compileRegex(set, cfg, "regex", cfg.String("regex", ".*"), javaregex.Options{})
	return built(cfg, f)
}

// MatchFailures returns the number of events the regex gave up on.
func (f *RegexFilter) MatchFailures() int64 { return f.failures.count.Load() }

// pass reports whether the event passes the filter.
func (f *RegexFilter) pass(e flume.Event) bool {
	m, err := f.Regex.Match(e.Body)
	if err != nil {
		f.failures.report("regex_filter", err, "the event is kept")
		return true
	}
	return m != f.Exclude
}

// Intercept returns the events that pass, in order. When every event
// passes it returns the input as is; otherwise a new slice, so a source that
// retries its original batch still has it intact.
func (f *RegexFilter) Intercept(events []flume.Event) ([]flume.Event, error) {
	for i, e := range events {
		if !f.pass(e) { // first event to drop
			out := make([]flume.Event, i, len(events)-1)
			copy(out, events[:i])
			for _, e := range events[i+1:] {
				if f.pass(e) {
					out = append(out, e)
				}
			}
			return out, nil
		}
	}
	return events, nil
}
