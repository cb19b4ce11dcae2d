package tlsconf

import (
	"crypto/tls"
	"errors"
	"strings"

	"github.com/flumego/flume"
)

// KeyNames are the properties a component reads its TLS settings from,
// relative to its context. An empty name is not read: a client without
// Keystore presents no certificate; without Enable, TLS is on whenever the
// component asks (Kafka turns it on with security.protocol).
type KeyNames struct {
	Enable string // a boolean switch, e.g. ssl

	Keystore, KeystorePassword, KeystoreType, KeystoreKey string

	Truststore, TruststorePassword, TruststoreType string
	TrustAll                                       string // boolean
	VerifyHostname                                 string // boolean

	IncludeProtocols, ExcludeProtocols       string
	IncludeCipherSuites, ExcludeCipherSuites string
}

// ServerKeys are the names of Flume's sources (avro, thrift, http):
// ssl, keystore, keystore-password, keystore-type, and the protocol and
// cipher lists; keystore-key (a PEM key file) is a flumego addition.
var ServerKeys = KeyNames{
	Enable:   "ssl",
	Keystore: "keystore", KeystorePassword: "keystore-password", KeystoreType: "keystore-type", KeystoreKey: "keystore-key",
	IncludeProtocols: "include-protocols", ExcludeProtocols: "exclude-protocols",
	IncludeCipherSuites: "include-cipher-suites", ExcludeCipherSuites: "exclude-cipher-suites",
}

// ClientKeys are the names of Flume's RPC clients (avro and thrift sinks,
// the SDK): ssl, trust-all-certs, truststore, truststore-password,
// truststore-type, and the protocol and cipher lists; ssl-verify-hostname
// is a flumego addition.
var ClientKeys = KeyNames{
	Enable:     "ssl",
	Truststore: "truststore", TruststorePassword: "truststore-password", TruststoreType: "truststore-type",
	TrustAll: "trust-all-certs", VerifyHostname: "ssl-verify-hostname",
	IncludeProtocols: "include-protocols", ExcludeProtocols: "exclude-protocols",
	IncludeCipherSuites: "include-cipher-suites", ExcludeCipherSuites: "exclude-cipher-suites",
}

