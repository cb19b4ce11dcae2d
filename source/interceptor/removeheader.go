package interceptor

import (
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// RemoveHeader is Flume's remove_header interceptor. It removes the header
// named withName, every header in fromList (split with the Java regex
// fromListSeparator, default `\s*,\s*`), and every header whose whole name
// matches the Java regex matching. With none of them configured it does
// nothing. A header whose name the matching regex gives up on (a
// backtracking match out of time) is kept and reported.
type RemoveHeader struct {
	WithName string
	FromList map[string]bool
	Matching *javaregex.Regexp // anchored: matches whole names only
	failures *matchFailures
}

// NewRemoveHeader builds a remove_header interceptor from its properties.
func NewRemoveHeader(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	r := &RemoveHeader{WithName: cfg.String("withName", ""), failures: newMatchFailures(set)}
	sep := cfg.String("fromListSeparator", `\s*,\s*`)
	if list, ok := cfg.Lookup("fromList"); ok {
		if re := compileRegex(set, cfg, "fromListSeparator", sep, javaregex.Options{}); re != nil {
			names, err := javaregex.Split(re, list.Value)
			if err != nil {
				cfg.Errorf("fromListSeparator", "%v", err)
			}
			r.FromList = map[string]bool{}
			for _, n := range names {
				r.FromList[n] = true
			}
		}
	} else if cfg.Has("fromListSeparator") {
		cfg.Warnf("fromListSeparator", "has no effect without fromList")
	}
	if m, ok := cfg.Lookup("matching"); ok {
		r.Matching = compileRegex(set, cfg, "matching", m.Value, javaregex.Options{Whole: true})
	}
	return built(cfg, r)
}

// Intercept removes the configured headers.
func (r *RemoveHeader) Intercept(events []flume.Event) ([]flume.Event, error) {
	for i := range events {
		e := &events[i]
		if e.HeaderCount() == 0 {
			continue
		}
		if r.WithName != "" {
			e.DelHeader(r.WithName)
		}
		if r.FromList == nil && r.Matching == nil {
			continue
		}
		e.DelHeaderFunc(func(k, _ string) bool { return r.FromList[k] || r.matches(k) })
	}
	return events, nil
}

// matches reports whether a header name matches the matching regex.
func (r *RemoveHeader) matches(name string) bool {
	if r.Matching == nil {
		return false
	}
	m, err := r.Matching.MatchString(name)
	if err != nil {
		r.failures.report("remove_header", err, "the header is kept")
	}
	return m
}

// MatchFailures returns the number of header names the matching regex gave
// up on.
func (r *RemoveHeader) MatchFailures() int64 { return r.failures.count.Load() }
