package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/sysprop"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
)

// handshake runs a real TLS exchange over loopback and returns the
// certificates the server saw from the client and the client's error (nil
// when the client read the server's greeting).
func handshake(t *testing.T, server, client *tls.Config) ([]*x509.Certificate, error) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", server)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer := make(chan []*x509.Certificate, 1)
	go func() {
		defer close(peer)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if tc.Handshake() != nil {
			return
		}
		peer <- tc.ConnectionState().PeerCertificates
		_, _ = c.Write([]byte("hi"))
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), client)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	b := make([]byte, 2)
	if _, err = io.ReadFull(c, b); err != nil {
		return nil, err
	}
	return <-peer, nil
}

func serverConf(t *testing.T, m map[string]string) *tls.Config {
	t.Helper()
	cfg := flume.ContextFromMap(m)
	tc := Server(cfg, ServerKeys, Global{})
	if err := cfg.Err(); err != nil || tc == nil {
		t.Fatalf("server config %v: %v", m, err)
	}
	return tc
}

func clientConf(t *testing.T, m map[string]string) *tls.Config {
	t.Helper()
	cfg := flume.ContextFromMap(m)
	tc := Client(cfg, ClientKeys, Global{})
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
			if _, err := handshake(t, serverConf(t, m), client); err != nil {
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
		"trust all": {"ssl": "true", "trust-all-certs": "true", "truststore": "/not/read"},
		"hostname":  {"ssl": "true", "truststore": f.CAPEM, "ssl-verify-hostname": "true"},
	} {
		t.Run(name, func(t *testing.T) {
			c := clientConf(t, m)
			c.ServerName = "127.0.0.1"
			if _, err := handshake(t, server, c); err != nil {
				t.Fatalf("handshake: %v", err)
			}
		})
	}
}

func TestUntrustedServerFails(t *testing.T) {
	f := tlstest.Generate(t)
	server := serverConf(t, map[string]string{"ssl": "true", "keystore": f.ServerPEM})
	client := clientConf(t, map[string]string{"ssl": "true", "truststore": f.OtherCAPEM})
	if _, err := handshake(t, server, client); err == nil {
		t.Fatal("a server signed by an untrusted CA was accepted")
	}
	// Checking the name too: the certificate is for 127.0.0.1 and
	// localhost, not for the name the client asks for.
	client = clientConf(t, map[string]string{"ssl": "true", "truststore": f.CAPEM, "ssl-verify-hostname": "true"})
	client.ServerName = "flume.example.com"
	if _, err := handshake(t, server, client); err == nil {
		t.Fatal("a certificate for another host name was accepted with ssl-verify-hostname")
	}
}

