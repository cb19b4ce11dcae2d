package netserver

import "github.com/flumego/flume"

// The properties every network source reads for its Limits (flumego
// additions; Java Flume has neither).
const (
	// PropMaxConnections is Limits.MaxConnections; 0 (the default) is no
	// limit, as in Flume.
	PropMaxConnections = "max-connections"
	// PropRequestTimeout is Limits.RequestTimeout in milliseconds
	// (default 120000); 0 is no limit, as in Flume.
	PropRequestTimeout = "request-read-timeout"
)

// ParseLimits reads max-connections and request-read-timeout. Problems are
// recorded in cfg.
func ParseLimits(cfg *flume.Context) Limits {
	l := Limits{
		MaxConnections: cfg.IntAtLeast(PropMaxConnections, 0, 0),
		RequestTimeout: cfg.MillisAtLeast(PropRequestTimeout, DefaultRequestTimeout, 0),
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = -1 // no limit
	}
	return l
}

// LogAttrs describes the limits for a source's start-up log line.
func (l Limits) LogAttrs() []any {
	var conns, timeout any = "none", "none"
	if l.MaxConnections > 0 {
		conns = l.MaxConnections
	}
	if t := l.requestTimeout(); t > 0 {
		timeout = t.String()
	}
	return []any{"max_connections", conns, "request_read_timeout", timeout}
}
