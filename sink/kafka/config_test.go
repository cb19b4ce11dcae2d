package kafka

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/sysprop"
	kafkago "github.com/segmentio/kafka-go"
)

func parse(t *testing.T, props map[string]string) (Config, *flume.Context) {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	return ParseConfig(cfg), cfg
}

func TestDefaults(t *testing.T) {
	c, cfg := parse(t, map[string]string{"kafka.bootstrap.servers": "b1:9092, b2:9093"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Topic != DefaultTopic || c.BatchSize != 100 || c.Producer.Acks != kafkago.RequireOne ||
		c.UseFlumeEventFormat || !c.AllowTopicOverride || c.TopicHeader != "topic" ||
		c.HasStaticPartition || c.PartitionHeader != "" || c.TimestampHeader != "" || c.RecordHeaders != HeadersMapped {
		t.Errorf("defaults: %+v", c)
	}
	if strings.Join(c.Brokers, " ") != "b1:9092 b2:9093" {
		t.Errorf("brokers %q", c.Brokers)
	}
	p := c.Producer
	if p.MaxRequestSize != 1048576 || p.StickyBytes != 16384 || p.RequestTimeout != 30*time.Second ||
		p.DeliveryTimeout != 120*time.Second || p.MaxAttempts != 5 || p.Security.Protocol != "PLAINTEXT" {
		t.Errorf("producer defaults: %+v", p)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}
	if ps := cfg.Problems(); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
}

// Deprecated names apply only when the new name is absent, each with a
// warning, exactly as Flume's translateOldProps.
func TestDeprecatedNames(t *testing.T) {
	c, cfg := parse(t, map[string]string{
		"brokerList": "old:1", "topic": "old-topic", "batchSize": "7", "requiredAcks": "-1",
		"serializer.class": "kafka.serializer.DefaultEncoder", "key.serializer.class": "kafka.serializer.StringEncoder",
	})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Brokers[0] != "old:1" || c.Topic != "old-topic" || c.BatchSize != 7 || c.Producer.Acks != kafkago.RequireAll {
		t.Errorf("old names not applied: %+v", c)
	}
	out := problems(cfg)
	for _, k := range []string{"brokerList", "topic", "batchSize", "requiredAcks", "serializer.class", "key.serializer.class"} {
		if !strings.Contains(out, "warning: "+k+": ") {
			t.Errorf("no warning for %s:\n%s", k, out)
		}
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused keys: %v", u)
	}

	c, cfg = parse(t, map[string]string{
		"brokerList": "old:1", "kafka.bootstrap.servers": "new:2",
		"topic": "old", "kafka.topic": "new",
		"batchSize": "7", "flumeBatchSize": "9",
		"requiredAcks": "-1", "kafka.producer.acks": "0",
	})
	if c.Brokers[0] != "new:2" || c.Topic != "new" || c.BatchSize != 9 || c.Producer.Acks != kafkago.RequireNone {
		t.Errorf("new names must win: %+v", c)
	}
	if out := problems(cfg); strings.Count(out, "deprecated and ignored") != 4 {
		t.Errorf("want 4 'ignored' warnings:\n%s", out)
	}
}

// Flume 1.11 ignores the kafka.-prefixed names of its old sink (the user
// guide's kafka.flumeBatchSize among them); so do we, with a warning.
func TestOldKafkaPrefixedNamesIgnored(t *testing.T) {
	c, cfg := parse(t, map[string]string{
		"kafka.bootstrap.servers": "b:1", "kafka.flumeBatchSize": "5", "kafka.request.required.acks": "0",
		"kafka.producer.type": "sync",
	})
	if c.BatchSize != 100 || c.Producer.Acks != kafkago.RequireOne {
		t.Errorf("kafka.-prefixed old names must have no effect: %+v", c)
	}
	out := problems(cfg)
	if !strings.Contains(out, "kafka.flumeBatchSize: \"5\": a property of Flume's old Kafka sink; ignored, as Flume 1.11 ignores it: use flumeBatchSize") {
		t.Errorf("warnings:\n%s", out)
	}
	if !strings.Contains(out, "kafka.request.required.acks") || strings.Count(out, "kafka.producer.type") != 1 {
		t.Errorf("want one warning each:\n%s", out)
	}
	if cfg.Err() != nil || len(cfg.Unused()) != 0 {
		t.Errorf("err %v unused %v", cfg.Err(), cfg.Unused())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, "Bootstrap Servers must be specified"},
		{map[string]string{"kafka.bootstrap.servers": "nohost"}, "not a host:port address"},
		{map[string]string{"kafka.bootstrap.servers": "h:99999"}, "not a port number"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "flumeBatchSize": "0"}, "greater than 0"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "flumeBatchSize": "ten"}, "expected an integer"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "kafka.producer.acks": "2"}, "expected 0, 1, -1 or all"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "requiredAcks": "most"}, "requiredAcks: \"most\": expected 0, 1, -1 or all"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "defaultPartitionId": "x"}, "expected an integer"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "kafka.producer.compression.type": "brotli"}, "expected none, gzip"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "kafka.producer.security.protocol": "TLS"}, "expected PLAINTEXT, SSL"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "kafka.producer.request.timeout.ms": "5000", "kafka.producer.delivery.timeout.ms": "1000"}, "at least request.timeout.ms"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "kafkaRecordHeaders": "some"}, "expected one of mapped, all"},
		{map[string]string{"kafka.bootstrap.servers": "h:1", "header.x": ""}, ""}, // empty values never reach a Context from a file
	} {
		c, cfg := parse(t, tc.props)
		_ = c
		err := cfg.Err()
		if tc.want == "" {
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.props, err, tc.want)
		}
	}
}

