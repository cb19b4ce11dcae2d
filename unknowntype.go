package flume

import (
	"fmt"
	"strings"
)

// flumeTypes are the component types Apache Flume 1.11 ships, by kind:
// short aliases (any case) and class names. A registry lookup that misses
// one of them says that flumego does not implement that Flume component,
// rather than calling it a custom Java class.
var flumeTypes = map[Kind][]string{
	KindSource: {
		"seq", "netcat", "netcatudp", "exec", "avro", "thrift", "syslogtcp", "multiport_syslogtcp", "syslogudp",
		"spooldir", "http", "jms", "taildir",
		"org.apache.flume.source.SequenceGeneratorSource", "org.apache.flume.source.NetcatSource",
		"org.apache.flume.source.NetcatUdpSource", "org.apache.flume.source.ExecSource",
		"org.apache.flume.source.AvroSource", "org.apache.flume.source.ThriftSource",
		"org.apache.flume.source.SyslogTcpSource", "org.apache.flume.source.MultiportSyslogTCPSource",
		"org.apache.flume.source.SyslogUDPSource", "org.apache.flume.source.SpoolDirectorySource",
		"org.apache.flume.source.http.HTTPSource", "org.apache.flume.source.jms.JMSSource",
		"org.apache.flume.source.taildir.TaildirSource", "org.apache.flume.source.kafka.KafkaSource",
		"org.apache.flume.source.StressSource", "org.apache.flume.source.twitter.TwitterSource",
		"org.apache.flume.source.scribe.ScribeSource", "org.apache.flume.source.avroLegacy.AvroLegacySource",
		"org.apache.flume.source.thriftLegacy.ThriftLegacySource",
	},
	KindChannel: {
		"memory", "file", "jdbc", "spillablememory",
		"org.apache.flume.channel.MemoryChannel", "org.apache.flume.channel.file.FileChannel",
		"org.apache.flume.channel.jdbc.JdbcChannel", "org.apache.flume.channel.SpillableMemoryChannel",
		"org.apache.flume.channel.kafka.KafkaChannel", "org.apache.flume.channel.PseudoTxnMemoryChannel",
	},
	KindSink: {
		"null", "logger", "file_roll", "avro", "thrift", "hdfs", "irc", "hbase", "hbase2", "asynchbase",
		"morphline_solr", "hive", "http", "elasticsearch",
		"org.apache.flume.sink.NullSink", "org.apache.flume.sink.LoggerSink", "org.apache.flume.sink.RollingFileSink",
		"org.apache.flume.sink.AvroSink", "org.apache.flume.sink.ThriftSink", "org.apache.flume.sink.hdfs.HDFSEventSink",
		"org.apache.flume.sink.irc.IRCSink", "org.apache.flume.sink.hbase.HBaseSink",
		"org.apache.flume.sink.hbase2.HBase2Sink", "org.apache.flume.sink.hbase.AsyncHBaseSink",
		"org.apache.flume.sink.solr.morphline.MorphlineSolrSink", "org.apache.flume.sink.hive.HiveSink",
		"org.apache.flume.sink.http.HttpSink", "org.apache.flume.sink.elasticsearch.ElasticSearchSink",
		"org.apache.flume.sink.kafka.KafkaSink", "org.apache.flume.sink.kudu.KuduSink",
	},
	KindInterceptor: {
		"timestamp", "host", "static", "regex_filter", "regex_extractor", "remove_header", "search_replace",
		"org.apache.flume.interceptor.TimestampInterceptor$Builder", "org.apache.flume.interceptor.HostInterceptor$Builder",
		"org.apache.flume.interceptor.StaticInterceptor$Builder",
		"org.apache.flume.interceptor.RegexFilteringInterceptor$Builder",
		"org.apache.flume.interceptor.RegexExtractorInterceptor$Builder",
		"org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder",
		"org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder",
		"org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder",
		"org.apache.flume.sink.solr.morphline.MorphlineInterceptor$Builder",
	},
	KindChannelSelector: {
		"replicating", "multiplexing", "load_balancing",
		"org.apache.flume.channel.ReplicatingChannelSelector", "org.apache.flume.channel.MultiplexingChannelSelector",
		"org.apache.flume.channel.LoadBalancingChannelSelector",
	},
	KindSinkProcessor: {
		"default", "failover", "load_balance",
		"org.apache.flume.sink.DefaultSinkProcessor", "org.apache.flume.sink.FailoverSinkProcessor",
		"org.apache.flume.sink.LoadBalancingSinkProcessor",
	},
	KindSinkSelector: {"round_robin", "random"},
	KindEventSerializer: {
		"text", "header_and_text", "avro_event",
		"org.apache.flume.serialization.BodyTextEventSerializer$Builder",
		"org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder",
		"org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder",
		"org.apache.flume.sink.hdfs.AvroEventSerializer$Builder",
	},
	KindEventDeserializer: {
		"line", "avro",
		"org.apache.flume.serialization.LineDeserializer$Builder",
		"org.apache.flume.serialization.AvroEventDeserializer$Builder",
		"org.apache.flume.sink.solr.morphline.BlobDeserializer$Builder",
	},
	KindHTTPSourceHandler: {
		"org.apache.flume.source.http.JSONHandler", "org.apache.flume.sink.solr.morphline.BlobHandler",
		"org.apache.flume.source.http.BLOBHandler",
	},
}

// isFlumeType reports whether typ names a component Flume 1.11 ships.
func isFlumeType(k Kind, typ string) bool {
	for _, t := range flumeTypes[k] {
		if t == typ || (!strings.Contains(t, ".") && strings.EqualFold(t, typ)) {
			return true
		}
	}
	return false
}

// unknownTypeError is the error of a registry lookup that found no
// factory. Its message says plainly what the type is: a Flume component
// flumego does not implement (then the error also matches ErrUnsupported),
// a Java class (which a Go agent cannot load: it has to be rewritten as a
// Go plugin), or an unknown short name, with the types that are known.
type unknownTypeError struct {
	Kind Kind
	Type string
	// Flume is set when Type is a component Apache Flume 1.11 ships.
	Flume bool
	// Known lists the registered short aliases of the kind.
	Known []string
}

func newUnknownTypeError(k Kind, typ string, known []string) *unknownTypeError {
	return &unknownTypeError{Kind: k, Type: typ, Flume: isFlumeType(k, typ), Known: known}
}

// Error describes the type and what to do about it.
func (e *unknownTypeError) Error() string {
	msg := fmt.Sprintf("unknown %s type %q", e.Kind, e.Type)
	switch {
	case e.Flume:
		msg += fmt.Sprintf(": a Flume 1.11 %s that flumego does not implement", e.Kind)
	case strings.Contains(e.Type, "."):
		return msg + ": a Java class; write it as a Go plugin, see docs/plugins.md"
	}
	if len(e.Known) > 0 {
		msg += " (known: " + strings.Join(e.Known, ", ") + ", or a registered class name)"
	}
	return msg
}

// Is reports whether target is ErrUnsupported and the type is a Flume
// component flumego does not implement.
func (e *unknownTypeError) Is(target error) bool { return e.Flume && target == ErrUnsupported }
