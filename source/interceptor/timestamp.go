package interceptor

import (
	"strconv"
	"time"

	"github.com/flumego/flume"
)

// Timestamp is Flume's timestamp interceptor: it sets headerName (default
// "timestamp") to the current time in epoch milliseconds, keeping an
// existing value when preserveExisting is true (default false).
//
// The user guide also calls the key "header"; Java Flume 1.11 ignores that
// spelling and keeps writing "timestamp". flumego honours "header" (with a
// warning that a Java agent would not), and headerName wins when both are
// set.
type Timestamp struct {
	Header   string
	Preserve bool
	now      func() time.Time
}

// NewTimestamp builds a timestamp interceptor from its properties.
func NewTimestamp(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	t := &Timestamp{Header: "timestamp", now: time.Now}
	if cfg.Has("header") {
		t.Header = cfg.String("header", t.Header)
		if cfg.Has("headerName") {
			cfg.Warnf("header", "ignored: headerName is also set (Flume reads only headerName)")
		} else {
			cfg.Warnf("header", "Flume 1.11 ignores this key and writes the \"timestamp\" header; flumego honours it, but headerName works with both")
		}
	}
	t.Header = cfg.String("headerName", t.Header)
	t.Preserve = cfg.Bool("preserveExisting", false)
	return built(cfg, t)
}

// Intercept stamps the events.
func (t *Timestamp) Intercept(events []flume.Event) ([]flume.Event, error) {
	var stamp string
	setHeader(events, t.Header, t.Preserve, func() string {
		if stamp == "" { // one clock read per batch, as cheap as Flume's per event
			stamp = strconv.FormatInt(t.now().UnixMilli(), 10)
		}
		return stamp
	})
	return events, nil
}