// Every kafka.producer.* key is mapped, accepted, rejected or warned about
// by name; none is dropped silently.
func TestProducerProperties(t *testing.T) {
	c, cfg := parse(t, map[string]string{
		"kafka.bootstrap.servers":                              "h:1",
		"kafka.producer.acks":                                  "all",
		"kafka.producer.compression.type":                      "zstd",
		"kafka.producer.linger.ms":                             "50",
		"kafka.producer.batch.size":                            "1000",
		"kafka.producer.max.request.size":                      "2000000",
		"kafka.producer.request.timeout.ms":                    "2000",
		"kafka.producer.delivery.timeout.ms":                   "9000",
		"kafka.producer.retries":                               "100",
		"kafka.producer.retry.backoff.ms":                      "250",
		"kafka.producer.client.id":                             "me",
		"kafka.producer.metadata.max.age.ms":                   "1000",
		"kafka.producer.max.in.flight.requests.per.connection": "1",
		"kafka.producer.buffer.memory":                         "33554432",
		"kafka.producer.sasl.kerberos.service.name":            "kafka",
		"kafka.producer.no.such.setting":                       "1",
		"kafka.producer.bootstrap.servers":                     "ignored:1",
	})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	p := c.Producer
	if p.Acks != kafkago.RequireAll || p.Compression != kafkago.Zstd || p.StickyBytes != 1000 || p.MaxRequestSize != 2000000 ||
		p.RequestTimeout != 2*time.Second || p.DeliveryTimeout != 9*time.Second || p.MaxAttempts != 5 ||
		p.RetryBackoff != 250*time.Millisecond || p.ClientID != "me" || p.MetadataTTL != time.Second {
		t.Errorf("producer: %+v", p)
	}
	out := problems(cfg)
	for _, want := range []string{
		"warning: kafka.producer.no.such.setting: \"1\": unknown Kafka producer property",
		"warning: kafka.producer.buffer.memory: \"33554432\": has no effect",
		"warning: kafka.producer.sasl.kerberos.service.name: \"kafka\": has no effect",
		"warning: kafka.producer.bootstrap.servers: \"ignored:1\": ignored",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "linger.ms") || strings.Contains(out, "max.in.flight") {
		t.Errorf("mapped settings drew warnings:\n%s", out)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Errorf("unused: %v", u)
	}
	c, _ = parse(t, map[string]string{"kafka.bootstrap.servers": "h:1", "kafka.producer.retries": "0"})
	if c.Producer.MaxAttempts != 1 {
		t.Errorf("retries 0: %d attempts", c.Producer.MaxAttempts)
	}
}