// TestTypedOptions loads configurations built in code, including a client
// key store presented to a server that requires one (mutual TLS, as a
// Kafka broker with ssl.client.auth = required).
func TestTypedOptions(t *testing.T) {
	f := tlstest.Generate(t)
	server, err := ServerConfig{Keystore: Store{Path: f.KeystoreP12, Password: tlstest.Password}}.Load()
	if err != nil {
		t.Fatal(err)
	}
	ca, err := loadTrust(Store{Path: f.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	server.ClientCAs = x509.NewCertPool()
	server.ClientCAs.AddCert(ca[0])
	server.ClientAuth = tls.RequireAndVerifyClientCert

	noCert, err := ClientConfig{Truststore: Store{Path: f.TruststoreJKS, Password: tlstest.Password}}.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(t, server, noCert); err == nil {
		t.Fatal("a server requiring a client certificate accepted a client without one")
	}
	withCert, err := ClientConfig{
		Truststore:     Store{Path: f.TruststoreJKS, Password: tlstest.Password, Type: "jks"},
		Keystore:       Store{Path: f.KeystoreJKS, Password: tlstest.Password},
		VerifyHostname: true,
	}.Load()
	if err != nil {
		t.Fatal(err)
	}
	withCert.ServerName = "localhost"
	peer, err := handshake(t, server, withCert)
	if err != nil {
		t.Fatalf("mutual TLS: %v", err)
	}
	if len(peer) == 0 || peer[0].Subject.CommonName != "localhost" {
		t.Fatalf("the server saw client certificates %v", peer)
	}

	// Load's failures name the setting.
	for _, tc := range []struct {
		load func() error
		want Setting
	}{
		{func() error { _, err := (ServerConfig{}).Load(); return err }, SettingKeystore},
		{func() error {
			_, err := ServerConfig{Keystore: Store{Path: f.KeystoreJKS, Password: "wrong"}}.Load()
			return err
		}, SettingKeystore},
		{func() error {
			_, err := ClientConfig{Truststore: Store{Path: f.TruststoreP12, Password: "wrong", Type: "PKCS12"}}.Load()
			return err
		}, SettingTruststore},
		{func() error {
			_, err := ClientConfig{Keystore: Store{Path: f.CAPEM}}.Load() // a certificate without its key
			return err
		}, SettingKeystore},
		{func() error {
			_, err := ServerConfig{Keystore: Store{Path: f.ServerPEM}, Protocols: Protocols{Include: []string{"TLSv1.1", "TLSv1.3"}}}.Load()
			return err
		}, SettingExcludeProtocols},
		{func() error {
			_, err := ClientConfig{Protocols: Protocols{Exclude: []string{"TLSv1.2", "TLSv1.3"}}}.Load()
			return err
		}, SettingIncludeProtocols},
		{func() error {
			_, err := ClientConfig{Protocols: Protocols{Include: []string{"TLSv1.2"}, IncludeCipherSuites: []string{"TLS_NO_SUCH_SUITE"}}}.Load()
			return err
		}, SettingIncludeCipherSuites},
	} {
		err := tc.load()
		var e *Error
		if !errors.As(err, &e) || e.Setting != tc.want {
			t.Errorf("error %v, want an *Error about setting %d", err, tc.want)
		}
	}
}

// TestCallerKeyNames: a component with its own key names (Kafka's) gets
// every problem at its keys, with no synthetic context.
func TestCallerKeyNames(t *testing.T) {
	f := tlstest.Generate(t)
	keys := KeyNames{
		Keystore: "ssl.keystore.location", KeystorePassword: "ssl.keystore.password", KeystoreType: "ssl.keystore.type",
		Truststore: "ssl.truststore.location", TruststorePassword: "ssl.truststore.password", TruststoreType: "ssl.truststore.type",
		IncludeProtocols: "ssl.enabled.protocols", IncludeCipherSuites: "ssl.cipher.suites",
	}
	base := map[string]string{
		"ssl.truststore.location": f.TruststoreJKS, "ssl.truststore.password": tlstest.Password,
		"ssl.keystore.location": f.KeystoreP12, "ssl.keystore.password": tlstest.Password, "ssl.keystore.type": "PKCS12",
		"ssl.enabled.protocols": "TLSv1.2,TLSv1.3",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}

	cfg := flume.ContextFromMap(base)
	c, on := ParseClient(cfg, keys, Global{})
	if !on || c.Keystore.Path != f.KeystoreP12 || c.Truststore.Password != tlstest.Password ||
		strings.Join(c.Include, " ") != "TLSv1.2 TLSv1.3" || c.VerifyHostname {
		t.Fatalf("parsed %+v (on %v)", c, on)
	}
	if tc := Client(cfg, keys, Global{}); tc == nil || len(tc.Certificates) != 1 || cfg.Err() != nil {
		t.Fatalf("client: %v", cfg.Err())
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}

	for _, tc := range []struct {
		props map[string]string
		key   string // where the problem must be reported
		warn  bool
	}{
		{with("ssl.keystore.password", "wrong"), "ssl.keystore.location", false},
		{with("ssl.truststore.location", f.OtherCAPEM+".missing"), "ssl.truststore.location", false},
		{with("ssl.truststore.type", "JCEKS"), "ssl.truststore.location", false},
		{with("ssl.enabled.protocols", "TLSv1.1,TLSv1.3"), "ssl.enabled.protocols", false},
		{with("ssl.enabled.protocols", "TLSv1.2,TLSv9"), "ssl.enabled.protocols", true},
		{with("ssl.cipher.suites", "TLS_FANCY_SUITE"), "ssl.cipher.suites", true},
	} {
		cfg := flume.ContextFromMap(tc.props)
		Client(cfg, keys, Global{})
		ps := cfg.Problems()
		if len(ps) == 0 || ps[0].Key != tc.key || (ps[0].Severity == flume.Warning) != tc.warn {
			t.Errorf("%v: problems %v, want one at %s (warning %v)", tc.props, ps, tc.key, tc.warn)
		}
	}
}

// TestGlobalStores: the global javax.net.ssl.* stores apply where the
// component sets nothing, value by value, and the component's own values
// win.
func TestGlobalStores(t *testing.T) {
	f := tlstest.Generate(t)
	global := Global{
		Keystore:   Store{Path: f.KeystoreP12, Password: tlstest.Password, Type: "PKCS12"},
		Truststore: Store{Path: f.OtherCAPEM, Type: "PEM"},
	}
	cfg := flume.ContextFromMap(map[string]string{"ssl": "true"})
	server := Server(cfg, ServerKeys, global)
	if cfg.Err() != nil || server == nil {
		t.Fatalf("server with the global keystore: %v", cfg.Err())
	}
	client := Client(flume.ContextFromMap(map[string]string{"ssl": "true", "truststore": f.CAPEM}), ClientKeys, global)
	if _, err := handshake(t, server, client); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	// The global trust store (the other CA) applies when the component has
	// none, and then the server is not trusted.
	client = Client(flume.ContextFromMap(map[string]string{"ssl": "true"}), ClientKeys, global)
	if _, err := handshake(t, server, client); err == nil {
		t.Fatal("the global truststore was not used")
	}
	// Only the password from the global settings: the component's JKS
	// keystore with the global password.
	cfg = flume.ContextFromMap(map[string]string{"ssl": "true", "keystore": f.KeystoreJKS})
	if Server(cfg, ServerKeys, Global{Keystore: Store{Password: tlstest.Password}}) == nil {
		t.Fatalf("keystore with the global password: %v", cfg.Err())
	}
	// RPC clients have no keystore keys: the global keystore gives them no
	// client certificate.
	if c, _ := ParseClient(flume.ContextFromMap(map[string]string{"ssl": "true"}), ClientKeys, global); c.Keystore.Path != "" {
		t.Fatalf("an RPC client read the global keystore: %+v", c.Keystore)
	}
}

func TestSystemGlobal(t *testing.T) {
	t.Cleanup(sysprop.Reset)
	t.Setenv("FLUME_SSL_KEYSTORE_PATH", "/env/keystore")
	t.Setenv("FLUME_SSL_KEYSTORE_PASSWORD", "env-pw")
	t.Setenv("FLUME_SSL_TRUSTSTORE_TYPE", "PEM")
	sysprop.Set("javax.net.ssl.keyStore", "/prop/keystore")
	sysprop.Set("javax.net.ssl.trustStore", "/prop/truststore")
	g := SystemGlobal()
	want := Global{
		Keystore:   Store{Path: "/prop/keystore", Password: "env-pw"},
		Truststore: Store{Path: "/prop/truststore", Type: "PEM"},
	}
	if g != want {
		t.Fatalf("SystemGlobal() = %+v, want %+v (a -D property before the environment)", g, want)
	}
	if g := GlobalFrom(nil, nil); g != (Global{}) {
		t.Fatalf("GlobalFrom(nil, nil) = %+v", g)
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
	tc = serverConf(t, with("include-cipher-suites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))
	if len(tc.CipherSuites) != 2 || tc.CipherSuites[0] != tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 {
		t.Fatalf("include-cipher-suites: %x", tc.CipherSuites)
	}
	cfg := flume.ContextFromMap(with("include-protocols", "TLSv1.1 TLSv1.3"))
	Server(cfg, ServerKeys, Global{})
	if ps := cfg.Problems(); len(ps) != 1 || ps[0].Key != "exclude-protocols" || ps[0].Severity != flume.Error {
		t.Fatalf("a non-contiguous protocol set: %v", ps)
	}
	cfg = flume.ContextFromMap(with("exclude-protocols", "TLSv1.2 TLSv1.3"))
	Server(cfg, ServerKeys, Global{})
	if ps := cfg.Problems(); len(ps) != 1 || ps[0].Key != "include-protocols" || ps[0].Severity != flume.Error {
		t.Fatalf("no protocol left: %v", ps)
	}
}

func TestMissingKeystoreIsAnError(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"ssl": "true"})
	if Server(cfg, ServerKeys, Global{}) != nil || cfg.Err() == nil ||
		!strings.Contains(cfg.Err().Error(), "keystore: ssl is on but no keystore is configured (set keystore, or -Djavax.net.ssl.keyStore)") {
		t.Fatalf("ssl without a keystore: %v", cfg.Err())
	}
	cfg = flume.ContextFromMap(map[string]string{"ssl": "true", "keystore": "/nonexistent.jks"})
	if Server(cfg, ServerKeys, Global{}) != nil || cfg.Err() == nil || cfg.Problems()[0].Key != "keystore" {
		t.Fatalf("a missing keystore file: %v", cfg.Err())
	}
}

// TestSSLOff: with ssl off nothing is loaded and the TLS keys a
// configuration keeps are not reported as unknown.
func TestSSLOff(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"keystore": "/nonexistent.jks", "keystore-password": "x", "exclude-protocols": "SSLv3"})
	if Server(cfg, ServerKeys, Global{}) != nil || len(cfg.Problems()) != 0 || len(cfg.Unused()) != 0 {
		t.Fatalf("ssl off: problems %v, unused %v", cfg.Problems(), cfg.Unused())
	}
	cfg = flume.ContextFromMap(map[string]string{"ssl": "false", "truststore": "/nonexistent.jks", "trust-all-certs": "true"})
	if Client(cfg, ClientKeys, Global{}) != nil || len(cfg.Problems()) != 0 || len(cfg.Unused()) != 0 {
		t.Fatalf("ssl off: problems %v, unused %v", cfg.Problems(), cfg.Unused())
	}
}
