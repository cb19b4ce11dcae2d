package interceptor

import (
	"context"
	"net"
	"os"
	"strings"
	"time"

	"github.com/flumego/flume"
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
// when the host name does not resolve, where Java adds no header). With
// useIP = false the name is the reverse lookup of that address (Java's
// getCanonicalHostName); when that fails flumego uses the host name rather
// than Java's fallback, the address itself.
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
	h.Value = localHost(useIP, resolver{})
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

// resolver is the system's name service; tests substitute a fake.
type resolver struct {
	hostname   func() (string, error)
	lookupIP   func(ctx context.Context, host string) ([]net.IP, error)
	lookupAddr func(ctx context.Context, addr string) ([]string, error)
	ifaceAddrs func() ([]net.Addr, error)
}

func (r resolver) withDefaults() resolver {
	if r.hostname == nil {
		r.hostname = os.Hostname
	}
	if r.lookupIP == nil {
		r.lookupIP = func(ctx context.Context, host string) ([]net.IP, error) {
			return net.DefaultResolver.LookupIP(ctx, "ip", host)
		}
	}
	if r.lookupAddr == nil {
		r.lookupAddr = net.DefaultResolver.LookupAddr
	}
	if r.ifaceAddrs == nil {
		r.ifaceAddrs = net.InterfaceAddrs
	}
	return r
}

// localHost returns this machine's address (useIP) or name, or "".
func localHost(useIP bool, r resolver) string {
	r = r.withDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	name, err := r.hostname()
	if err != nil || name == "" {
		return ""
	}
	ips, _ := r.lookupIP(ctx, name)
	ip := pickIP(ips)
	if ip == nil || ip.IsLoopback() {
		if addrs, err := r.ifaceAddrs(); err == nil {
			var fromIfaces []net.IP
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					fromIfaces = append(fromIfaces, n.IP)
				}
			}
			if alt := pickIP(fromIfaces); alt != nil && (ip == nil || !alt.IsLoopback()) {
				ip = alt
			}
		}
	}
	if ip == nil {
		return ""
	}
	if useIP {
		return ip.String()
	}
	if names, err := r.lookupAddr(ctx, ip.String()); err == nil && len(names) > 0 {
		return strings.TrimSuffix(names[0], ".")
	}
	return name
}

// pickIP prefers a global IPv4 address, then a global IPv6 one, then any
// non-loopback, then loopback.
func pickIP(ips []net.IP) net.IP {
	rank := func(ip net.IP) int {
		switch {
		case ip.IsLoopback():
			return 0
		case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
			return 1
		case ip.To4() == nil:
			return 2
		default:
			return 3
		}
	}
	var best net.IP
	for _, ip := range ips {
		if ip == nil || ip.IsUnspecified() {
			continue
		}
		if best == nil || rank(ip) > rank(best) {
			best = ip
		}
	}
	return best
}
