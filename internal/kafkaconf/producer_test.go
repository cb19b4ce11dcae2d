package kafkaconf

import (
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
)

func parseProducer(props map[string]string, o ProducerOptions) (Producer, *flume.Context, map[string]int) {
	cfg, lines := agentContext(props)
	return ParseProducer(cfg, o), cfg, lines
}

func TestProducerDefaults(t *testing.T) {
	p, cfg, _ := parseProducer(map[string]string{}, ProducerOptions{Acks: AcksLeader})
	onlyProblems(t, cfg)
	want := Producer{
		Client: Client{Security: Security{Protocol: Plaintext}, RequestTimeout: 30 * time.Second, RetryBackoff: 100 * time.Millisecond,
			MetadataMaxAge: 300 * time.Second, IdleTimeout: 540 * time.Second, DialTimeout: 10 * time.Second},
		Acks: AcksLeader, Compression: CompressionNone, BatchBytes: 16384, MaxRequestSize: 1048576,
		DeliveryTimeout: 120 * time.Second, Retries: 1<<31 - 1,
	}
	if p != want {
		t.Fatalf("defaults\n%+v, want\n%+v", p, want)
	}
	if p, _, _ := parseProducer(map[string]string{}, ProducerOptions{Acks: AcksAll}); p.Acks != AcksAll {
		t.Fatalf("the component's acks default: %d", p.Acks)
	}
}

// Every kafka.producer.* key the Kafka sink accepted before kafkaconf
// existed is still accepted, without a warning, and read into Producer;
// ProducerTable.Mapped lists no key this test does not set.
func TestProducerMappedKeys(t *testing.T) {
	f := tlstest.Generate(t)
	sample := map[string]string{
		"acks":                                  "all",
		"compression.type":                      "LZ4",
		"linger.ms":                             "5",
		"batch.size":                            "32768",
		"max.request.size":                      "2097152",
		"request.timeout.ms":                    "20000",
		"delivery.timeout.ms":                   "60000",
		"retries":                               "3",
		"retry.backoff.ms":                      "200",
		"client.id":                             "flume-1",
		"metadata.max.age.ms":                   "60000",
		"connections.max.idle.ms":               "70000",
		"socket.connection.setup.timeout.ms":    "5000",
		"key.serializer":                        "org.apache.kafka.common.serialization.StringSerializer",
		"value.serializer":                      "org.apache.kafka.common.serialization.ByteArraySerializer",
		"partitioner.class":                     "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
		"enable.idempotence":                    "false",
		"max.in.flight.requests.per.connection": "1",
		"security.protocol":                     "ssl",
		"ssl.protocol":                          "TLSv1.3",
		"ssl.truststore.location":               f.TruststoreJKS,
		"ssl.truststore.password":               tlstest.Password,
		"ssl.truststore.type":                   "JKS",
		"ssl.keystore.location":                 f.KeystoreP12,
		"ssl.keystore.password":                 tlstest.Password,
		"ssl.keystore.type":                     "PKCS12",
		"ssl.key.password":                      tlstest.Password,
		"ssl.enabled.protocols":                 "TLSv1.2,TLSv1.3",
		"ssl.cipher.suites":                     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
		"ssl.endpoint.identification.algorithm": "https",
		"ssl.disableTLSHostnameVerification":    "true",
	}
	props := map[string]string{}
	for k, v := range sample {
		props[ProducerPrefix+k] = v
	}
	p, cfg, _ := parseProducer(props, ProducerOptions{Acks: AcksLeader})
	onlyProblems(t, cfg)
	if p.Acks != AcksAll || p.Compression != CompressionLz4 || p.Linger != 5*time.Millisecond || p.BatchBytes != 32768 ||
		p.MaxRequestSize != 2097152 || p.RequestTimeout != 20*time.Second || p.DeliveryTimeout != time.Minute || p.Retries != 3 ||
		p.RetryBackoff != 200*time.Millisecond || p.ClientID != "flume-1" || p.MetadataMaxAge != time.Minute ||
		p.IdleTimeout != 70*time.Second || p.DialTimeout != 5*time.Second {
		t.Errorf("producer %+v", p)
	}
	tc := p.Security.TLS
	if p.Security.Protocol != SSL || tc == nil || len(tc.Certificates) != 1 || len(tc.CipherSuites) != 1 || !tc.InsecureSkipVerify {
		t.Errorf("security %+v (TLS %+v)", p.Security, tc)
	}

	// The SASL keys, and bootstrap.servers (accepted with a warning, as
	// before), are tested elsewhere.
	for k := range ProducerTable.Mapped {
		switch k {
		case "sasl.mechanism", "sasl.jaas.config", "sasl.kerberos.*", "bootstrap.servers":
			continue
		}
		if _, ok := sample[k]; !ok {
			t.Errorf("ProducerTable.Mapped lists %s, which this test does not set", k)
		}
	}
}

