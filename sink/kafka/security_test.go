package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf"
	"github.com/flumego/flume/internal/kafkatest"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// tlsCluster starts a kfake cluster whose listeners speak TLS with the test
// server certificate (for 127.0.0.1 and localhost, signed by the test CA).
func tlsCluster(t *testing.T, f tlstest.Files, opts ...kfake.Opt) (*kfake.Cluster, *tls.Config) {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(f.ServerCertPEM, f.ServerKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, append(opts, kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}))...)
	ca, err := os.ReadFile(f.CAPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return c, &tls.Config{RootCAs: pool}
}

func TestSSL(t *testing.T) {
	f := tlstest.Generate(t)
	c, readerTLS := tlsCluster(t, f, kfake.SeedTopics(1, "secure"))
	for _, tc := range []struct {
		name  string
		props map[string]string
		ok    bool
	}{
		{"JKS truststore, host name checked", map[string]string{
			"kafka.producer.ssl.truststore.location": f.TruststoreJKS,
			"kafka.producer.ssl.truststore.password": tlstest.Password,
		}, true},
		{"PKCS12 truststore", map[string]string{
			"kafka.producer.ssl.truststore.location": f.TruststoreP12,
			"kafka.producer.ssl.truststore.password": tlstest.Password,
			"kafka.producer.ssl.truststore.type":     "PKCS12",
		}, true},
		{"PEM truststore, host name check off", map[string]string{
			"kafka.producer.ssl.truststore.location":            f.CAPEM,
			"kafka.producer.ssl.truststore.type":                "PEM",
			"kafka.producer.ssl.disableTLSHostnameVerification": "true",
			"kafka.producer.ssl.enabled.protocols":              "TLSv1.2,TLSv1.3",
		}, true},
		{"untrusted CA", map[string]string{
			"kafka.producer.ssl.truststore.location": f.OtherCAPEM,
			"kafka.producer.ssl.truststore.type":     "PEM",
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{
				"kafka.bootstrap.servers":          c.ListenAddrs()[0],
				"kafka.topic":                      "secure",
				"kafka.producer.security.protocol": "SSL",
				"kafka.producer.retries":           "0",
			}
			for k, v := range tc.props {
				props[k] = v
			}
			ch := newChannel(t, 10, 10, []flume.Event{ev(tc.name)})
			s := newSinkFrom(t, props, ch)
			_, err := s.Process(t.Context())
			if tc.ok && err != nil {
				t.Fatalf("process: %v", err)
			}
			if !tc.ok {
				if err == nil {
					t.Fatal("delivered to a broker whose certificate is not trusted")
				}
				if ch.Len() != 1 {
					t.Fatalf("channel holds %d events after the failure", ch.Len())
				}
			}
		})
	}
	got := kafkatest.ReadAll(t, c.ListenAddrs(), "secure", kgo.DialTLSConfig(readerTLS))
	if len(got) != 3 {
		t.Fatalf("%d records over TLS, want 3", len(got))
	}
}

func TestSASL(t *testing.T) {
	f := tlstest.Generate(t)
	scramCluster, readerTLS := tlsCluster(t, f, kfake.SeedTopics(1, "s"), kfake.EnableSASL(),
		kfake.Superuser("SCRAM-SHA-256", "admin", "secret"))
	plainCluster := newCluster(t, kfake.NumBrokers(1), kfake.SeedTopics(1, "s"), kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "alice", "alice-pw"))
	for _, tc := range []struct {
		name    string
		cluster *kfake.Cluster
		props   map[string]string
		ok      bool
	}{
		{"SASL_SSL SCRAM-SHA-256", scramCluster, map[string]string{
			"kafka.producer.security.protocol":       "SASL_SSL",
			"kafka.producer.sasl.mechanism":          "SCRAM-SHA-256",
			"kafka.producer.sasl.jaas.config":        kafkaconf.ScramLoginModule + ` required username="admin" password="secret";`,
			"kafka.producer.ssl.truststore.location": f.TruststoreJKS,
			"kafka.producer.ssl.truststore.password": tlstest.Password,
		}, true},
		{"SASL_SSL SCRAM wrong password", scramCluster, map[string]string{
			"kafka.producer.security.protocol":       "SASL_SSL",
			"kafka.producer.sasl.mechanism":          "SCRAM-SHA-256",
			"kafka.producer.sasl.jaas.config":        kafkaconf.ScramLoginModule + ` required username="admin" password="guess";`,
			"kafka.producer.ssl.truststore.location": f.TruststoreJKS,
			"kafka.producer.ssl.truststore.password": tlstest.Password,
		}, false},
		{"SASL_PLAINTEXT PLAIN", plainCluster, map[string]string{
			"kafka.producer.security.protocol": "SASL_PLAINTEXT",
			"kafka.producer.sasl.mechanism":    "PLAIN",
			"kafka.producer.sasl.jaas.config":  kafkaconf.PlainLoginModule + ` required username="alice" password="alice-pw";`,
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{
				"kafka.bootstrap.servers": tc.cluster.ListenAddrs()[0],
				"kafka.topic":             "s",
				"kafka.producer.retries":  "0",
			}
			for k, v := range tc.props {
				props[k] = v
			}
			ch := newChannel(t, 10, 10, []flume.Event{ev(tc.name)})
			s := newSinkFrom(t, props, ch)
			_, err := s.Process(t.Context())
			if tc.ok != (err == nil) {
				t.Fatalf("process: %v", err)
			}
			if !tc.ok && !strings.Contains(strings.ToLower(err.Error()), "sasl") && !strings.Contains(err.Error(), "uthenticat") {
				t.Logf("failure (not obviously SASL): %v", err)
			}
		})
	}
	got := kafkatest.ReadAll(t, scramCluster.ListenAddrs(), "s", kgo.DialTLSConfig(readerTLS),
		kgo.SASL(scram.Auth{User: "admin", Pass: "secret"}.AsSha256Mechanism()))
	if len(got) != 1 || string(got[0].Value) != "SASL_SSL SCRAM-SHA-256" {
		t.Fatalf("SCRAM cluster holds %v", got)
	}
	got = kafkatest.ReadAll(t, plainCluster.ListenAddrs(), "s", kgo.SASL(plain.Auth{User: "alice", Pass: "alice-pw"}.AsMechanism()))
	if len(got) != 1 {
		t.Fatalf("PLAIN cluster holds %d records", len(got))
	}
}
