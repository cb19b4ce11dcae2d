package tlsconf

import (
	"crypto/tls"
	"io"

	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/sysprop"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
)

// handshake runs a real TLS exchange over loopback and returns the client's
// error (nil when the client read the server's greeting).
func handshake(t *testing.T, server, client *tls.Config) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Write([]byte("hi"))
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), client)
	if err != nil {
		return err
	}
	defer c.Close()
	b := make([]byte, 2)
	_, err = io.ReadFull(c, b)
	return err
}

func serverConf(t *testing.T, m map[string]string) *tls.Config {
	t.Helper()
	cfg := flume.ContextFromMap(m)
	tc := Server(cfg)
	if err := cfg.Err(); err != nil || tc == nil {
		t.Fatalf("server config %v: %v", m, err)
	}
	return tc
}

func clientConf(t *testing.T, m map[string]string) *tls.Config {
	t.Helper()
	cfg := flume.ContextFromMap(m)
	tc := Client(cfg)
	if err := cfg.Err(); err != nil || tc == nil {
		t.Fatalf("client config %v: %v", m, err)
	}
	return tc
}

func TestKeystoreFormats(t *testing.T) {
	f := tlstest.Generate(t)
	client := clientConf(t, map[string]string{"ssl": "true", "truststore": f.CAPEM, "truststore-type": "PEM"})
	for name, m := range map[string]map[string]string{
		"JKS":        {"ssl": "true", "keystore": f.KeystoreJKS, "keystore-password": tlstest.Password},
		"PKCS12":     {"ssl": "true", "keystore": f.KeystoreP12, "keystore-password": tlstest.Password, "keystore-type": "PKCS12"},
		"PEM one":    {"ssl": "true", "keystore": f.ServerPEM, "keystore-type": "PEM"},
		"PEM pair":   {"ssl": "true", "keystore": f.ServerCertPEM, "keystore-key": f.ServerKeyPEM, "keystore-type": "pem"},
		"PEM by ext": {"ssl": "true", "keystore": f.ServerPEM},
	} {
		t.Run(name, func(t *testing.T) {
			if err := handshake(t, serverConf(t, m), client); err != nil {
				t.Fatalf("handshake: %v", err)
			}
		})
	}
}

func TestTruststoreFormats(t *testing.T) {
	f := tlstest.Generate(t)
	server := serverConf(t, map[string]string{"ssl": "true", "keystore": f.KeystoreJKS, "keystore-password": tlstest.Password})
	for name, m := range map[string]map[string]string{
		"JKS":       {"ssl": "true", "truststore": f.TruststoreJKS, "truststore-password": tlstest.Password},
		"PKCS12":    {"ssl": "true", "truststore": f.TruststoreP12, "truststore-password": tlstest.Password, "truststore-type": "PKCS12"},
		"trust all": {"ssl": "true", "trust-all-certs": "true"},
		"hostname":  {"ssl": "true", "truststore": f.CAPEM, "ssl-verify-hostname": "true"},
	} {
		t.Run(name, func(t *testing.T) {
			c := clientConf(t, m)
			c.ServerName = "127.0.0.1"
			if err := handshake(t, server, c); err != nil {
				t.Fatalf("handshake: %v", err)
			}
		})
	}
}

func TestUntrustedServerFails(t *testing.T) {
	f := tlstest.Generate(t)
	server := serverConf(t, map[string]string{"ssl": "true", "keystore": f.ServerPEM})
	client := clientConf(t, map[string]string{"ssl": "true", "truststore": f.OtherCAPEM})
	if err := handshake(t, server, client); err == nil {
		t.Fatal("a server signed by an untrusted CA was accepted")
	}
}

func TestGlobalKeystoreFromSystemProperties(t *testing.T) {
	f := tlstest.Generate(t)
	sysprop.Set("javax.net.ssl.keyStore", f.KeystoreP12)
	sysprop.Set("javax.net.ssl.keyStorePassword", tlstest.Password)
	sysprop.Set("javax.net.ssl.keyStoreType", "PKCS12")
	t.Cleanup(sysprop.Reset)
	server := serverConf(t, map[string]string{"ssl": "true"})
	client := clientConf(t, map[string]string{"ssl": "true", "truststore": f.CAPEM})
	if err := handshake(t, server, client); err != nil {
		t.Fatalf("handshake with the global keystore: %v", err)
	}
}

func TestProtocols(t *testing.T) {
	f := tlstest.Generate(t)
	base := map[string]string{"ssl": "true", "keystore": f.ServerPEM}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for a, b := range base {
			m[a] = b
		}
		return m
	}
	tc := serverConf(t, with("exclude-protocols", "SSLv3 TLSv1.3"))
	if tc.MinVersion != tls.VersionTLS12 || tc.MaxVersion != tls.VersionTLS12 {
		t.Fatalf("exclude TLSv1.3: versions %x..%x", tc.MinVersion, tc.MaxVersion)
	}
	tc = serverConf(t, with("include-protocols", "TLSv1.1 TLSv1.2"))
	if tc.MinVersion != tls.VersionTLS11 || tc.MaxVersion != tls.VersionTLS12 {
		t.Fatalf("include 1.1, 1.2: versions %x..%x", tc.MinVersion, tc.MaxVersion)
	}
	cfg := flume.ContextFromMap(with("include-protocols", "TLSv1.1 TLSv1.3"))
	Server(cfg)
	if cfg.Err() == nil {
		t.Fatal("a non-contiguous protocol set was accepted")
	}
}

func TestMissingKeystoreIsAnError(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"ssl": "true"})
	if Server(cfg) != nil || cfg.Err() == nil {
		t.Fatal("ssl without a keystore was accepted")
	}
	cfg = flume.ContextFromMap(map[string]string{"ssl": "true", "keystore": "/nonexistent.jks"})
	if Server(cfg) != nil || cfg.Err() == nil {
		t.Fatal("a missing keystore file was accepted")
	}
}
