package tlsconf

import (
	"crypto/tls"
	"errors"
	"slices"
)

var protocolVersions = []struct {
	name    string
	version uint16
}{
	{"TLSv1", tls.VersionTLS10},
	{"TLSv1.1", tls.VersionTLS11},
	{"TLSv1.2", tls.VersionTLS12},
	{"TLSv1.3", tls.VersionTLS13},
}

// knownProtocol reports whether Java's protocol name is one Load
// understands.
func knownProtocol(name string) bool {
	if name == "SSLv3" || name == "SSLv2Hello" {
		return true // always excluded anyway
	}
	for _, v := range protocolVersions {
		if v.name == name {
			return true
		}
	}
	return false
}

// cipherSuites returns every cipher suite Go knows by name, and the IDs
// of the secure ones (Go's default set).
func cipherSuites() (known map[string]uint16, defaults []uint16) {
	known = map[string]uint16{}
	for _, s := range tls.CipherSuites() {
		known[s.Name] = s.ID
		defaults = append(defaults, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		known[s.Name] = s.ID
	}
	return known, defaults
}

// unknownProtocols returns the names of list Load ignores.
func unknownProtocols(list []string) []string {
	var out []string
	for _, p := range list {
		if !knownProtocol(p) {
			out = append(out, p)
		}
	}
	return out
}

// unknownCipherSuites returns the names of list Go's TLS does not have.
func unknownCipherSuites(list []string) []string {
	known, _ := cipherSuites()
	var out []string
	for _, n := range list {
		if _, ok := known[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}

// apply maps Java's protocol and cipher-suite lists onto tc.
func (p Protocols) apply(tc *tls.Config) error {
	var allowed []uint16
	for _, v := range protocolVersions {
		if len(p.Include) > 0 && !slices.Contains(p.Include, v.name) {
			continue
		}
		if len(p.Include) == 0 && v.version < tls.VersionTLS12 {
			continue // like current JVMs, TLS 1.0 and 1.1 only when asked for
		}
		if slices.Contains(p.Exclude, v.name) {
			continue
		}
		allowed = append(allowed, v.version)
	}
	if len(allowed) == 0 {
		return &Error{SettingIncludeProtocols, errors.New("no TLS protocol is left enabled by the include and exclude lists")}
	}
	for i := 1; i < len(allowed); i++ {
		if allowed[i] != allowed[i-1]+1 {
			return &Error{SettingExcludeProtocols, errors.New("the enabled TLS protocols must be a contiguous range of versions")}
		}
	}
	tc.MinVersion, tc.MaxVersion = allowed[0], allowed[len(allowed)-1]

	if len(p.IncludeCipherSuites) == 0 && len(p.ExcludeCipherSuites) == 0 {
		return nil
	}
	known, ids := cipherSuites()
	if len(p.IncludeCipherSuites) > 0 {
		ids = nil
		for _, n := range p.IncludeCipherSuites {
			if id, ok := known[n]; ok {
				ids = append(ids, id)
			}
		}
	}
	for _, n := range p.ExcludeCipherSuites {
		if id, ok := known[n]; ok {
			ids = slices.DeleteFunc(ids, func(x uint16) bool { return x == id })
		}
	}
	if len(ids) == 0 && tc.MinVersion < tls.VersionTLS13 {
		return &Error{SettingIncludeCipherSuites, errors.New("no cipher suite is left enabled by the include and exclude lists")}
	}
	tc.CipherSuites = ids
	return nil
}