// The keys Java's producer knows and flumego's has no use for draw a
// warning at their key that says so, and nothing else.
func TestProducerNoEffectKeys(t *testing.T) {
	if len(ProducerTable.NoEffect) < 20 {
		t.Fatalf("only %d no-effect keys", len(ProducerTable.NoEffect))
	}
	for k := range ProducerTable.NoEffect {
		_, cfg, lines := parseProducer(map[string]string{ProducerPrefix + k: "1"}, ProducerOptions{})
		onlyProblems(t, cfg, ProducerPrefix+k)
		if p := problemAt(t, cfg, ProducerPrefix+k); !strings.Contains(p.Message, "has no effect") || p.Line != lines[ProducerPrefix+k] {
			t.Errorf("%s: %v", k, p)
		}
	}
	_, cfg, _ := parseProducer(map[string]string{ProducerPrefix + "no.such.setting": "1", ProducerPrefix + "bootstrap.servers": "h:1"}, ProducerOptions{})
	onlyProblems(t, cfg, ProducerPrefix+"no.such.setting", ProducerPrefix+"bootstrap.servers")
	if p := problemAt(t, cfg, ProducerPrefix+"no.such.setting"); !strings.Contains(p.Message, "unknown Kafka producer property") {
		t.Errorf("unknown key: %v", p)
	}
}

// What flumego cannot do is an error matching flume.ErrUnsupported at the
// user's key, never a silent downgrade.
func TestProducerUnsupported(t *testing.T) {
	f := tlstest.Generate(t)
	cases := map[string]map[string]string{
		"enable.idempotence": {"enable.idempotence": "true"},
		"key.serializer":     {"key.serializer": "com.example.Ser"},
		"value.serializer":   {"value.serializer": "io.confluent.kafka.serializers.KafkaAvroSerializer"},
		"partitioner.class":  {"partitioner.class": "com.example.MyPartitioner"},
		"sasl.mechanism":     {"security.protocol": "SASL_PLAINTEXT"}, // GSSAPI by default
		"ssl.key.password": {"security.protocol": "SSL", "ssl.keystore.location": f.KeystoreJKS,
			"ssl.keystore.password": tlstest.Password, "ssl.key.password": "other"},
	}
	for k := range ProducerTable.Unsupported {
		cases[k] = map[string]string{k: "x"}
	}
	for key, kv := range cases {
		props := map[string]string{}
		for k, v := range kv {
			props[ProducerPrefix+k] = v
		}
		_, cfg, lines := parseProducer(props, ProducerOptions{})
		unsupportedAt(t, cfg, lines, ProducerPrefix+key)
	}
}

func TestProducerErrors(t *testing.T) {
	for _, tc := range []struct {
		key, value, want string
	}{
		{"acks", "2", "expected 0, 1, -1 or all"},
		{"compression.type", "brotli", "expected none, gzip, snappy, lz4 or zstd"},
		{"request.timeout.ms", "0", "greater than 0"},
		{"retries", "-1", "at least 0"},
		{"batch.size", "x", "expected an integer"},
		{"max.request.size", "0", "greater than 0"},
		{"security.protocol", "TLS", "expected PLAINTEXT, SSL"},
	} {
		_, cfg, lines := parseProducer(map[string]string{ProducerPrefix + tc.key: tc.value}, ProducerOptions{})
		p := problemAt(t, cfg, ProducerPrefix+tc.key)
		if p.Severity != flume.Error || !strings.Contains(p.Message, tc.want) || p.Line != lines[ProducerPrefix+tc.key] {
			t.Errorf("%s = %s: %v, want an error %q at line %d", tc.key, tc.value, p, tc.want, lines[ProducerPrefix+tc.key])
		}
	}
	_, cfg, _ := parseProducer(map[string]string{ProducerPrefix + "request.timeout.ms": "5000", ProducerPrefix + "delivery.timeout.ms": "1000"}, ProducerOptions{})
	if p := problemAt(t, cfg, ProducerPrefix+"delivery.timeout.ms"); !strings.Contains(p.Message, "at least request.timeout.ms (5000)") {
		t.Errorf("delivery < request timeout: %v", p)
	}
}

// The sink's deprecated requiredAcks applies when kafka.producer.acks is
// absent, and the error is reported at the key the user wrote.
func TestProducerOldAcks(t *testing.T) {
	o := ProducerOptions{Acks: AcksLeader, OldAcksKey: "requiredAcks"}
	p, cfg, _ := parseProducer(map[string]string{"requiredAcks": "-1"}, o)
	if p.Acks != AcksAll || cfg.Err() != nil {
		t.Fatalf("requiredAcks -1: %d %v", p.Acks, cfg.Err())
	}
	p, _, _ = parseProducer(map[string]string{"requiredAcks": "-1", ProducerPrefix + "acks": "0"}, o)
	if p.Acks != AcksNone {
		t.Fatalf("kafka.producer.acks must win: %d", p.Acks)
	}
	_, cfg, lines := parseProducer(map[string]string{"requiredAcks": "most"}, o)
	if p := problemAt(t, cfg, "requiredAcks"); p.Severity != flume.Error || p.Line != lines["requiredAcks"] {
		t.Fatalf("bad requiredAcks: %v", p)
	}
}
