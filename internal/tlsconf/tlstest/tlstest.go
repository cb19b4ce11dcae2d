package tlstest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// Password protects every generated store.
const Password = "changeit"

// Files are the paths of generated material, all in one temporary directory.
type Files struct {
	CAPEM         string // CA certificate (PEM): a PEM truststore
	ServerCertPEM string // server certificate chain (PEM)
	ServerKeyPEM  string // server private key (PKCS#8 PEM)
	ServerPEM     string // certificate chain and key in one PEM file
	KeystoreJKS   string // server key and chain, JKS, Password
	KeystoreP12   string // server key and chain, PKCS12, Password
	TruststoreJKS string // CA certificate, JKS, Password
	TruststoreP12 string // CA certificate, PKCS12, Password
	OtherCAPEM    string // an unrelated CA, for "untrusted" tests
}

// Generate creates a CA and a server certificate for 127.0.0.1 and
// "localhost" signed by it, and writes them in every format. The
// certificate may also serve as a client certificate (mutual TLS).
func Generate(t testing.TB) Files {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		return k
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "flumego test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(err)
	ca, err := x509.ParseCertificate(caDER)
	must(err)

	srvKey := newKey()
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	must(err)
	srv, err := x509.ParseCertificate(srvDER)
	must(err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	must(err)

	otherKey := newKey()
	otherTmpl := *caTmpl
	otherTmpl.Subject.CommonName = "unrelated CA"
	otherDER, err := x509.CreateCertificate(rand.Reader, &otherTmpl, &otherTmpl, &otherKey.PublicKey, otherKey)
	must(err)

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		must(os.WriteFile(p, data, 0o600))
		return p
	}
	pemOf := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }

	var f Files
	f.CAPEM = write("ca.pem", pemOf("CERTIFICATE", caDER))
	f.OtherCAPEM = write("other-ca.pem", pemOf("CERTIFICATE", otherDER))
	chainPEM := append(pemOf("CERTIFICATE", srvDER), pemOf("CERTIFICATE", caDER)...)
	f.ServerCertPEM = write("server.crt.pem", chainPEM)
	f.ServerKeyPEM = write("server.key.pem", pemOf("PRIVATE KEY", keyDER))
	f.ServerPEM = write("server.pem", append(append([]byte(nil), chainPEM...), pemOf("PRIVATE KEY", keyDER)...))

	ks := keystore.New()
	must(ks.SetPrivateKeyEntry("server", keystore.PrivateKeyEntry{
		CreationTime: now, PrivateKey: keyDER,
		CertificateChain: []keystore.Certificate{{Type: "X509", Content: srvDER}, {Type: "X509", Content: caDER}},
	}, []byte(Password)))
	var buf bytes.Buffer
	must(ks.Store(&buf, []byte(Password)))
	f.KeystoreJKS = write("keystore.jks", buf.Bytes())

	ts := keystore.New()
	must(ts.SetTrustedCertificateEntry("ca", keystore.TrustedCertificateEntry{
		CreationTime: now, Certificate: keystore.Certificate{Type: "X509", Content: caDER},
	}))
	buf.Reset()
	must(ts.Store(&buf, []byte(Password)))
	f.TruststoreJKS = write("truststore.jks", buf.Bytes())

	p12, err := pkcs12.Modern.Encode(srvKey, srv, []*x509.Certificate{ca}, Password)
	must(err)
	f.KeystoreP12 = write("keystore.p12", p12)
	tp12, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{ca}, Password)
	must(err)
	f.TruststoreP12 = write("truststore.p12", tp12)
	return f
}
