package kafkaconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
)

func parseSecurity(props map[string]string, g Globals) (Security, *flume.Context, map[string]int) {
	cfg, lines := agentContext(props)
	return ParseSecurity(cfg, g), cfg, lines
}

func TestSASLFromJAASConfig(t *testing.T) {
	s, cfg, _ := parseSecurity(map[string]string{
		"security.protocol": "sasl_plaintext",
		"sasl.mechanism":    "plain",
		"sasl.jaas.config":  PlainLoginModule + ` required username="alice" password='s3"cr;t';`,
	}, Globals{})
	if cfg.Err() != nil || s.Protocol != SASLPlaintext || s.TLS != nil ||
		s.SASL == nil || *s.SASL != (SASL{Mechanism: MechanismPlain, Username: "alice", Password: `s3"cr;t`}) {
		t.Fatalf("%+v %v", s, cfg.Err())
	}
	// A module that does not match the mechanism: its credentials, with a
	// warning.
	s, cfg, lines := parseSecurity(map[string]string{
		"security.protocol": "SASL_PLAINTEXT",
		"sasl.mechanism":    "SCRAM-SHA-512",
		"sasl.jaas.config":  PlainLoginModule + ` required username="bob" password="pw";`,
	}, Globals{})
	if cfg.Err() != nil || s.SASL == nil || s.SASL.Mechanism != MechanismScramSHA512 || s.SASL.Username != "bob" {
		t.Fatalf("%+v %v", s, cfg.Err())
	}
	if p := problemAt(t, cfg, "sasl.jaas.config"); p.Severity != flume.Warning || p.Line != lines["sasl.jaas.config"] {
		t.Fatalf("mismatched module: %v", p)
	}
	for _, tc := range []struct {
		props map[string]string
		key   string
	}{
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256"}, "sasl.jaas.config"},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": "broken"}, "sasl.jaas.config"},
		{map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": PlainLoginModule + ` required password="x";`}, "sasl.jaas.config"},
	} {
		_, cfg, _ := parseSecurity(tc.props, Globals{})
		if p := problemAt(t, cfg, tc.key); p.Severity != flume.Error {
			t.Errorf("%v: %v", tc.props, p)
		}
	}
}

// The KafkaClient section of -Djava.security.auth.login.config, passed in
// as Globals.LoginConfig, stands in for sasl.jaas.config.
func TestSASLFromLoginConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "jaas.conf")
	if err := os.WriteFile(file, []byte(`KafkaClient { `+ScramLoginModule+` required username="bob" password="pw"; };`), 0o600); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256"}
	s, cfg, _ := parseSecurity(props, Globals{LoginConfig: file})
	if cfg.Err() != nil || s.SASL == nil || *s.SASL != (SASL{Mechanism: MechanismScramSHA256, Username: "bob", Password: "pw"}) {
		t.Fatalf("%+v %v", s, cfg.Err())
	}
	_, cfg, _ = parseSecurity(props, Globals{LoginConfig: file + ".missing"})
	if p := problemAt(t, cfg, "sasl.mechanism"); p.Severity != flume.Error || !strings.Contains(p.Message, "java.security.auth.login.config") {
		t.Fatalf("missing JAAS file: %v", p)
	}
}

// GSSAPI (Kafka's default mechanism) and unknown mechanisms are refused as
// unsupported; the sasl.kerberos.* keys then draw nothing more, and without
// GSSAPI they draw a warning that they have no effect.
func TestKerberos(t *testing.T) {
	for _, mech := range []string{"", "GSSAPI", "OAUTHBEARER"} {
		props := map[string]string{"security.protocol": "SASL_SSL", "sasl.kerberos.service.name": "kafka", "ssl.truststore.location": "/unused"}
		if mech != "" {
			props["sasl.mechanism"] = mech
		}
		_, cfg, lines := parseSecurity(props, Globals{})
		unsupportedAt(t, cfg, lines, "sasl.mechanism")
		if mech == "OAUTHBEARER" {
			continue
		}
		for _, p := range cfg.Problems() {
			if strings.Contains(p.Key, "kerberos") {
				t.Errorf("%s: %v", mech, p)
			}
		}
	}
	_, cfg, _ := parseSecurity(map[string]string{"sasl.kerberos.service.name": "kafka"}, Globals{})
	if p := problemAt(t, cfg, "sasl.kerberos.service.name"); p.Severity != flume.Warning || !strings.Contains(p.Message, "uses no SASL") {
		t.Fatalf("kerberos keys without SASL: %v", p)
	}
}

