package interceptor

import "github.com/flumego/flume"

// Static is Flume's static interceptor: it sets header key (default "key")
// to value (default "value"), keeping an existing value unless
// preserveExisting is false (default true).
type Static struct {
	Key, Value string
	Preserve   bool
}

// NewStatic builds a static interceptor from its properties.
func NewStatic(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	s := &Static{
		Key:      cfg.String("key", "key"),
		Value:    cfg.String("value", "value"),
		Preserve: cfg.Bool("preserveExisting", true),
	}
	return built(cfg, s)
}

// Intercept sets the header.
func (s *Static) Intercept(events []flume.Event) ([]flume.Event, error) {
	setHeader(events, s.Key, s.Preserve, func() string { return s.Value })
	return events, nil
}
