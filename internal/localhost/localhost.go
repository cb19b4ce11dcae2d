package localhost

import (
	"context"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// Info is what is known about this machine. Empty fields could not be
// worked out.
type Info struct {
	// Name is the host name (os.Hostname).
	Name string
	// IP is the preferred address of the host (see the package doc).
	IP string
	// CanonicalName is the reverse lookup of IP, else Name.
	CanonicalName string
}

// Resolver is the name service Lookup asks; a nil field is the system's.
// Tests substitute fakes.
type Resolver struct {
	Hostname       func() (string, error)
	LookupIP       func(ctx context.Context, host string) ([]net.IP, error)
	LookupAddr     func(ctx context.Context, addr string) ([]string, error)
	InterfaceAddrs func() ([]net.Addr, error)
}

func (r Resolver) withDefaults() Resolver {
	if r.Hostname == nil {
		r.Hostname = os.Hostname
	}
	if r.LookupIP == nil {
		r.LookupIP = func(ctx context.Context, host string) ([]net.IP, error) {
			return net.DefaultResolver.LookupIP(ctx, "ip", host)
		}
	}
	if r.LookupAddr == nil {
		r.LookupAddr = net.DefaultResolver.LookupAddr
	}
	if r.InterfaceAddrs == nil {
		r.InterfaceAddrs = net.InterfaceAddrs
	}
	return r
}

// Lookup works the machine's Info out now (the lookups are bounded by
// 3 s).
func (r Resolver) Lookup() Info {
	r = r.withDefaults()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	name, err := r.Hostname()
	if err != nil || name == "" {
		return Info{}
	}
	info := Info{Name: name, CanonicalName: name}
	ips, _ := r.LookupIP(ctx, name)
	ip := pickIP(ips)
	if ip == nil || ip.IsLoopback() {
		if addrs, err := r.InterfaceAddrs(); err == nil {
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
		return info
	}
	info.IP = ip.String()
	if names, err := r.LookupAddr(ctx, info.IP); err == nil && len(names) > 0 {
		info.CanonicalName = strings.TrimSuffix(names[0], ".")
	}
	return info
}

// Get returns the machine's Info, looked up once per process.
var Get = sync.OnceValue(func() Info { return Resolver{}.Lookup() })

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
