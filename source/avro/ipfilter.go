package avro

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// ipRule is one rule of Flume's ipFilterRules:
// <allow|deny>:<ip|name>:<pattern>.
type ipRule struct {
	text      string
	allow     bool
	localhost bool           // name:localhost: any local address
	ip        *regexp.Regexp // matched against the textual client IP
	name      *regexp.Regexp // matched against the reverse-resolved name
}

// parseIPFilterRules parses a comma-separated rule list as Flume's
// AvroSource.generateRule and Netty's PatternRule.
func parseIPFilterRules(spec string) ([]ipRule, error) {
	var rules []ipRule
	for _, def := range strings.Split(spec, ",") {
		def = strings.TrimSpace(def)
		access, rest, ok1 := strings.Cut(def, ":")
		kind, pattern, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || (access != "allow" && access != "deny") || (kind != "ip" && kind != "name") {
			return nil, fmt.Errorf("invalid ipFilter rule %q: expected <allow or deny>:<ip or name>:<pattern>", def)
		}
		r := ipRule{text: def, allow: access == "allow"}
		pattern = strings.TrimSpace(pattern)
		if kind == "name" && pattern == "localhost" {
			r.localhost = true
		} else if pattern != "" {
			re, err := wildcard(pattern)
			if err != nil {
				return nil, fmt.Errorf("invalid ipFilter rule %q: %w", def, err)
			}
			if kind == "ip" {
				r.ip = re
			} else {
				r.name = re
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// wildcard turns a PatternRule pattern into a regexp: "." is literal, "*"
// any sequence, "?" one character; the whole text must match.
func wildcard(p string) (*regexp.Regexp, error) {
	p = strings.ReplaceAll(p, ".", `\.`)
	p = strings.ReplaceAll(p, "*", ".*")
	p = strings.ReplaceAll(p, "?", ".")
	return regexp.Compile("^(?:" + p + ")$")
}

// ipFilter decides whether a client may connect: the first matching rule
// decides; no match accepts (Netty's RuleBasedIpFilter).
type ipFilter struct {
	rules   []ipRule
	resolve func(ctx context.Context, ip string) ([]string, error)
}

func (f *ipFilter) accept(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return true
	}
	ip := ta.IP
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	text := ip.String()
	var name string
	resolved := false
	for _, r := range f.rules {
		match := false
		switch {
		case r.localhost:
			match = isLocal(ip)
		case r.ip != nil:
			match = r.ip.MatchString(text)
		case r.name != nil:
			if !resolved {
				resolved, name = true, f.hostName(text)
			}
			match = r.name.MatchString(name)
		}
		if match {
			return r.allow
		}
	}
	return true
}

// hostName reverse-resolves ip as Java's InetAddress.getHostName: the
// textual address when there is no name.
func (f *ipFilter) hostName(ip string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	names, err := f.resolve(ctx, ip)
	if err != nil || len(names) == 0 {
		return ip
	}
	return strings.TrimSuffix(names[0], ".")
}

// isLocal reports whether ip is a loopback address or one of this host's.
func isLocal(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}
