package builtin

import (
	"testing"

	"github.com/flumego/flume"
)

// TestFlumeTypeNames checks the registry against Flume's alias table: the
// short names in any case and the exact class names.
func TestFlumeTypeNames(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"memory", "MEMORY", "Memory", "org.apache.flume.channel.MemoryChannel"} {
		if _, canonical, err := r.Channel(typ); err != nil || canonical != "memory" {
			t.Errorf("channel %q: %q, %v", typ, canonical, err)
		}
	}
	for typ, want := range map[string]string{
		"exec": "exec", "EXEC": "exec", "org.apache.flume.source.ExecSource": "exec",
		"seq": "seq", "org.apache.flume.source.SequenceGeneratorSource": "seq",
		"spooldir": "spooldir", "spoolDir": "spooldir", "org.apache.flume.source.SpoolDirectorySource": "spooldir",
		"TAILDIR": "TAILDIR", "taildir": "TAILDIR", "org.apache.flume.source.taildir.TaildirSource": "TAILDIR",
	} {
		if _, canonical, err := r.Source(typ); err != nil || canonical != want {
			t.Errorf("source %q: %q, %v", typ, canonical, err)
		}
	}
	for typ, want := range map[string]string{
		"logger": "logger", "org.apache.flume.sink.LoggerSink": "logger", "null": "null", "NULL": "null",
		"org.apache.flume.sink.NullSink": "null", "file_roll": "file_roll", "FILE_ROLL": "file_roll",
		"org.apache.flume.sink.RollingFileSink": "file_roll", "hdfs": "hdfs", "HDFS": "hdfs",
		"org.apache.flume.sink.hdfs.HDFSEventSink": "hdfs",
	} {
		if _, canonical, err := r.Sink(typ); err != nil || canonical != want {
			t.Errorf("sink %q: %q, %v", typ, canonical, err)
		}
	}
	type lookup func(string) (string, error)
	for kind, tc := range map[flume.Kind]struct {
		get   lookup
		names map[string]string
	}{
		flume.KindChannelSelector: {
			func(n string) (string, error) { _, c, err := r.ChannelSelector(n); return c, err },
			map[string]string{
				"replicating": "replicating", "REPLICATING": "replicating", "org.apache.flume.channel.ReplicatingChannelSelector": "replicating",
				"multiplexing": "multiplexing", "org.apache.flume.channel.MultiplexingChannelSelector": "multiplexing",
				"load_balancing": "load_balancing", "org.apache.flume.channel.LoadBalancingChannelSelector": "load_balancing",
			},
		},
		flume.KindSinkProcessor: {
			func(n string) (string, error) { _, c, err := r.SinkProcessor(n); return c, err },
			map[string]string{
				"default": "default", "org.apache.flume.sink.DefaultSinkProcessor": "default",
				"failover": "failover", "Failover": "failover", "org.apache.flume.sink.FailoverSinkProcessor": "failover",
				"load_balance": "load_balance", "org.apache.flume.sink.LoadBalancingSinkProcessor": "load_balance",
			},
		},
		flume.KindEventSerializer: {
			func(n string) (string, error) { _, c, err := r.EventSerializer(n); return c, err },
			map[string]string{
				"TEXT": "text", "org.apache.flume.serialization.BodyTextEventSerializer$Builder": "text",
				"HEADER_AND_TEXT": "header_and_text", "org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder": "header_and_text",
				"AVRO_EVENT": "avro_event", "org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder": "avro_event",
				"org.apache.flume.sink.hdfs.AvroEventSerializer$Builder": "org.apache.flume.sink.hdfs.AvroEventSerializer$Builder",
			},
		},
		flume.KindEventDeserializer: {
			func(n string) (string, error) { _, c, err := r.EventDeserializer(n); return c, err },
			map[string]string{
				"LINE": "LINE", "line": "LINE", "org.apache.flume.serialization.LineDeserializer$Builder": "LINE",
				"AVRO": "AVRO", "org.apache.flume.serialization.AvroEventDeserializer$Builder": "AVRO",
				"org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder": "org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder",
			},
		},
	} {
		for n, want := range tc.names {
			if canonical, err := tc.get(n); err != nil || canonical != want {
				t.Errorf("%s %q: %q, %v", kind, n, canonical, err)
			}
		}
	}
	// Class names match exactly, as Java class loading does.
	if _, _, err := r.Channel("org.apache.flume.channel.memorychannel"); err == nil {
		t.Error("a class name matched case-insensitively")
	}
	if err := Register(r); err == nil {
		t.Error("registering the built-ins twice was accepted")
	}
}
