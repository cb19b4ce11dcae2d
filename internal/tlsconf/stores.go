package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// storeType returns a store's type in upper case: typ, else guessed from
// the file name's extension, else JKS.
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

// loadKeyPair reads a private key and its certificate chain.
func loadKeyPair(s Store) (tls.Certificate, error) {
	path, password, typ, keyPath := s.Path, s.Password, s.Type, s.KeyPath
	data, err := os.ReadFile(path)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read keystore: %w", err)
	}
	switch storeType(typ, path) {
	case "PEM":
		keyData := data
		if keyPath != "" {
			if keyData, err = os.ReadFile(keyPath); err != nil {
				return tls.Certificate{}, fmt.Errorf("read the keystore's key file: %w", err)
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

// chain assembles a tls.Certificate from a key, its certificate and the
// certificates that sign it.
func chain(key any, leaf *x509.Certificate, cas []*x509.Certificate) tls.Certificate {
	c := tls.Certificate{PrivateKey: key.(crypto.PrivateKey), Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range cas {
		c.Certificate = append(c.Certificate, ca.Raw)
	}
	return c
}

// loadTrust reads the certificates a client trusts.
func loadTrust(s Store) ([]*x509.Certificate, error) {
	path, password, typ := s.Path, s.Password, s.Type
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
