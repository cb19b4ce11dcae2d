package builtin

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/componenttest"
	"github.com/flumego/flume/internal/datahubfake"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/rpc/thriftrpc"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// conformanceCases is the minimal valid configuration of every built-in
// type. A type registered by Register without a case here fails
// TestConformance: a new component adds its case (and a real peer on
// 127.0.0.1 when it needs one).
var conformanceCases = []componenttest.Case{
	{Kind: flume.KindChannel, Type: "memory"},
	{Kind: flume.KindChannel, Type: "file", Setup: func(t testing.TB) map[string]string {
		dir := t.TempDir()
		return map[string]string{"checkpointDir": filepath.Join(dir, "checkpoint"), "dataDirs": filepath.Join(dir, "data")}
	}},
	// The first take joins the consumer group: the poll timeout covers it.
	{Kind: flume.KindChannel, Type: "org.apache.flume.channel.kafka.KafkaChannel", Setup: kafkaPeer,
		Props: map[string]string{"kafka.pollTimeout": "10000", "kafka.consumer.session.timeout.ms": "1000",
			"kafka.consumer.heartbeat.interval.ms": "200"}},

	{Kind: flume.KindSink, Type: "logger"},
	{Kind: flume.KindSink, Type: "null"},
	{Kind: flume.KindSink, Type: "file_roll", Setup: func(t testing.TB) map[string]string {
		return map[string]string{"sink.directory": t.TempDir()}
	}},
	{Kind: flume.KindSink, Type: "hdfs", Setup: func(t testing.TB) map[string]string {
		dir := t.TempDir()
		return map[string]string{"hdfs.path": "file://" + filepath.Join(dir, "out"), "hdfs.recoveryDir": filepath.Join(dir, "rec")}
	}},
	{Kind: flume.KindSink, Type: "avro", Setup: avroPeer},
	{Kind: flume.KindSink, Type: "thrift", Setup: thriftPeer},
	{Kind: flume.KindSink, Type: "kafka", Setup: kafkaPeer},
	{Kind: flume.KindSink, Type: "datahub", Setup: datahubPeer},
	{Kind: flume.KindSink, Type: "http", Setup: httpPeer, Props: map[string]string{"rollback.2XX": "false", "backoff.2XX": "false"}},

	{Kind: flume.KindSource, Type: "seq", Props: map[string]string{"batchSize": "10"}, Produces: true},
	// yes floods the source, which then holds the command's output while
	// the full channel refuses it: Stop must interrupt that and the child.
	{Kind: flume.KindSource, Type: "exec", Props: map[string]string{"command": "yes conformance", "batchSize": "100"}, Produces: true},
	{Kind: flume.KindSource, Type: "netcat", Props: listen(), Feed: feedNetcat, Produces: true},
	{Kind: flume.KindSource, Type: "avro", Props: listen(), Feed: feedAvro, Produces: true},
	{Kind: flume.KindSource, Type: "thrift", Props: listen(), Feed: feedThrift, Produces: true},
	// Enough lines to fill the channel: Stop must interrupt a refused batch.
	{Kind: flume.KindSource, Type: "spooldir", Setup: spoolDir, Produces: true},
	taildirCase(),
	{Kind: flume.KindSource, Type: "syslogtcp", Props: syslogListen("port"), Feed: feedSyslog("tcp"), Produces: true},
	{Kind: flume.KindSource, Type: "multiport_syslogtcp", Setup: multiportPorts, Props: map[string]string{"host": "127.0.0.1"},
		Feed: feedSyslog("tcp"), Produces: true},
	{Kind: flume.KindSource, Type: "syslogudp", Props: syslogListen("port"), Feed: feedSyslog("udp"), Produces: true},
	{Kind: flume.KindSource, Type: "http", Props: listen(), Feed: feedHTTP, Produces: true},
	kafkaSourceCase(),

	{Kind: flume.KindInterceptor, Type: "timestamp"},
	{Kind: flume.KindInterceptor, Type: "host"},
	{Kind: flume.KindInterceptor, Type: "static"},
	{Kind: flume.KindInterceptor, Type: "remove_header", Props: map[string]string{"withName": "seq"}},
	{Kind: flume.KindInterceptor, Type: "org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder"},
	{Kind: flume.KindInterceptor, Type: "regex_filter"},
	{Kind: flume.KindInterceptor, Type: "regex_extractor", Props: map[string]string{
		"regex": `event (\d+)`, "serializers": "n", "serializers.n.name": "number"}},
	{Kind: flume.KindInterceptor, Type: "search_replace", Props: map[string]string{"searchPattern": "event", "replaceString": "e"}},
}

// TestConformance runs componenttest's lifecycle checks on every built-in
// source, channel and sink, and builds every interceptor.
func TestConformance(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	componenttest.Registry(t, r, conformanceCases)
}

// spoolDir is a spooling directory holding a file of 100,000 lines.
func spoolDir(t testing.TB) map[string]string {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&b, "conformance %d\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "lines.log"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "lines.log"), old, old); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"spoolDir": dir, "batchSize": "100"}
}

func listen() map[string]string { return map[string]string{"bind": "127.0.0.1", "port": "0"} }

// syslogListen is the address of a syslog source: host, not bind.
func syslogListen(port string) map[string]string {
	return map[string]string{"host": "127.0.0.1", port: "0"}
}

// multiportPorts picks two free ports for multiport_syslogtcp (its ports
// cannot be 0 twice: the test feeds the first).
func multiportPorts(t testing.TB) map[string]string {
	return map[string]string{"ports": strconv.Itoa(flumetest.FreeAddr(t).Port) + " " + strconv.Itoa(flumetest.FreeAddr(t).Port)}
}

