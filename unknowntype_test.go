package flume

import (
	"errors"
	"testing"
)

// TestUnknownTypeMessages: a lookup miss says plainly what the type is: a
// Flume component flumego lacks (matching ErrUnsupported), a Java class
// (to be rewritten as a Go plugin, and nothing more is guessed), or an
// unknown short name with the known ones.
func TestUnknownTypeMessages(t *testing.T) {
	r := NewRegistry()
	f := func(Settings, *Context, Channel) (Sink, error) { return nil, nil }
	if err := r.RegisterSink("logger", f, "org.apache.flume.sink.LoggerSink"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ, want   string
		unsupported bool
	}{
		{"hdfs", `unknown sink type "hdfs": a Flume 1.11 sink that flumego does not implement (known: logger, or a registered class name)`, true},
		{"HDFS", `unknown sink type "HDFS": a Flume 1.11 sink that flumego does not implement (known: logger, or a registered class name)`, true},
		{"org.apache.flume.sink.kafka.KafkaSink", `unknown sink type "org.apache.flume.sink.kafka.KafkaSink": a Flume 1.11 sink that flumego does not implement (known: logger, or a registered class name)`, true},
		{"org.apache.flume.sink.rabbitmq.RabbitMQSink", `unknown sink type "org.apache.flume.sink.rabbitmq.RabbitMQSink": a Java class; write it as a Go plugin, see docs/plugins.md`, false},
		{"com.example.StaticHeaderSink", `unknown sink type "com.example.StaticHeaderSink": a Java class; write it as a Go plugin, see docs/plugins.md`, false},
		{"org.apache.flume.sink.hdfs.hdfseventsink", `unknown sink type "org.apache.flume.sink.hdfs.hdfseventsink": a Java class; write it as a Go plugin, see docs/plugins.md`, false},
		{"loger", `unknown sink type "loger" (known: logger, or a registered class name)`, false},
	} {
		_, _, err := r.Sink(tc.typ)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n got %v\nwant %s", tc.typ, err, tc.want)
		}
		if errors.Is(err, ErrUnsupported) != tc.unsupported {
			t.Errorf("%s: errors.Is(ErrUnsupported) = %v", tc.typ, !tc.unsupported)
		}
	}
	if _, _, err := r.Interceptor("timestamp"); err == nil || err.Error() != `unknown interceptor type "timestamp": a Flume 1.11 interceptor that flumego does not implement` {
		t.Errorf("empty kind: %v", err)
	}
	// Every kind knows Flume's own names.
	for _, tc := range []struct {
		lookup func(string) error
		typ    string
	}{
		{func(s string) error { _, _, err := r.ChannelSelector(s); return err }, "org.apache.flume.channel.MultiplexingChannelSelector"},
		{func(s string) error { _, _, err := r.SinkProcessor(s); return err }, "FAILOVER"},
		{func(s string) error { _, _, err := r.SinkSelector(s); return err }, "round_robin"},
		{func(s string) error { _, _, err := r.EventSerializer(s); return err }, "avro_event"},
		{func(s string) error { _, _, err := r.EventDeserializer(s); return err }, "LINE"},
		{func(s string) error { _, _, err := r.HTTPSourceHandler(s); return err }, "org.apache.flume.source.http.JSONHandler"},
	} {
		if err := tc.lookup(tc.typ); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want a Flume component flumego does not implement", tc.typ, err)
		}
		if err := tc.lookup("com.example.Custom"); err == nil || errors.Is(err, ErrUnsupported) {
			t.Errorf("com.example.Custom: %v, want a Java class", err)
		}
	}
}
