package interceptor

import (
	"fmt"

	"github.com/flumego/flume"
)

// Register adds every interceptor of this package to r under Flume's alias
// and builder class name.
func Register(r *flume.Registry) error {
	for _, in := range []struct {
		alias, class string
		f            flume.InterceptorFactory
	}{
		{"timestamp", "org.apache.flume.interceptor.TimestampInterceptor$Builder", NewTimestamp},
		{"host", "org.apache.flume.interceptor.HostInterceptor$Builder", NewHost},
		{"static", "org.apache.flume.interceptor.StaticInterceptor$Builder", NewStatic},
		{"remove_header", "org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder", NewRemoveHeader},
		{"", "org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder", NewUUID},
		{"regex_filter", "org.apache.flume.interceptor.RegexFilteringInterceptor$Builder", NewRegexFilter},
		{"regex_extractor", "org.apache.flume.interceptor.RegexExtractorInterceptor$Builder", NewRegexExtractor},
		{"search_replace", "org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder", NewSearchReplace},
	} {
		var err error
		if in.alias == "" {
			err = r.RegisterInterceptor(in.class, in.f)
		} else {
			err = r.RegisterInterceptor(in.alias, in.f, in.class)
		}
		if err != nil {
			return fmt.Errorf("interceptors: %w", err)
		}
	}
	return nil
}

// setHeader sets name on every event, keeping existing values when
// preserve is set. value is called once per event that needs it. The
// events get room for the header with one allocation for the batch, sized
// by the first value.
func setHeader(events []flume.Event, name string, preserve bool, value func() string) {
	reserved := false
	for i := range events {
		e := &events[i]
		if preserve {
			if _, ok := e.Header(name); ok {
				continue
			}
		}
		v := value()
		if !reserved {
			flume.ReserveHeaders(events[i:], headerSize(name, v))
			reserved = true
		}
		e.SetHeader(name, v)
	}
}

// headerSize is about the room a header takes in an event: its name, its
// value and their lengths.
func headerSize(name, value string) int { return len(name) + len(value) + 4 }

// built finishes a factory: the configuration problems, if any, else the
// interceptor.
func built(cfg *flume.Context, in flume.Interceptor) (flume.Interceptor, error) {
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return in, nil
}
