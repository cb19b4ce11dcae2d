package kafkagoconf

import (
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/kafkaconf"
	kafkago "github.com/segmentio/kafka-go"
)

func producer(t *testing.T, props map[string]string) Producer {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	p, err := NewProducer(kafkaconf.ParseProducer(cfg, kafkaconf.ProducerOptions{Acks: kafkaconf.AcksLeader}))
	if err != nil || cfg.Err() != nil {
		t.Fatalf("%v %v", err, cfg.Err())
	}
	return p
}

// kafka-go counts attempts where Java bounds a record's delivery by time:
// as many attempts as failing requests fit in delivery.timeout.ms, fewer
// when retries says so; metadata is refreshed at least every 6 s.
func TestProducerConversion(t *testing.T) {
	p := producer(t, nil)
	if p.Acks != kafkago.RequireOne || p.Compression != 0 || p.MaxAttempts != 5 || p.MetadataTTL != MaxMetadataTTL ||
		p.StickyBytes != 16384 || p.MaxRequestSize != 1048576 || p.WriteBackoffMax() != time.Second || p.Security.Protocol != "PLAINTEXT" {
		t.Fatalf("defaults: %+v", p)
	}
	p = producer(t, map[string]string{
		"kafka.producer.acks": "all", "kafka.producer.compression.type": "snappy",
		"kafka.producer.request.timeout.ms": "2000", "kafka.producer.delivery.timeout.ms": "9000",
		"kafka.producer.retries": "100", "kafka.producer.metadata.max.age.ms": "1000", "kafka.producer.retry.backoff.ms": "2500",
	})
	if p.Acks != kafkago.RequireAll || p.Compression != kafkago.Snappy || p.MaxAttempts != 5 || p.MetadataTTL != time.Second ||
		p.WriteBackoffMax() != 2500*time.Millisecond {
		t.Fatalf("mapped: %+v", p)
	}
	if p := producer(t, map[string]string{"kafka.producer.retries": "0"}); p.MaxAttempts != 1 {
		t.Fatalf("retries 0: %d attempts", p.MaxAttempts)
	}
	for c, want := range map[kafkaconf.Compression]kafkago.Compression{
		kafkaconf.CompressionGzip: kafkago.Gzip, kafkaconf.CompressionLz4: kafkago.Lz4, kafkaconf.CompressionZstd: kafkago.Zstd,
	} {
		if Compression(c) != want {
			t.Errorf("%s: %v", c, Compression(c))
		}
	}
	if Acks(kafkaconf.AcksNone) != kafkago.RequireNone {
		t.Error("acks 0")
	}
}

func TestSASL(t *testing.T) {
	for _, mech := range []string{kafkaconf.MechanismPlain, kafkaconf.MechanismScramSHA256, kafkaconf.MechanismScramSHA512} {
		m, err := SASL(kafkaconf.SASL{Mechanism: mech, Username: "u", Password: "p"})
		if err != nil || m.Name() != mech {
			t.Errorf("%s: %v %v", mech, m, err)
		}
	}
	if _, err := SASL(kafkaconf.SASL{Mechanism: "GSSAPI"}); err == nil {
		t.Error("GSSAPI accepted")
	}
	// SCRAM refuses names SASLprep cannot prepare; the sink reports that
	// as a configuration error.
	if _, err := NewSecurity(kafkaconf.Security{SASL: &kafkaconf.SASL{Mechanism: kafkaconf.MechanismScramSHA256, Username: "\u0007", Password: "p"}}); err == nil {
		t.Error("a SCRAM user name SASLprep refuses was accepted")
	}
}
