package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/sysprop"
	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// global returns a component-level value, else the global setting.
func global(cfg *flume.Context, key, sysProp, env string) string {
	if v := cfg.String(key, ""); v != "" {
		return v
	}
	return Global(sysProp, env)
}

// Global returns a global TLS setting as Flume's SSLUtil reads it: the -D
// system property (javax.net.ssl.keyStore, ...), else the environment
// variable (FLUME_SSL_KEYSTORE_PATH, ...).
func Global(sysProp, env string) string {
	if v, ok := sysprop.Get(sysProp); ok && v != "" {
		return v
	}
	return os.Getenv(env)
}

// Server reads a source's TLS properties. It returns nil when ssl is off.
// Problems are recorded in cfg (located at the offending key).
func Server(cfg *flume.Context) *tls.Config {
	if !cfg.Bool("ssl", false) {
		cfg.MarkUsed("keystore", "keystore-password", "keystore-type", "keystore-key",
			"include-protocols", "exclude-protocols", "include-cipher-suites", "exclude-cipher-suites")
		return nil
	}
	path := global(cfg, "keystore", "javax.net.ssl.keyStore", "FLUME_SSL_KEYSTORE_PATH")
	password := global(cfg, "keystore-password", "javax.net.ssl.keyStorePassword", "FLUME_SSL_KEYSTORE_PASSWORD")
	typ := global(cfg, "keystore-type", "javax.net.ssl.keyStoreType", "FLUME_SSL_KEYSTORE_TYPE")
	if path == "" {
		cfg.Errorf("keystore", "ssl is on but no keystore is configured (set keystore, or -Djavax.net.ssl.keyStore)")
		return nil
	}
	cert, err := loadKeyPair(path, password, typ, cfg.String("keystore-key", ""))
	if err != nil {
		cfg.Errorf("keystore", "%v", err)
		return nil
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	applyProtocols(cfg, tc)
	return tc
}

// Client reads a sink's (or the SDK's) TLS properties. It returns nil when
// ssl is off.
func Client(cfg *flume.Context) *tls.Config {
	if !cfg.Bool("ssl", false) {
		cfg.MarkUsed("trust-all-certs", "truststore", "truststore-password", "truststore-type", "ssl-verify-hostname",
			"include-protocols", "exclude-protocols", "include-cipher-suites", "exclude-cipher-suites")
		return nil
	}
	tc := &tls.Config{}
	applyProtocols(cfg, tc)
	if cfg.Bool("trust-all-certs", false) {
		tc.InsecureSkipVerify = true
		cfg.MarkUsed("truststore", "truststore-password", "truststore-type", "ssl-verify-hostname")
		return tc
	}
	path := global(cfg, "truststore", "javax.net.ssl.trustStore", "FLUME_SSL_TRUSTSTORE_PATH")
	password := global(cfg, "truststore-password", "javax.net.ssl.trustStorePassword", "FLUME_SSL_TRUSTSTORE_PASSWORD")
	typ := global(cfg, "truststore-type", "javax.net.ssl.trustStoreType", "FLUME_SSL_TRUSTSTORE_TYPE")
	var roots *x509.CertPool
	if path != "" {
		certs, err := loadTrust(path, password, typ)
		if err != nil {
			cfg.Errorf("truststore", "%v", err)
			return nil
		}
		roots = x509.NewCertPool()
		for _, c := range certs {
			roots.AddCert(c)
		}
	}
	if cfg.Bool("ssl-verify-hostname", false) {
		tc.RootCAs = roots
		return tc
	}
	// Flume's Java client checks the chain, not the host name.
	tc.InsecureSkipVerify = true
	tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		return verifyChain(raw, roots)
	}
	return tc
}

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

var protocolVersions = []struct {
	name    string
	version uint16
}{
	{"TLSv1", tls.VersionTLS10},
	{"TLSv1.1", tls.VersionTLS11},
	{"TLSv1.2", tls.VersionTLS12},
	{"TLSv1.3", tls.VersionTLS13},
}

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