// What kafka-go cannot do is an error wrapping flume.ErrUnsupported, never a
// silent downgrade.
func TestUnsupportedProducerSettings(t *testing.T) {
	for key, val := range map[string]string{
		"kafka.producer.enable.idempotence":          "true",
		"kafka.producer.transactional.id":            "tx",
		"kafka.producer.partitioner.class":           "com.example.MyPartitioner",
		"kafka.producer.value.serializer":            "com.example.AvroSerializer",
		"kafka.producer.interceptor.classes":         "com.example.I",
		"kafka.producer.security.protocol":           "SASL_PLAINTEXT", // GSSAPI by default
		"kafka.producer.ssl.truststore.certificates": "-----BEGIN CERTIFICATE-----",
	} {
		props := map[string]string{"kafka.bootstrap.servers": "h:1", key: val}
		if strings.HasSuffix(key, "certificates") {
			props["kafka.producer.security.protocol"] = "SSL"
		}
		_, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(props), nil)
		if !errors.Is(err, flume.ErrUnsupported) {
			t.Errorf("%s = %s: error %v, want ErrUnsupported", key, val, err)
		}
	}
	_, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(map[string]string{
		"kafka.bootstrap.servers": "h:1", "kafka.producer.enable.idempotence": "false",
		"kafka.producer.partitioner.class": "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
	}), nil)
	if err != nil {
		t.Errorf("Java's defaults must be accepted: %v", err)
	}
}

func TestSASLConfig(t *testing.T) {
	c, cfg := parse(t, map[string]string{
		"kafka.bootstrap.servers":          "h:1",
		"kafka.producer.security.protocol": "sasl_plaintext",
		"kafka.producer.sasl.mechanism":    "PLAIN",
		"kafka.producer.sasl.jaas.config":  `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password='s3"cr;t';`,
	})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Producer.Security.Protocol != "SASL_PLAINTEXT" || c.Producer.Security.SASL == nil || c.Producer.Security.SASL.Name() != "PLAIN" {
		t.Fatalf("security %+v", c.Producer.Security)
	}
	_, cfg = parse(t, map[string]string{
		"kafka.bootstrap.servers":          "h:1",
		"kafka.producer.security.protocol": "SASL_PLAINTEXT",
		"kafka.producer.sasl.mechanism":    "SCRAM-SHA-512",
	})
	if err := cfg.Err(); err == nil || !strings.Contains(err.Error(), "sasl.jaas.config: required") {
		t.Errorf("missing JAAS: %v", err)
	}

	// The KafkaClient section of -Djava.security.auth.login.config.
	dir := t.TempDir()
	file := filepath.Join(dir, "jaas.conf")
	if err := os.WriteFile(file, []byte(`// Flume's JAAS file
Client { com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true; };
KafkaClient {
  org.apache.kafka.common.security.scram.ScramLoginModule required
  username="bob" /* the producer */ password="pw";
};
`), 0o600); err != nil {
		t.Fatal(err)
	}
	sysprop.Set("java.security.auth.login.config", file)
	t.Cleanup(sysprop.Reset)
	c, cfg = parse(t, map[string]string{
		"kafka.bootstrap.servers":          "h:1",
		"kafka.producer.security.protocol": "SASL_PLAINTEXT",
		"kafka.producer.sasl.mechanism":    "SCRAM-SHA-256",
	})
	if err := cfg.Err(); err != nil || c.Producer.Security.SASL == nil || c.Producer.Security.SASL.Name() != "SCRAM-SHA-256" {
		t.Fatalf("JAAS file: %v %+v", err, c.Producer.Security)
	}
}
