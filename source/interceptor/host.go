package interceptor

import (
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/localhost"
)

// Host is Flume's host interceptor: it sets hostHeader (default "host") to
// this machine's IP address (useIP = true, the default) or host name
// (useIP = false), keeping an existing value when preserveExisting is true
// (default false). The value is worked out once, when the interceptor is
// built; when no address at all can be found no header is added, as in
// Flume.
//
// Flume uses Java's InetAddress.getLocalHost(), the first address the host
// name resolves to, which on many Linux systems is the loopback alias
// 127.0.1.1 from /etc/hosts. flumego prefers a non-loopback address of the
// resolved name, then a non-loopback address of the machine's interfaces,
// and only then a loopback one, which is what the header is for (also
// when the host name does not resolve, where Java adds no header); see
// internal/localhost. With useIP = false the name is the reverse lookup of
// that address (Java's getCanonicalHostName); when that fails flumego uses
// the host name rather than Java's fallback, the address itself.
type Host struct {
	Header   string
	Preserve bool
	// Value is what the header is set to; empty when the host could not be
	// resolved.
	Value string
}

// NewHost builds a host interceptor from its properties.
func NewHost(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	h := &Host{
		Header:   cfg.String("hostHeader", "host"),
		Preserve: cfg.Bool("preserveExisting", false),
	}
	useIP := cfg.Bool("useIP", true)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	h.Value = localHost(useIP, localhost.Resolver{})
	if h.Value == "" {
		set.Log().Warn("could not work out this host's address; the host interceptor adds no header", "header", h.Header)
	}
	return h, nil
}

// Intercept sets the host header.
func (h *Host) Intercept(events []flume.Event) ([]flume.Event, error) {
	if h.Value == "" {
		return events, nil
	}
	setHeader(events, h.Header, h.Preserve, func() string { return h.Value })
	return events, nil
}

// localHost returns this machine's address (useIP) or canonical name, or
// "" when no address can be found.
func localHost(useIP bool, r localhost.Resolver) string {
	info := r.Lookup()
	switch {
	case info.IP == "":
		return ""
	case useIP:
		return info.IP
	}
	return info.CanonicalName
}