// feedSyslog sends a syslog message over network (tcp or udp).
func feedSyslog(network string) func(t testing.TB, src flume.Source) {
	return func(t testing.TB, src flume.Source) {
		c, err := net.Dial(network, addr(t, src))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("<13>1 - host conformance\n")); err != nil {
			t.Fatal(err)
		}
	}
}

func hostPort(t testing.TB, addr net.Addr) map[string]string {
	t.Helper()
	a := addr.(*net.TCPAddr)
	return map[string]string{"hostname": a.IP.String(), "port": strconv.Itoa(a.Port)}
}

func loopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// avroPeer is an Avro RPC server that accepts every batch.
func avroPeer(t testing.TB) map[string]string {
	srv := avrorpc.NewServer(avrorpc.ServerConfig{}, func(context.Context, bool, []flume.Event) (avrorpc.Status, error) {
		return avrorpc.OK, nil
	})
	ln := loopback(t)
	srv.Start(ln)
	t.Cleanup(func() { _ = srv.Close() })
	return hostPort(t, ln.Addr())
}

// thriftPeer is a Thrift RPC server that accepts every batch.
func thriftPeer(t testing.TB) map[string]string {
	srv := thriftrpc.NewServer(thriftrpc.ServerConfig{}, func(context.Context, *thriftrpc.Call) (thriftrpc.Status, error) {
		return thriftrpc.OK, nil
	})
	ln := loopback(t)
	srv.Start(ln)
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return hostPort(t, ln.Addr())
}

// httpPeer is an HTTP server that answers 200 to everything.
func httpPeer(t testing.TB) map[string]string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	t.Cleanup(srv.Close)
	return map[string]string{"endpoint": srv.URL}
}

// kafkaPeer is a kfake cluster with the sink's (and channel's) topic.
func kafkaPeer(t testing.TB) map[string]string {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "conformance"), kfake.GroupMinSessionTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return map[string]string{"kafka.bootstrap.servers": c.ListenAddrs()[0], "kafka.topic": "conformance"}
}

// kafkaSourceCase is the Kafka source on a kfake cluster; each feed
// writes a record, which the source (a member of one group throughout)
// reads after every start.
func kafkaSourceCase() componenttest.Case {
	var addr string
	return componenttest.Case{Kind: flume.KindSource, Type: "org.apache.flume.source.kafka.KafkaSource", Produces: true,
		Props: map[string]string{"kafka.topics": "conformance", "kafka.consumer.auto.offset.reset": "earliest",
			"batchDurationMillis": "50", "kafka.consumer.session.timeout.ms": "1000", "kafka.consumer.heartbeat.interval.ms": "200"},
		Setup: func(t testing.TB) map[string]string {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "conformance"), kfake.GroupMinSessionTimeout(100*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			addr = c.ListenAddrs()[0]
			return map[string]string{"kafka.bootstrap.servers": addr}
		},
		Feed: func(t testing.TB, _ flume.Source) {
			cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("conformance"))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte("conformance")}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// datahubPeer is the DataHub fake with a BLOB topic.
func datahubPeer(t testing.TB) map[string]string {
	srv := datahubfake.New("conformance-id", "conformance-key")
	spec, err := datahubfake.ParseSchema("BLOB")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateTopic("conformance", "events", spec); err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return map[string]string{
		"datahub.accessId": "conformance-id", "datahub.accessKey": "conformance-key", "datahub.endPoint": url,
		"datahub.project": "conformance", "datahub.topic": "events",
		"datahub.dirtyDataFile": filepath.Join(t.TempDir(), "dirty"),
	}
}

// taildirCase tails a file of a temporary directory; every feed appends
// a line to it.
func taildirCase() componenttest.Case {
	var log string
	return componenttest.Case{Kind: flume.KindSource, Type: "TAILDIR", Produces: true,
		Setup: func(t testing.TB) map[string]string {
			dir := t.TempDir()
			log = filepath.Join(dir, "app.log")
			return map[string]string{"filegroups": "f1", "filegroups.f1": dir + `/app\.log`,
				"positionFile": filepath.Join(dir, "pos", "taildir_position.json")}
		},
		Feed: func(t testing.TB, _ flume.Source) {
			f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteString("conformance\n"); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// addr returns the address a started listening source is bound to.
func addr(t testing.TB, src flume.Source) string {
	t.Helper()
	a, ok := src.(interface{ Addr() net.Addr })
	if !ok || a.Addr() == nil {
		t.Fatalf("%T has no listening address", src)
	}
	return a.Addr().String()
}

func feedNetcat(t testing.TB, src flume.Source) {
	c, err := net.Dial("tcp", addr(t, src))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("conformance\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "OK\n" {
		t.Fatalf("netcat source answered %q, %v", line, err)
	}
}

func feedHTTP(t testing.TB, src flume.Source) {
	resp, err := http.Post("http://"+addr(t, src)+"/", "application/json", strings.NewReader(`[{"body":"conformance"}]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("http source answered %s", resp.Status)
	}
}

func feedAvro(t testing.TB, src flume.Source) {
	c, err := avrorpc.Dial(context.Background(), addr(t, src), avrorpc.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if st, err := c.AppendBatch(context.Background(), []flume.Event{flume.NewEvent([]byte("conformance"))}); err != nil || st != avrorpc.OK {
		t.Fatalf("avro source answered %v, %v", st, err)
	}
}

func feedThrift(t testing.TB, src flume.Source) {
	c, err := thriftrpc.Dial(context.Background(), addr(t, src), thriftrpc.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if st, err := c.AppendBatch(context.Background(), []flume.Event{flume.NewEvent([]byte("conformance"))}); err != nil || st != thriftrpc.OK {
		t.Fatalf("thrift source answered %v, %v", st, err)
	}
}
