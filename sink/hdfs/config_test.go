package hdfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/bucketpath"
	"github.com/flumego/flume/internal/seqfile"
)

func parse(t *testing.T, props map[string]string) (Config, *flume.Context) {
	t.Helper()
	if _, ok := props["hdfs.path"]; !ok {
		props["hdfs.path"] = "/flume/events"
	}
	cfg := flume.ContextFromMap(props)
	return ParseConfig(settings(t), cfg), cfg
}

func TestDefaults(t *testing.T) {
	c, cfg := parse(t, map[string]string{})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.FilePrefix != "FlumeData" || c.InUseSuffix != ".tmp" || c.RollInterval != 30*time.Second || c.RollSize != 1024 ||
		c.RollCount != 10 || c.BatchSize != 100 || c.FileType != SequenceFile || c.WriteFormat != Writable ||
		c.MaxOpenFiles != 5000 || c.CallTimeout != 30*time.Second || c.ThreadsPoolSize != 10 || c.RetryInterval != 180*time.Second ||
		c.CloseTries != 0 || c.Codec != nil || c.SeqCompression != seqfile.None || c.Time.Round != bucketpath.NoRounding {
		t.Fatalf("defaults %+v", c)
	}
	home, _ := os.UserHomeDir()
	if c.RecoveryDir != filepath.Join(home, ".flume", "hdfs-sink", "a1") {
		t.Fatalf("recovery dir %s", c.RecoveryDir)
	}
	if len(cfg.Problems()) != 0 {
		t.Fatalf("problems %v", cfg.Problems())
	}
}

func TestConfigProblems(t *testing.T) {
	for _, tc := range []struct {
		props       map[string]string
		key         string // the key of the expected problem
		warning     bool
		unsupported bool
	}{
		{map[string]string{"hdfs.fileType": "DataStream", "hdfs.codeC": "gzip"}, "hdfs.codeC", false, false},
		{map[string]string{"hdfs.fileType": "DataStream", "hdfs.codeC": "none"}, "hdfs.codeC", false, false},
		{map[string]string{"hdfs.fileType": "CompressedStream"}, "hdfs.codeC", false, false},
		{map[string]string{"hdfs.fileType": "CompressedStream", "hdfs.codeC": "lzo"}, "hdfs.codeC", false, true},
		{map[string]string{"hdfs.codeC": "zip"}, "hdfs.codeC", false, false},
		{map[string]string{"hdfs.fileType": "Parquet"}, "hdfs.fileType", false, false},
		{map[string]string{"hdfs.path": "s3a://key:secret@bucket/data"}, "hdfs.path", false, true},
		{map[string]string{"hdfs.path": "hdfs://nn-%{x}/data"}, "hdfs.path", false, false},
		{map[string]string{"hdfs.path": "/data/%[nowhere]"}, "hdfs.path", false, false},
		{map[string]string{"hdfs.filePrefix": "%[nowhere]"}, "hdfs.filePrefix", false, false},
		{map[string]string{"hdfs.batchSize": "0"}, "hdfs.batchSize", false, false},
		{map[string]string{"hdfs.round": "true", "hdfs.roundUnit": "hour", "hdfs.roundValue": "25"}, "hdfs.roundValue", false, false},
		{map[string]string{"hdfs.round": "true", "hdfs.roundUnit": "day"}, "hdfs.roundUnit", true, false},
		{map[string]string{"hdfs.timeZone": "Mars/Olympus"}, "hdfs.timeZone", true, false},
		{map[string]string{"hdfs.writeFormat": "TEXT"}, "hdfs.writeFormat", true, false},
		{map[string]string{"hdfs.writeFormat": "com.example.MySerializer$Builder"}, "hdfs.writeFormat", false, true},
		{map[string]string{"hdfs.writeFormat": "json"}, "hdfs.writeFormat", false, false},
		{map[string]string{"serializer": "avro_event"}, "serializer", true, false}, // ignored with SequenceFile
		{map[string]string{"hdfs.fileType": "DataStream", "serializer": "com.example.Csv$Builder"}, "serializer", false, false},
		{map[string]string{"hdfs.kerberosPrincipal": "flume/_HOST@EXAMPLE.COM"}, "hdfs.kerberosPrincipal", false, false},
		{map[string]string{"hdfs.emptyInUseSuffix": "true", "hdfs.inUseSuffix": ".x"}, "hdfs.inUseSuffix", true, false},
		{map[string]string{"hdfs.retryInterval": "0"}, "hdfs.retryInterval", true, false},
		{map[string]string{"hdfs.maxOpenFiles": "0"}, "hdfs.maxOpenFiles", true, false},
		{map[string]string{"hdfs.rollCount": "-1"}, "hdfs.rollCount", true, false},
		{map[string]string{"hdfs.compressionType": "RECORD"}, "hdfs.compressionType", true, false},
		{map[string]string{"hdfs.txnEventMax": "100"}, "hdfs.txnEventMax", true, false}, // not a Flume key
	} {
		_, cfg := parse(t, tc.props)
		cfg.Unused()
		var found *flume.Problem
		for _, p := range cfg.Problems() {
			if p.Key == tc.key {
				found = &p
				break
			}
		}
		switch {
		case found == nil && tc.key == "hdfs.txnEventMax":
			for _, p := range cfg.Unused() {
				if p.Key == tc.key {
					found = &flume.Problem{Severity: flume.Warning}
				}
			}
			if found == nil {
				t.Errorf("%v: unknown key not reported", tc.props)
			}
		case found == nil:
			t.Errorf("%v: no problem at %s: %v", tc.props, tc.key, cfg.Problems())
		case (found.Severity == flume.Warning) != tc.warning:
			t.Errorf("%v: %v, want warning=%v", tc.props, found, tc.warning)
		case errors.Is(found, flume.ErrUnsupported) != tc.unsupported:
			t.Errorf("%v: %v, want unsupported=%v", tc.props, found, tc.unsupported)
		}
	}
}

