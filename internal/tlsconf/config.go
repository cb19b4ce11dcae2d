package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// Store is a key store or a trust store: a file and how to read it.
type Store struct {
	// Path is the file.
	Path string
	// Password opens a JKS or PKCS12 store (and a JKS store's keys).
	Password string
	// Type is JKS, PKCS12 or PEM, in any case. Empty: PKCS12 for a file
	// named *.p12, *.pfx or *.pkcs12, PEM for *.pem, *.crt or *.cer, else
	// JKS (Java's default).
	Type string
	// KeyPath is, for a PEM key store, a separate file holding the private
	// key; empty when Path holds the key after the certificate chain.
	KeyPath string
}

// Protocols restricts the TLS versions and cipher suites, with Java's names
// and semantics.
type Protocols struct {
	// Include lists the enabled protocols (TLSv1, TLSv1.1, TLSv1.2,
	// TLSv1.3); empty: TLSv1.2 and TLSv1.3, as current JVMs. Exclude
	// removes protocols. SSLv3 and SSLv2Hello are accepted and never
	// enabled; other names are ignored. The enabled versions must form a
	// contiguous range.
	Include, Exclude []string
	// IncludeCipherSuites lists the enabled cipher suites by their IANA
	// names (which Java uses too); empty: Go's defaults. ExcludeCipherSuites
	// removes suites. TLS 1.3 suites are not configurable in Go.
	IncludeCipherSuites, ExcludeCipherSuites []string
}

// ServerConfig is the TLS side of a listening component: a source.
type ServerConfig struct {
	// Keystore holds the server's private key and certificate chain.
	Keystore Store
	Protocols
}

// ClientConfig is the TLS side of a connecting component: a sink, the
// SDK, a Kafka client.
type ClientConfig struct {
	// Truststore holds the certificates that may sign the server's chain;
	// with no Path, the system roots.
	Truststore Store
	// TrustAll accepts any server certificate (Flume's trust-all-certs).
	TrustAll bool
	// VerifyHostname checks the server certificate's name against the
	// address dialled, besides its chain. Flume's RPC clients do not; Kafka's
	// clients do by default.
	VerifyHostname bool
	// Keystore, when its Path is set, holds a client certificate presented
	// to servers that ask for one (Kafka's ssl.keystore.*).
	Keystore Store
	Protocols
}

// Setting names the part of a configuration a load error is about, so
// that a parser can report it at the property the user wrote.
type Setting int

// The settings an *Error can be about.
const (
	SettingKeystore Setting = iota + 1
	SettingTruststore
	SettingIncludeProtocols
	SettingExcludeProtocols
	SettingIncludeCipherSuites
	SettingExcludeCipherSuites
)

// Error is a failure of Load, with the setting it is about.
type Error struct {
	Setting Setting
	Err     error
}

// Error returns the cause's message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errNoKeystore is Load's error for a server without a key store.
var errNoKeystore = errors.New("TLS is on but no keystore is configured")

// Load reads the key store and returns the server configuration. Its
// errors are *Error values.
func (c ServerConfig) Load() (*tls.Config, error) {
	tc := &tls.Config{}
	if err := c.apply(tc); err != nil {
		return nil, err
	}
	if c.Keystore.Path == "" {
		return nil, &Error{SettingKeystore, errNoKeystore}
	}
	cert, err := loadKeyPair(c.Keystore)
	if err != nil {
		return nil, &Error{SettingKeystore, err}
	}
	tc.Certificates = []tls.Certificate{cert}
	return tc, nil
}

// Load reads the trust store and the key store (when set) and returns the
// client configuration. Its errors are *Error values.
//
// Unless VerifyHostname is set, the server's chain is verified but not its
// name, as Flume's Java RPC clients do, so configurations that work with
// Java keep working.
func (c ClientConfig) Load() (*tls.Config, error) {
	tc := &tls.Config{}
	if err := c.apply(tc); err != nil {
		return nil, err
	}
	if c.TrustAll {
		tc.InsecureSkipVerify = true
	} else {
		var roots *x509.CertPool
		if c.Truststore.Path != "" {
			certs, err := loadTrust(c.Truststore)
			if err != nil {
				return nil, &Error{SettingTruststore, err}
			}
			roots = x509.NewCertPool()
			for _, cert := range certs {
				roots.AddCert(cert)
			}
		}
		if c.VerifyHostname {
			tc.RootCAs = roots
		} else {
			tc.InsecureSkipVerify = true
			tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
				return verifyChain(raw, roots)
			}
		}
	}
	if c.Keystore.Path != "" {
		cert, err := loadKeyPair(c.Keystore)
		if err != nil {
			return nil, &Error{SettingKeystore, err}
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// verifyChain checks the server's chain against roots (the system roots
// when nil), without its host name.
func verifyChain(raw [][]byte, roots *x509.CertPool) error {
	if len(raw) == 0 {
		return errors.New("tls: server sent no certificate")
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return fmt.Errorf("tls: bad server certificate: %w", err)
		}
		certs[i] = c
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
	return err
}
