package interceptor

import (
	"regexp"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// RemoveHeader is Flume's remove_header interceptor. It removes the header
// named withName, every header in fromList (split with the Java regex
// fromListSeparator, default `\s*,\s*`), and every header whose whole name
// matches the Java regex matching. With none of them configured it does
// nothing.
type RemoveHeader struct {
	WithName string
	FromList map[string]bool
	Matching *regexp.Regexp // anchored: matches whole names only
}

// NewRemoveHeader builds a remove_header interceptor from its properties.
func NewRemoveHeader(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	r := &RemoveHeader{WithName: cfg.String("withName", "")}
	sep := cfg.String("fromListSeparator", `\s*,\s*`)
	if list, ok := cfg.Lookup("fromList"); ok {
		re, err := javaregex.Compile(sep)
		if err != nil {
			cfg.Errorf("fromListSeparator", "%v", err)
		} else {
			r.FromList = map[string]bool{}
			for _, n := range javaregex.Split(re, list.Value) {
				r.FromList[n] = true
			}
		}
	} else if cfg.Has("fromListSeparator") {
		cfg.Warnf("fromListSeparator", "has no effect without fromList")
	}
	if m, ok := cfg.Lookup("matching"); ok {
		t, err := javaregex.Translate(m.Value)
		if err == nil {
			r.Matching, err = regexp.Compile(`^(?:` + t + `)$`)
		}
		if err != nil {
			cfg.Errorf("matching", "%v", err)
		}
	}
	return built(cfg, r)
}

// Intercept removes the configured headers.
func (r *RemoveHeader) Intercept(events []flume.Event) ([]flume.Event, error) {
	for _, e := range events {
		if e.Headers == nil {
			continue
		}
		if r.WithName != "" {
			delete(e.Headers, r.WithName)
		}
		if r.FromList == nil && r.Matching == nil {
			continue
		}
		for k := range e.Headers {
			if r.FromList[k] || (r.Matching != nil && r.Matching.MatchString(k)) {
				delete(e.Headers, k)
			}
		}
	}
	return events, nil
}