// applyProtocols maps Java's protocol and cipher-suite lists onto tc.
func applyProtocols(cfg *flume.Context, tc *tls.Config) {
	include := cfg.Fields("include-protocols")
	exclude := cfg.Fields("exclude-protocols")
	for key, list := range map[string][]string{"include-protocols": include, "exclude-protocols": exclude} {
		for _, p := range list {
			if !knownProtocol(p) {
				cfg.Warnf(key, "unknown protocol %q ignored (known: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)", p)
			}
		}
	}
	var allowed []uint16
	for _, v := range protocolVersions {
		if len(include) > 0 && !slices.Contains(include, v.name) {
			continue
		}
		if len(include) == 0 && v.version < tls.VersionTLS12 {
			continue // like current JVMs, TLS 1.0 and 1.1 only when asked for
		}
		if slices.Contains(exclude, v.name) {
			continue
		}
		allowed = append(allowed, v.version)
	}
	if len(allowed) == 0 {
		cfg.Errorf("include-protocols", "no TLS protocol left after include-protocols and exclude-protocols")
		return
	}
	for i := 1; i < len(allowed); i++ {
		if allowed[i] != allowed[i-1]+1 {
			cfg.Errorf("exclude-protocols", "the enabled TLS protocols must be a contiguous range of versions")
			return
		}
	}
	tc.MinVersion, tc.MaxVersion = allowed[0], allowed[len(allowed)-1]

	include = cfg.Fields("include-cipher-suites")
	exclude = cfg.Fields("exclude-cipher-suites")
	if len(include) == 0 && len(exclude) == 0 {
		return
	}
	known := map[string]uint16{}
	var defaults []uint16
	for _, s := range tls.CipherSuites() {
		known[s.Name] = s.ID
		defaults = append(defaults, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		known[s.Name] = s.ID
	}
	ids := defaults
	if len(include) > 0 {
		ids = nil
		for _, n := range include {
			id, ok := known[n]
			if !ok {
				cfg.Warnf("include-cipher-suites", "cipher suite %q is not available in Go's TLS (TLS 1.3 suites are not configurable); ignored", n)
				continue
			}
			ids = append(ids, id)
		}
	}
	for _, n := range exclude {
		if id, ok := known[n]; ok {
			ids = slices.DeleteFunc(ids, func(x uint16) bool { return x == id })
		}
	}
	if len(ids) == 0 && tc.MinVersion < tls.VersionTLS13 {
		cfg.Errorf("include-cipher-suites", "no cipher suite left after include-cipher-suites and exclude-cipher-suites")
		return
	}
	tc.CipherSuites = ids
}

func storeType(typ, path string) string {
	t := strings.ToUpper(strings.TrimSpace(typ))
	if t != "" {
		return t
	}
	switch strings.ToLower(path[strings.LastIndex(path, ".")+1:]) {
	case "p12", "pfx", "pkcs12":
		return "PKCS12"
	case "pem", "crt", "cer":
		return "PEM"
	}
	return "JKS"
}

// loadKeyPair reads the server certificate chain and private key.
func loadKeyPair(path, password, typ, keyPath string) (tls.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read keystore: %w", err)
	}
	switch storeType(typ, path) {
	case "PEM":
		keyData := data
		if keyPath != "" {
			if keyData, err = os.ReadFile(keyPath); err != nil {
				return tls.Certificate{}, fmt.Errorf("read keystore-key: %w", err)
			}
		}
		cert, err := tls.X509KeyPair(data, keyData)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("PEM keystore %s: %w", path, err)
		}
		return cert, nil
	case "PKCS12":
		key, leaf, cas, err := pkcs12.DecodeChain(data, password)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("PKCS12 keystore %s: %w", path, err)
		}
		return chain(key, leaf, cas), nil
	case "JKS":
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return tls.Certificate{}, fmt.Errorf("JKS keystore %s: %w", path, err)
		}
		for _, alias := range ks.Aliases() {
			if !ks.IsPrivateKeyEntry(alias) {
				continue
			}
			e, err := ks.GetPrivateKeyEntry(alias, []byte(password))
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("JKS keystore %s: key %q: %w", path, alias, err)
			}
			key, err := x509.ParsePKCS8PrivateKey(e.PrivateKey)
			if err != nil {
				return tls.Certificate{}, fmt.Errorf("JKS keystore %s: key %q: %w", path, alias, err)
			}
			var certs []*x509.Certificate
			for _, c := range e.CertificateChain {
				x, err := x509.ParseCertificate(c.Content)
				if err != nil {
					return tls.Certificate{}, fmt.Errorf("JKS keystore %s: certificate of %q: %w", path, alias, err)
				}
				certs = append(certs, x)
			}
			if len(certs) == 0 {
				return tls.Certificate{}, fmt.Errorf("JKS keystore %s: key %q has no certificate", path, alias)
			}
			return chain(key, certs[0], certs[1:]), nil
		}
		return tls.Certificate{}, fmt.Errorf("JKS keystore %s holds no private key", path)
	default:
		return tls.Certificate{}, fmt.Errorf("keystore type %q is not supported (expected JKS, PKCS12 or PEM)", typ)
	}
}

func chain(key any, leaf *x509.Certificate, cas []*x509.Certificate) tls.Certificate {
	c := tls.Certificate{PrivateKey: key.(crypto.PrivateKey), Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range cas {
		c.Certificate = append(c.Certificate, ca.Raw)
	}
	return c
}

// loadTrust reads the certificates a client trusts.
func loadTrust(path, password, typ string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read truststore: %w", err)
	}
	switch storeType(typ, path) {
	case "PEM":
		var out []*x509.Certificate
		for rest := data; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM truststore %s: %w", path, err)
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("PEM truststore %s holds no certificate", path)
		}
		return out, nil
	case "PKCS12":
		certs, err := pkcs12.DecodeTrustStore(data, password)
		if err != nil {
			return nil, fmt.Errorf("PKCS12 truststore %s: %w", path, err)
		}
		return certs, nil
	case "JKS":
		ks := keystore.New()
		if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
			return nil, fmt.Errorf("JKS truststore %s: %w", path, err)
		}
		var out []*x509.Certificate
		for _, alias := range ks.Aliases() {
			var raws [][]byte
			if ks.IsTrustedCertificateEntry(alias) {
				e, err := ks.GetTrustedCertificateEntry(alias)
				if err != nil {
					return nil, fmt.Errorf("JKS truststore %s: %q: %w", path, alias, err)
				}
				raws = append(raws, e.Certificate.Content)
			} else if ch, err := ks.GetPrivateKeyEntryCertificateChain(alias); err == nil && len(ch) > 0 {
				raws = append(raws, ch[len(ch)-1].Content)
			}
			for _, r := range raws {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return nil, fmt.Errorf("JKS truststore %s: %q: %w", path, alias, err)
				}
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("JKS truststore %s holds no certificate", path)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("truststore type %q is not supported (expected JKS, PKCS12 or PEM)", typ)
	}
}