// TLS problems are located at the Kafka keys the user wrote; the host name
// is checked unless Flume's switch turns the check off; the global key and
// trust stores fill what the component leaves unset, as Flume's
// KafkaSSLUtil does, the key store included.
func TestTLS(t *testing.T) {
	f := tlstest.Generate(t)
	base := map[string]string{"security.protocol": "SSL", "ssl.truststore.location": f.CAPEM}
	s, cfg, _ := parseSecurity(base, Globals{})
	if cfg.Err() != nil || s.TLS == nil || s.TLS.InsecureSkipVerify || s.TLS.RootCAs == nil {
		t.Fatalf("default must verify the host name: %v %+v", cfg.Err(), s.TLS)
	}
	s, _, _ = parseSecurity(with(base, "ssl.disableTLSHostnameVerification", "true"), Globals{})
	if !s.TLS.InsecureSkipVerify || s.TLS.VerifyPeerCertificate == nil {
		t.Fatalf("disableTLSHostnameVerification must keep the chain check only: %+v", s.TLS)
	}
	for _, tc := range []struct {
		props map[string]string
		key   string
	}{
		{with(base, "ssl.truststore.location", "/nonexistent"), "ssl.truststore.location"},
		{with(base, "ssl.keystore.location", f.KeystoreJKS, "ssl.keystore.password", "wrong"), "ssl.keystore.location"},
		{with(base, "ssl.enabled.protocols", "TLSv1.1,TLSv1.3"), "ssl.enabled.protocols"},
		{with(base, "ssl.endpoint.identification.algorithm", "ldaps"), "ssl.endpoint.identification.algorithm"},
	} {
		_, cfg, lines := parseSecurity(tc.props, Globals{})
		if p := problemAt(t, cfg, tc.key); p.Severity != flume.Error || p.Line != lines[tc.key] {
			t.Errorf("%v: %v, want an error at line %d", tc.props, p, lines[tc.key])
		}
	}

	global := Globals{TLS: tlsconf.Global{
		Keystore:   tlsconf.Store{Path: f.KeystoreP12, Password: tlstest.Password, Type: "PKCS12"},
		Truststore: tlsconf.Store{Path: f.TruststoreJKS, Password: tlstest.Password},
	}}
	s, cfg, _ = parseSecurity(map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
		"sasl.jaas.config": PlainLoginModule + ` required username="u" password="p";`}, global)
	if cfg.Err() != nil || s.TLS == nil || len(s.TLS.Certificates) != 1 || s.TLS.RootCAs == nil || s.SASL == nil {
		t.Fatalf("global stores: %v %+v", cfg.Err(), s)
	}
}

func TestBrokers(t *testing.T) {
	cfg, _ := agentContext(map[string]string{KeyBootstrap: " b1:9092, b2:9093 ,"})
	if b := ParseBrokers(cfg, "brokerList"); strings.Join(b, " ") != "b1:9092 b2:9093" || cfg.Err() != nil {
		t.Fatalf("%q %v", b, cfg.Err())
	}
	cfg, _ = agentContext(map[string]string{"brokerList": "old:1"})
	if b := ParseBrokers(cfg, "brokerList"); len(b) != 1 || b[0] != "old:1" {
		t.Fatalf("old name: %q", b)
	}
	cfg, _ = agentContext(map[string]string{"brokerList": "old:1", KeyBootstrap: "new:2"})
	if b := ParseBrokers(cfg, "brokerList"); len(b) != 1 || b[0] != "new:2" || len(cfg.Unused()) != 0 {
		t.Fatalf("the new name must win: %q, unused %v", b, cfg.Unused())
	}
	for _, tc := range []struct {
		props    map[string]string
		old, key string
		want     string
	}{
		{map[string]string{}, "", KeyBootstrap, "Bootstrap Servers must be specified"},
		{map[string]string{}, "brokerList", KeyBootstrap, "or the deprecated brokerList"},
		{map[string]string{"brokerList": "nohost"}, "brokerList", "brokerList", "not a host:port address"},
		{map[string]string{KeyBootstrap: "h:99999"}, "", KeyBootstrap, "not a port number"},
		{map[string]string{KeyBootstrap: ", ,"}, "", KeyBootstrap, "no broker address"},
	} {
		cfg, _ := agentContext(tc.props)
		ParseBrokers(cfg, tc.old)
		if p := problemAt(t, cfg, tc.key); p.Severity != flume.Error || !strings.Contains(p.Message, tc.want) {
			t.Errorf("%v: %v, want %q", tc.props, p, tc.want)
		}
	}
}

func TestRenamesAndObsoleteKeys(t *testing.T) {
	cfg, _ := agentContext(map[string]string{"topic": "t", "kafka.topic": "t2", "batchSize": "5",
		"kafka.flumeBatchSize": "9", "kafka.producer.type": "sync"})
	WarnRenamed(cfg, SinkRenames)
	IgnoreObsolete(cfg, ObsoleteSinkKeys)
	if p := problemAt(t, cfg, "topic"); !strings.Contains(p.Message, "deprecated and ignored: kafka.topic is set") {
		t.Errorf("topic: %v", p)
	}
	if p := problemAt(t, cfg, "batchSize"); !strings.Contains(p.Message, "deprecated: use flumeBatchSize") {
		t.Errorf("batchSize: %v", p)
	}
	if p := problemAt(t, cfg, "kafka.flumeBatchSize"); !strings.Contains(p.Message, "ignored, as Flume 1.11 ignores it: use flumeBatchSize") {
		t.Errorf("kafka.flumeBatchSize: %v", p)
	}
	// The obsolete kafka.producer.type is not reported again as an unknown
	// producer property.
	ParseProducer(cfg, ProducerOptions{})
	n := 0
	for _, p := range cfg.Problems() {
		if strings.HasSuffix(p.Key, "kafka.producer.type") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d problems about kafka.producer.type, want 1:\n%v", n, cfg.Problems())
	}
}
