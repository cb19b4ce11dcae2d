package envcheck_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/agent"
	"github.com/flumego/flume/builtin"
	"github.com/flumego/flume/conf"
)

// TestBuiltinsDeclareTheirNeeds builds an agent with every built-in that has
// a directory, a listening address or a peer host among its keys, and checks
// that each declared it.
func TestBuiltinsDeclareTheirNeeds(t *testing.T) {
	text := `a1.sources = nc av th sd sdt td ht st ms su ks kz
a1.channels = fc kc
a1.sinks = roll avs avh ths kaf dh hs hf hh
a1.sources.td.type = TAILDIR
a1.sources.td.positionFile = /tdpos/taildir_position.json
a1.sources.td.filegroups = f1
a1.sources.td.filegroups.f1 = /tdlogs/.*\.log
a1.sources.td.channels = fc
a1.sinks.hf.type = hdfs
a1.sinks.hf.channel = fc
a1.sinks.hf.hdfs.path = file:///hdfsout/%Y-%m-%d/x
a1.sinks.hf.hdfs.useLocalTimeStamp = true
a1.sinks.hf.hdfs.recoveryDir = /hrec
a1.sinks.hh.type = hdfs
a1.sinks.hh.channel = fc
a1.sinks.hh.hdfs.path = hdfs://nn.example:8020/flume
a1.sinks.hh.hdfs.recoveryDir = /hrec2
a1.sources.ht.type = http
a1.sources.ht.bind = ht.example
a1.sources.ht.port = 10
a1.sources.ht.channels = fc
a1.sources.st.type = syslogtcp
a1.sources.st.host = st.example
a1.sources.st.port = 11
a1.sources.st.channels = fc
a1.sources.ms.type = multiport_syslogtcp
a1.sources.ms.host = ms.example
a1.sources.ms.ports = 12 13
a1.sources.ms.channels = fc
a1.sources.su.type = syslogudp
a1.sources.su.host = su.example
a1.sources.su.port = 14
a1.sources.su.channels = fc
a1.sinks.hs.type = http
a1.sinks.hs.channel = fc
a1.sinks.hs.endpoint = https://hs.example:8443/collect
a1.sinks.hs.rollback.2XX = false
a1.sources.ks.type = org.apache.flume.source.kafka.KafkaSource
a1.sources.ks.kafka.bootstrap.servers = ks1.example:9092,ks2.example:9093
a1.sources.ks.kafka.topics = t
a1.sources.ks.channels = fc
a1.sources.kz.type = org.apache.flume.source.kafka.KafkaSource
a1.sources.kz.zookeeperConnect = zk1.example:2181,zk2.example/kafka
a1.sources.kz.topic = t
a1.sources.kz.channels = kc
a1.channels.kc.type = org.apache.flume.channel.kafka.KafkaChannel
a1.channels.kc.kafka.bootstrap.servers = kc.example:9092
a1.sources.nc.type = netcat
a1.sources.nc.bind = nc.example
a1.sources.nc.port = 1
a1.sources.nc.channels = fc
a1.sources.av.type = avro
a1.sources.av.bind = av.example
a1.sources.av.port = 2
a1.sources.av.channels = fc
a1.sources.th.type = thrift
a1.sources.th.bind = th.example
a1.sources.th.port = 3
a1.sources.th.channels = fc
a1.sources.sd.type = spooldir
a1.sources.sd.spoolDir = /spool
a1.sources.sd.channels = fc
a1.sources.sdt.type = spooldir
a1.sources.sdt.spoolDir = /spool2
a1.sources.sdt.trackingPolicy = tracker_dir
a1.sources.sdt.trackerDir = /tracker
a1.sources.sdt.channels = fc
a1.channels.fc.type = file
a1.channels.fc.checkpointDir = /cp
a1.channels.fc.dataDirs = /d1, /d2
a1.channels.fc.useDualCheckpoints = true
a1.channels.fc.backupCheckpointDir = /bk
a1.sinks.roll.type = file_roll
a1.sinks.roll.channel = fc
a1.sinks.roll.sink.directory = /roll
a1.sinks.avs.type = avro
a1.sinks.avs.channel = fc
a1.sinks.avs.hostname = avs.example
a1.sinks.avs.port = 4
a1.sinks.avh.type = avro
a1.sinks.avh.channel = fc
a1.sinks.avh.hostname = unused.example
a1.sinks.avh.port = 5
a1.sinks.avh.hosts = h1 h2
a1.sinks.avh.hosts.h1 = h1.example:6
a1.sinks.avh.hosts.h2 = h2.example:7
a1.sinks.ths.type = thrift
a1.sinks.ths.channel = fc
a1.sinks.ths.hostname = ths.example
a1.sinks.ths.port = 8
a1.sinks.kaf.type = org.apache.flume.sink.kafka.KafkaSink
a1.sinks.kaf.channel = fc
a1.sinks.kaf.kafka.bootstrap.servers = k1.example:9092,k2.example:9092
a1.sinks.kaf.kafka.topic = t
a1.sinks.dh.type = com.aliyun.datahub.flume.sink.DatahubSink
a1.sinks.dh.channel = fc
a1.sinks.dh.datahub.accessId = id
a1.sinks.dh.datahub.accessKey = key
a1.sinks.dh.datahub.endPoint = https://dh.example
a1.sinks.dh.datahub.project = p
a1.sinks.dh.datahub.topic = t
a1.sinks.dh.serializer = DELIMITED
a1.sinks.dh.serializer.fieldnames = a
`
	props, err := conf.Parse("a1.properties", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r := flume.NewRegistry()
	if err := builtin.Register(r); err != nil {
		t.Fatal(err)
	}
	g, problems := agent.Build(conf.Agent("a1", props), agent.Options{Registry: r})
	if len(problems.Errors()) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	var got []string
	for _, n := range g.Needs() {
		got = append(got, n.Kind.String()+" "+strings.TrimPrefix(n.Property.Key, "a1.")+"="+n.Value)
	}
	for _, want := range []string{
		"address to listen on sources.nc.bind=nc.example",
		"address to listen on sources.av.bind=av.example",
		"address to listen on sources.th.bind=th.example",
		"existing writable directory sources.sd.spoolDir=/spool",
		"writable directory sources.sd.trackerDir=/spool/.flumespool",
		"existing readable directory sources.sdt.spoolDir=/spool2",
		"writable directory sources.sdt.trackerDir=/tracker",
		"writable directory channels.fc.checkpointDir=/cp",
		"writable directory channels.fc.dataDirs=/d1",
		"writable directory channels.fc.dataDirs=/d2",
		"writable directory channels.fc.backupCheckpointDir=/bk",
		"writable directory sinks.roll.sink.directory=/roll",
		"host to connect to sinks.avs.hostname=avs.example",
		"host:port to connect to sinks.avh.hosts.h1=h1.example:6",
		"host:port to connect to sinks.avh.hosts.h2=h2.example:7",
		"host to connect to sinks.ths.hostname=ths.example",
		"host:port to connect to sinks.kaf.kafka.bootstrap.servers=k1.example:9092",
		"host:port to connect to sinks.kaf.kafka.bootstrap.servers=k2.example:9092",
		"host to connect to sinks.dh.datahub.endPoint=dh.example",
		"address to listen on sources.ht.bind=ht.example",
		"address to listen on sources.st.host=st.example",
		"address to listen on sources.ms.host=ms.example",
		"address to listen on sources.su.host=su.example",
		"host to connect to sinks.hs.endpoint=hs.example",
		"writable directory sources.td.positionFile=/tdpos",
		"existing readable directory sources.td.filegroups.f1=/tdlogs",
		"writable directory sinks.hf.hdfs.recoveryDir=/hrec",
		"writable directory sinks.hf.hdfs.path=/hdfsout",
		"writable directory sinks.hh.hdfs.recoveryDir=/hrec2",
		"host:port to connect to sinks.hh.hdfs.path=nn.example:8020",
		"host:port to connect to sources.ks.kafka.bootstrap.servers=ks1.example:9092",
		"host:port to connect to sources.ks.kafka.bootstrap.servers=ks2.example:9093",
		"host:port to connect to sources.kz.zookeeperConnect=zk1.example:2181",
		"host:port to connect to sources.kz.zookeeperConnect=zk2.example:2181",
		"host:port to connect to channels.kc.kafka.bootstrap.servers=kc.example:9092",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no need %q among:\n%s", want, strings.Join(got, "\n"))
		}
	}
}