// names returns every non-empty key name.
func (k KeyNames) names() []string {
	var out []string
	for _, n := range []string{k.Enable, k.Keystore, k.KeystorePassword, k.KeystoreType, k.KeystoreKey,
		k.Truststore, k.TruststorePassword, k.TruststoreType, k.TrustAll, k.VerifyHostname,
		k.IncludeProtocols, k.ExcludeProtocols, k.IncludeCipherSuites, k.ExcludeCipherSuites} {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// key returns the property a Setting is read from, falling back to a
// related one when the component has no key of its own for it (Kafka has
// no exclude lists), and to "" (the component) at last.
func (k KeyNames) key(s Setting) string {
	var candidates []string
	switch s {
	case SettingKeystore:
		candidates = []string{k.Keystore}
	case SettingTruststore:
		candidates = []string{k.Truststore}
	case SettingIncludeProtocols:
		candidates = []string{k.IncludeProtocols, k.ExcludeProtocols}
	case SettingExcludeProtocols:
		candidates = []string{k.ExcludeProtocols, k.IncludeProtocols}
	case SettingIncludeCipherSuites:
		candidates = []string{k.IncludeCipherSuites, k.ExcludeCipherSuites}
	case SettingExcludeCipherSuites:
		candidates = []string{k.ExcludeCipherSuites, k.IncludeCipherSuites}
	}
	for _, c := range candidates {
		if c != "" {
			return c
		}
	}
	return ""
}

// enabled reads the Enable switch; when it is off every other key is
// marked used, since a configuration keeps its TLS settings while
// switched off.
func enabled(cfg *flume.Context, keys KeyNames) bool {
	if keys.Enable == "" || cfg.Bool(keys.Enable, false) {
		return true
	}
	cfg.MarkUsed(keys.names()...)
	return false
}

// str reads key, or def when key is unnamed or not set (or empty).
func str(cfg *flume.Context, key, def string) string {
	if key == "" {
		return def
	}
	if v := cfg.String(key, ""); v != "" {
		return v
	}
	return def
}

// list reads key as a list separated by white space or commas: Flume
// writes "TLSv1.2 TLSv1.3", Kafka "TLSv1.2,TLSv1.3".
func list(cfg *flume.Context, key string) []string {
	if key == "" {
		return nil
	}
	return strings.FieldsFunc(cfg.String(key, ""), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// parseProtocols reads the protocol and cipher-suite lists and warns, at
// their keys, about names Load ignores.
func parseProtocols(cfg *flume.Context, keys KeyNames) Protocols {
	p := Protocols{
		Include:             list(cfg, keys.IncludeProtocols),
		Exclude:             list(cfg, keys.ExcludeProtocols),
		IncludeCipherSuites: list(cfg, keys.IncludeCipherSuites),
		ExcludeCipherSuites: list(cfg, keys.ExcludeCipherSuites),
	}
	for key, names := range map[string][]string{keys.IncludeProtocols: p.Include, keys.ExcludeProtocols: p.Exclude} {
		for _, n := range unknownProtocols(names) {
			cfg.Warnf(key, "unknown protocol %q ignored (known: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", n)
		}
	}
	for _, n := range unknownCipherSuites(p.IncludeCipherSuites) {
		cfg.Warnf(keys.IncludeCipherSuites, "cipher suite %q is not available in Go's TLS (TLS 1.3 suites are not configurable); ignored", n)
	}
	return p
}

// parseStore reads a store's keys, each falling back to the global value.
func parseStore(cfg *flume.Context, path, password, typ string, global Store) Store {
	return Store{
		Path:     str(cfg, path, global.Path),
		Password: str(cfg, password, global.Password),
		Type:     str(cfg, typ, global.Type),
	}
}

// ParseServer reads a server's TLS settings from cfg under keys, each
// store value falling back to global's (Flume's javax.net.ssl.* settings).
// It reports whether TLS is on (the Enable key, when named). Unknown
// protocol and cipher names draw warnings at their keys; everything else
// is checked by Load.
func ParseServer(cfg *flume.Context, keys KeyNames, global Global) (ServerConfig, bool) {
	if !enabled(cfg, keys) {
		return ServerConfig{}, false
	}
	c := ServerConfig{Keystore: parseStore(cfg, keys.Keystore, keys.KeystorePassword, keys.KeystoreType, global.Keystore)}
	c.Keystore.KeyPath = str(cfg, keys.KeystoreKey, "")
	c.Protocols = parseProtocols(cfg, keys)
	return c, true
}

// ParseClient reads a client's TLS settings from cfg under keys, like
// ParseServer. With TrustAll on the trust store keys are not read. A
// client key store is read only when keys names one; VerifyHostname is
// false unless keys names a switch that is on.
func ParseClient(cfg *flume.Context, keys KeyNames, global Global) (ClientConfig, bool) {
	if !enabled(cfg, keys) {
		return ClientConfig{}, false
	}
	c := ClientConfig{Protocols: parseProtocols(cfg, keys)}
	if keys.TrustAll != "" && cfg.Bool(keys.TrustAll, false) {
		c.TrustAll = true
		cfg.MarkUsed(keys.Truststore, keys.TruststorePassword, keys.TruststoreType, keys.VerifyHostname)
	} else {
		c.Truststore = parseStore(cfg, keys.Truststore, keys.TruststorePassword, keys.TruststoreType, global.Truststore)
		c.VerifyHostname = keys.VerifyHostname != "" && cfg.Bool(keys.VerifyHostname, false)
	}
	if keys.Keystore != "" {
		c.Keystore = parseStore(cfg, keys.Keystore, keys.KeystorePassword, keys.KeystoreType, global.Keystore)
		c.Keystore.KeyPath = str(cfg, keys.KeystoreKey, "")
	}
	return c, true
}

// Server reads and loads a server's TLS configuration: ParseServer, then
// Load, with a failure recorded in cfg at the key it concerns. It returns
// nil when TLS is off or cannot be loaded.
func Server(cfg *flume.Context, keys KeyNames, global Global) *tls.Config {
	c, on := ParseServer(cfg, keys, global)
	if !on {
		return nil
	}
	tc, err := c.Load()
	Report(cfg, keys, err)
	return tc
}

// Client reads and loads a client's TLS configuration, like Server.
func Client(cfg *flume.Context, keys KeyNames, global Global) *tls.Config {
	c, on := ParseClient(cfg, keys, global)
	if !on {
		return nil
	}
	tc, err := c.Load()
	Report(cfg, keys, err)
	return tc
}

// Report records err, an error of Load, in cfg at the key named for its
// Setting. A nil err records nothing.
func Report(cfg *flume.Context, keys KeyNames, err error) {
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		cfg.Errorf("", "%v", err)
		return
	}
	key := keys.key(e.Setting)
	if errors.Is(e.Err, errNoKeystore) {
		switch {
		case keys.Enable != "":
			cfg.Errorf(key, "%s is on but no keystore is configured (set %s, or -Djavax.net.ssl.keyStore)", keys.Enable, keys.Keystore)
		default:
			cfg.Errorf(key, "no keystore is configured (set %s, or -Djavax.net.ssl.keyStore)", keys.Keystore)
		}
		return
	}
	cfg.Errorf(key, "%v", e.Err)
}
