package interceptor

import (
	"regexp"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// RegexFilter is Flume's regex_filter interceptor: it keeps the events
// whose body contains a match of the Java regex regex (default ".*": every
// event) and drops the others, or, with excludeEvents = true, drops the
// matching events and keeps the others. "Contains a match" is Java's
// Matcher.find(), a match anywhere in the body read as UTF-8.
type RegexFilter struct {
	Regex   *regexp.Regexp
	Exclude bool
}

// NewRegexFilter builds a regex_filter interceptor from its properties.
func NewRegexFilter(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	f := &RegexFilter{Exclude: cfg.Bool("excludeEvents", false)}
	re, err := javaregex.Compile(cfg.String("regex", ".*"))
	if err != nil {
		cfg.Errorf("regex", "%v", err)
	}
	f.Regex = re
	return built(cfg, f)
}

// Intercept returns the events that pass, in order. When every event
// passes it returns the input as is; otherwise a new slice, so a source that
// retries its original batch still has it intact.
func (f *RegexFilter) Intercept(events []flume.Event) ([]flume.Event, error) {
	for i, e := range events {
		if f.Regex.Match(e.Body) == f.Exclude { // first event to drop
			out := make([]flume.Event, i, len(events)-1)
			copy(out, events[:i])
			for _, e := range events[i+1:] {
				if f.Regex.Match(e.Body) != f.Exclude {
					out = append(out, e)
				}
			}
			return out, nil
		}
	}
	return events, nil
}