func TestConfigValues(t *testing.T) {
	c, cfg := parse(t, map[string]string{"hdfs.codeC": "snappy", "hdfs.compressionType": "record",
		"hdfs.round": "true", "hdfs.roundUnit": "minute", "hdfs.roundValue": "10", "hdfs.timeZone": "America/Chicago",
		"hdfs.useLocalTimeStamp": "true", "hdfs.writeFormat": "Text", "hdfs.callTimeout": "0", "hdfs.closeTries": "-1",
		"hdfs.emptyInUseSuffix": "true", "hdfs.minBlockReplicas": "1", "hdfs.useRawLocalFileSystem": "true",
		"hdfs.kerberosPrincipal": "flume/_HOST@EXAMPLE.COM", "hdfs.kerberosKeytab": "/etc/flume.keytab", "hdfs.proxyUser": "etl"})
	if err := cfg.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Codec == nil || c.Codec.Name != "SnappyCodec" || c.SeqCompression != seqfile.Record || c.Time.Round != bucketpath.Minute ||
		c.Time.RoundValue != 10 || c.Time.Location.String() != "America/Chicago" || !c.Time.UseLocalTimeStamp ||
		c.WriteFormat != Text || c.CallTimeout != 0 || c.CloseTries != 0 || c.InUseSuffix != "" || c.MinBlockReplicas != 1 ||
		c.ProxyUser != "etl" {
		t.Fatalf("%+v", c)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Fatalf("unused %v", u)
	}
}

// The configuration declares the directories and addresses it needs, for
// the environment checks of check and of the agent.
func TestNeeds(t *testing.T) {
	for path, want := range map[string]string{
		"file:///data/flume/%Y/%m":    "writable directory /data/flume, writable directory /rec",
		"file:///data/x%{h}/y":        "writable directory /data, writable directory /rec",
		"file:///data/static":         "writable directory /data/static, writable directory /rec",
		"hdfs://nn.example:8020/a/%Y": "host:port to connect to nn.example:8020, writable directory /rec",
		"hdfs://nameservice1/a":       "writable directory /rec",
		"/maybe/hdfs/maybe/local":     "writable directory /rec",
	} {
		_, cfg := parse(t, map[string]string{"hdfs.path": path, "hdfs.recoveryDir": "/rec"})
		var got []string
		for _, n := range cfg.Needs() {
			got = append(got, n.Kind.String()+" "+n.Value)
		}
		if strings.Join(got, ", ") != want {
			t.Errorf("%s: needs %q, want %q", path, got, want)
		}
	}
}

