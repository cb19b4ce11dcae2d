package syslog

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// clientHeaders are the clientIPHeader and clientHostnameHeader settings:
// the names of the headers that get the sender's IP address and host name
// (empty: not set).
type clientHeaders struct {
	ip, hostname string
	names        *hostnames
}

func parseClientHeaders(cfg *flume.Context) clientHeaders {
	h := clientHeaders{ip: cfg.String("clientIPHeader", ""), hostname: cfg.String("clientHostnameHeader", "")}
	if h.hostname != "" {
		h.names = &hostnames{cache: map[string]hostEntry{}}
	}
	return h
}

// values returns the header values for a sender: its IP address, and its
// host name by a reverse lookup, as Java's InetSocketAddress.getHostName
// does (the address itself when the lookup fails).
func (h clientHeaders) values(ctx context.Context, remote net.Addr) (ip, host string) {
	if h.ip == "" && h.hostname == "" {
		return "", ""
	}
	ip = addrIP(remote)
	if h.hostname != "" {
		host = h.names.lookup(ctx, ip)
	}
	return ip, host
}

// add adds the values to hb's pending event; they replace parsed headers
// of the same name, as in Flume.
func (h clientHeaders) add(hb *flume.HeaderBuffer, ip, host string) {
	if h.ip != "" {
		hb.Add(h.ip, ip)
	}
	if h.hostname != "" {
		hb.Add(h.hostname, host)
	}
}

func addrIP(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UDPAddr:
		return a.IP.String()
	}
	if a == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// hostnames caches reverse lookups for 30 s, as the JVM caches successful
// ones, so that a syslog UDP sender is looked up once, not per datagram.
type hostnames struct {
	mu    sync.Mutex
	cache map[string]hostEntry
}

type hostEntry struct {
	name    string
	expires time.Time
}

const (
	hostnameTTL       = 30 * time.Second
	hostnameCacheSize = 4096
	lookupTimeout     = 5 * time.Second
)

func (h *hostnames) lookup(ctx context.Context, ip string) string {
	now := time.Now()
	h.mu.Lock()
	e, ok := h.cache[ip]
	h.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.name
	}
	name := ip
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	names, err := net.DefaultResolver.LookupAddr(lctx, ip)
	cancel()
	if err == nil && len(names) > 0 {
		name = strings.TrimSuffix(names[0], ".")
	}
	h.mu.Lock()
	if len(h.cache) >= hostnameCacheSize {
		clear(h.cache)
	}
	h.cache[ip] = hostEntry{name: name, expires: now.Add(hostnameTTL)}
	h.mu.Unlock()
	return name
}