func TestTargets(t *testing.T) {
	for raw, want := range map[string]target{
		"hdfs://nn:8020/flume/%Y":    {"hdfs", "nn:8020", "/flume/%Y"},
		"hdfs://nameservice1/a":      {"hdfs", "nameservice1", "/a"},
		"hdfs:///flume/webdata":      {"hdfs", "", "/flume/webdata"},
		"HDFS://nn":                  {"hdfs", "nn", "/"},
		"file:///var/log/flume":      {"file", "", "/var/log/flume"},
		"file:/var/log/flume":        {"file", "", "/var/log/flume"},
		"/user/flume/%{host}":        {"", "", "/user/flume/%{host}"},
		"data/ACCEPTED/%Y%m/":        {"", "", "data/ACCEPTED/%Y%m/"},
		"/x/%{a:b}":                  {"", "", "/x/%{a:b}"},
		"/ES/user/flume/%{topic}/%Y": {"", "", "/ES/user/flume/%{topic}/%Y"},
	} {
		got, err := parseTarget(raw)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"s3a://k:s@bucket/x", "viprfs://b.ns/x", "glusterfs:///tmp", "hdfs://nn%{x}/a", "file://host/x", "hdfs:relative"} {
		if _, err := parseTarget(raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
}

// A path without a scheme goes to fs.defaultFS when the Hadoop
// configuration names HDFS (here the fake), else to the local file
// system.
func TestOpenFileSystems(t *testing.T) {
	fake := startFake(t)
	conf := t.TempDir()
	t.Setenv("HADOOP_CONF_DIR", conf)
	t.Setenv("HADOOP_USER_NAME", "flume")
	local, err := target{path: "rel/dir"}.open(fsOptions{})
	if err != nil || !local.local {
		t.Fatalf("no Hadoop configuration: %+v %v", local, err)
	}
	wd, _ := os.Getwd()
	if local.base != filepath.ToSlash(wd) {
		t.Fatalf("relative local paths from %q, want the working directory", local.base)
	}
	site := `<?xml version="1.0"?><configuration>
  <property><name>fs.defaultFS</name><value>` + fake.URL() + `</value></property>
</configuration>`
	if err := os.WriteFile(filepath.Join(conf, "core-site.xml"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tg := range []target{{path: "/user/flume"}, {path: "relative"}, {scheme: "hdfs", path: "/x"}} {
		m, err := tg.open(fsOptions{})
		if err != nil || m.local || m.uri != fake.URL() {
			t.Fatalf("%+v with fs.defaultFS = %s: %+v %v", tg, fake.URL(), m, err)
		}
		if tg.path == "relative" && m.base != "/user/flume" {
			t.Fatalf("relative HDFS paths from %q, want /user/flume", m.base)
		}
		if _, err := m.fs.Stat("/"); err != nil {
			t.Fatalf("stat / on the fake: %v", err)
		}
		m.fs.Close()
	}
	if m, err := (target{scheme: "file", path: "/x"}).open(fsOptions{}); err != nil || !m.local || m.base != "" {
		t.Fatalf("file:// with fs.defaultFS on HDFS: %+v %v", m, err)
	}
	if err := os.WriteFile(filepath.Join(conf, "core-site.xml"), []byte(strings.ReplaceAll(site, fake.URL(), "file:///")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (target{scheme: "hdfs", path: "/x"}).open(fsOptions{}); err == nil {
		t.Fatal("hdfs:/// without an HDFS fs.defaultFS opened")
	}
}

// check accepts what Flume accepts: a NameNode that does not answer makes
// Process fail (and count a failed connection), not the build.
func TestFactoryWithUnreachableNameNode(t *testing.T) {
	dir := t.TempDir()
	s, err := Factory(settings(t), flume.ContextFromMap(map[string]string{
		"hdfs.path": "hdfs://127.0.0.1:1/flume/%Y", "hdfs.recoveryDir": dir}), nil)
	if err != nil {
		t.Fatalf("factory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "k1.inuse")); !os.IsNotExist(err) {
		t.Fatal("the factory touched the recovery directory")
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(t.Context())
	if _, err := s.Process(t.Context()); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("process: %v", err)
	}
	if c := s.(*Sink).Counters(); c.ConnectionFailedCount.Load() != 1 {
		t.Fatalf("connection failures %d", c.ConnectionFailedCount.Load())
	}
}

// What flumego's HDFS client does not implement is refused at
// configuration; what depends on this machine's Hadoop configuration is
// a warning.
func TestHDFSOptionsChecked(t *testing.T) {
	t.Setenv("HADOOP_CONF_DIR", t.TempDir())
	_, cfg := parse(t, map[string]string{"hdfs.path": "hdfs://nn:8020/x", "hdfs.kerberosPrincipal": "flume/_HOST@EXAMPLE.COM",
		"hdfs.kerberosKeytab": "/etc/flume.keytab", "hdfs.proxyUser": "etl"})
	if err := cfg.Err(); !errors.Is(err, flume.ErrUnsupported) || !strings.Contains(err.Error(), "hdfs.proxyUser") {
		t.Fatalf("proxyUser with Kerberos: %v", err)
	}
	_, cfg = parse(t, map[string]string{"hdfs.path": "hdfs://nn:8020/x", "hdfs.kerberosPrincipal": "flume/_HOST@EXAMPLE.COM",
		"hdfs.kerberosKeytab": "/etc/flume.keytab"})
	if err := cfg.Err(); err != nil {
		t.Fatalf("Kerberos without this machine's Hadoop configuration: %v", err)
	}
	if ps := cfg.Problems(); len(ps) != 1 || ps[0].Key != "hdfs.path" || ps[0].Severity != flume.Warning {
		t.Fatalf("problems %v", ps)
	}
}
