package dfs

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/hdfsfake"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// The hdfs:// file system is tested against internal/hdfsfake over TCP on
// 127.0.0.1, and against a real cluster when HDFS_URL (hdfs://host:port,
// written as user root) names one; tests that need the fake's fault
// injection or inspection run against the fake only.

type hdfsEnv struct {
	uri    string
	fake   *hdfsfake.Fake // nil against a real cluster
	root   string         // a fresh directory for the test
	opts   Options
	reader *hdfs.Client
}

func newHDFSEnv(t *testing.T, cfg hdfsfake.Config) *hdfsEnv {
	t.Helper()
	e := &hdfsEnv{opts: Options{Timeout: 30 * time.Second}}
	var addr string
	if url := os.Getenv("HDFS_URL"); url != "" {
		e.uri, e.opts.User = strings.TrimSuffix(url, "/"), "root"
		addr = strings.TrimPrefix(e.uri, "hdfs://")
	} else {
		e.fake = hdfsfake.New(cfg)
		if err := e.fake.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.fake.Close() })
		e.uri, addr, e.opts.User = e.fake.URL(), e.fake.Addr(), "flume"
	}
	var err error
	e.reader, err = hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{addr}, User: e.opts.User})
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	crand.Read(b[:])
	e.root = "/tmp/flumego-dfs-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if e.fake == nil {
			e.reader.RemoveAll(e.root)
		}
		e.reader.Close()
	})
	return e
}

func (e *hdfsEnv) needFake(t *testing.T) {
	if e.fake == nil {
		t.Skip("needs the fake's fault injection; HDFS_URL names a real cluster")
	}
}

// open opens the file system as a new client (a process of its own).
func (e *hdfsEnv) open(t *testing.T) *hdfsFS {
	t.Helper()
	fsys, err := OpenHDFS(context.Background(), e.uri, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys.(*hdfsFS)
}

func (e *hdfsEnv) read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := e.reader.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s back: %v", path, err)
	}
	return b
}

func randomData(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// closeRetrying closes f, retrying while it fails with ErrRetry, and
// returns how many calls it took.
func closeRetrying(t *testing.T, f File) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for n := 1; ; n++ {
		err := f.Close()
		if err == nil {
			return n
		}
		if !errors.Is(err, ErrRetry) || time.Now().After(deadline) {
			t.Fatalf("close: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHDFSWriteFlushClose(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{})
	w, other := e.open(t), e.open(t)
	p := e.root + "/a/b/events.tmp"
	f, err := w.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	first := []byte("a batch of events, flushed before the channel commits\n")
	if _, err := f.Write(first); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	// Flush returns once the DataNode has acknowledged the bytes: they
	// are readable now, while the NameNode still reports 0 bytes for the
	// open file, as HDFS does.
	if e.fake != nil {
		if got, _ := e.fake.ReadFile(p); !bytes.Equal(got, first) {
			t.Errorf("after Flush the DataNode holds %q, want %q", got, first)
		}
	}
	fi, err := other.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 0 {
		t.Errorf("another client sees the open file at %d bytes, want 0", fi.Size())
	}
	if _, err := other.Create(p); !errors.Is(err, ErrBeingWritten) || !errors.Is(err, fs.ErrExist) {
		t.Errorf("another client's create of the open file: %v, want ErrBeingWritten and ErrExist", err)
	}
	second := []byte("and the next batch\n")
	if _, err := f.Write(second); err != nil {
		t.Fatal(err)
	}
	n := closeRetrying(t, f)
	if e.fake != nil && n != 2 {
		t.Errorf("close took %d calls, want 2: the first complete is refused until the block is reported", n)
	}
	if err := f.Close(); err != nil {
		t.Errorf("closing a closed file: %v", err)
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("write after close succeeded")
	}
	want := append(append([]byte{}, first...), second...)
	if got := e.read(t, p); !bytes.Equal(got, want) {
		t.Errorf("read back %q, want %q", got, want)
	}
	if fi, err := other.Stat(p); err != nil || fi.Size() != int64(len(want)) {
		t.Errorf("stat of the closed file: %v, %v", fi, err)
	}
	if _, err := other.Create(p); !errors.Is(err, fs.ErrExist) || errors.Is(err, ErrBeingWritten) {
		t.Errorf("create of an existing closed file: %v, want ErrExist only", err)
	}
}

func TestHDFSSeveralBlocksAndOddFlushes(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{BlockSize: 1 << 20})
	w := e.open(t)
	p := e.root + "/big"
	f, err := w.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	data := randomData(2<<20 + 777)
	r := rand.New(rand.NewPCG(1, 2))
	for off := 0; off < len(data); {
		n := min(len(data)-off, 1+r.IntN(200_000))
		if _, err := f.Write(data[off : off+n]); err != nil {
			t.Fatal(err)
		}
		off += n
		if r.IntN(3) == 0 {
			// Flushes end mid-chunk; the next packet resends the
			// partial chunk.
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	closeRetrying(t, f)
	if got := e.read(t, p); !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, differing from the %d written", len(got), len(data))
	}
	if e.fake != nil {
		if st, _ := e.fake.Stat(p); st.Blocks != 3 {
			t.Errorf("%d blocks, want 3 of 1 MiB", st.Blocks)
		}
	}
}

func TestHDFSRenameStatReadDirRemove(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{})
	w := e.open(t)
	for _, name := range []string{"b", "a", "c.tmp"} {
		f, err := w.Create(e.root + "/d/" + name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(name[:1]))
		closeRetrying(t, f)
	}
	err := w.Rename(e.root+"/d/c.tmp", e.root+"/d/a")
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("rename onto an existing file: %v, want ErrExist", err)
	}
	if got := e.read(t, e.root+"/d/a"); string(got) != "a" {
		t.Errorf("the rename replaced the destination: %q", got)
	}
	if err := w.Rename(e.root+"/d/c.tmp", e.root+"/d/c"); err != nil {
		t.Fatal(err)
	}
	if err := w.Rename(e.root+"/d/c.tmp", e.root+"/d/e"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rename of a missing file: %v, want ErrNotExist", err)
	}
	infos, err := w.ReadDir(e.root + "/d")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range infos {
		names = append(names, fi.Name())
		if fi.Size() != 1 || fi.IsDir() {
			t.Errorf("%s: size %d dir %v", fi.Name(), fi.Size(), fi.IsDir())
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Errorf("ReadDir = %v, want a,b,c", names)
	}
	if fi, err := w.Stat(e.root + "/d"); err != nil || !fi.IsDir() {
		t.Errorf("stat of the directory: %v %v", fi, err)
	}
	if _, err := w.Stat(e.root + "/d/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat of a missing file: %v", err)
	}
	if _, err := w.ReadDir(e.root + "/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDir of a missing directory: %v", err)
	}
	if err := w.Remove(e.root + "/d/b"); err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(e.root + "/d/b"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removing a removed file: %v", err)
	}
	if err := w.Truncate(e.root+"/d/a", 0); err != nil {
		t.Fatal(err)
	}
	if fi, _ := w.Stat(e.root + "/d/a"); fi.Size() != 0 {
		t.Errorf("truncated to %d bytes", fi.Size())
	}
}

func TestHDFSRecoverAfterTheWriterVanished(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{})
	crashed := e.open(t)
	p := e.root + "/in-use.tmp"
	f, err := crashed.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("committed before the crash\n")
	f.Write(data)
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("never flushed"))
	// The process dies: its connections close, its lease is no longer
	// renewed, the file stays open on the NameNode.
	crashed.Close()

	next := e.open(t)
	if _, err := next.Create(p); !errors.Is(err, ErrBeingWritten) {
		t.Fatalf("create of the abandoned file: %v, want ErrBeingWritten", err)
	}
	if err := next.Recover(p); err != nil {
		t.Fatal(err)
	}
	if e.fake != nil {
		if s := e.fake.Stats(); s.Recoveries != 1 || s.Calls["recoverLease"] != 2 {
			t.Errorf("%d recoveries in %d recoverLease calls, want one: the first call answered false, the second true", s.Recoveries, s.Calls["recoverLease"])
		}
	}
	final := e.root + "/final"
	if err := next.Rename(p, final); err != nil {
		t.Fatal(err)
	}
	if got := e.read(t, final); !bytes.Equal(got, data) {
		t.Errorf("recovered %q, want the flushed %q", got, data)
	}
	if err := next.Recover(final); err != nil {
		t.Errorf("recovering a closed file: %v", err)
	}
	if err := next.Recover(e.root + "/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("recovering a missing file: %v", err)
	}
}

func TestHDFSPipelineFailure(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{})
	e.needFake(t)
	w := e.open(t)
	packet := chunksPerPacket * 512

	t.Run("dropped before storing", func(t *testing.T) {
		p := e.root + "/dropped"
		f, err := w.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		// The block's pipeline is dropped at its second packet.
		e.fake.DropPipeline(1)
		committed := randomData(1000)
		f.Write(committed)
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Write(randomData(3 * packet))
		err = f.Flush()
		if err == nil {
			t.Fatal("Flush succeeded through a dropped pipeline")
		}
		if _, err := f.Write([]byte("more")); err == nil {
			t.Error("Write on a broken file succeeded")
		}
		closeRetrying(t, f)
		if got := e.read(t, p); !bytes.Equal(got, committed) {
			t.Errorf("after recovery the file holds %d bytes, want the %d flushed", len(got), len(committed))
		}
	})
	t.Run("dropped after storing", func(t *testing.T) {
		p := e.root + "/stored"
		f, err := w.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		// Two packets (a full one, then the Flush's), then one the
		// DataNode stores but does not acknowledge.
		e.fake.DropPipelineAfterStoring(2)
		committed := randomData(packet + 100)
		f.Write(committed)
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Write(randomData(packet))
		if err := f.Flush(); err == nil {
			t.Fatal("Flush succeeded through a dropped pipeline")
		}
		closeRetrying(t, f)
		fi, _ := w.Stat(p)
		if fi.Size() <= int64(len(committed)) {
			t.Fatalf("the recovered file has %d bytes; the DataNode should have kept the unacknowledged packet", fi.Size())
		}
		if err := w.Truncate(p, int64(len(committed))); err != nil {
			t.Fatal(err)
		}
		if got := e.read(t, p); !bytes.Equal(got, committed) {
			t.Errorf("after truncation the file holds %d bytes, want the %d flushed", len(got), len(committed))
		}
	})
}

func TestHDFSHeartbeatsKeepAnIdlePipeline(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{SocketTimeout: 300 * time.Millisecond})
	e.needFake(t)
	old := heartbeatInterval
	heartbeatInterval = 60 * time.Millisecond
	defer func() { heartbeatInterval = old }()
	w := e.open(t)
	f, err := w.Create(e.root + "/idle")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("before "))
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	// Idle for three times the DataNode's socket timeout: only the
	// heartbeats keep the pipeline.
	time.Sleep(time.Second)
	f.Write([]byte("after"))
	if err := f.Flush(); err != nil {
		t.Fatalf("flush after idling: %v", err)
	}
	closeRetrying(t, f)
	if got := e.read(t, e.root+"/idle"); string(got) != "before after" {
		t.Errorf("read back %q", got)
	}
}

func TestHDFSFailover(t *testing.T) {
	standby := hdfsfake.New(hdfsfake.Config{})
	active := hdfsfake.New(hdfsfake.Config{})
	for _, f := range []*hdfsfake.Fake{standby, active} {
		if err := f.Start(); err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	}
	standby.SetStandby(true)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	dir := t.TempDir()
	writeConf(t, dir, "hdfs-site.xml", map[string]string{
		"dfs.nameservices":                   "ns1",
		"dfs.ha.namenodes.ns1":               "nn1,nn2,nn3",
		"dfs.namenode.rpc-address.ns1.nn1":   deadAddr,
		"dfs.namenode.rpc-address.ns1.nn2":   standby.Addr(),
		"dfs.namenode.rpc-address.ns1.nn3":   active.Addr(),
		"dfs.client.use.datanode.hostname":   "false",
		"dfs.client.failover.proxy.provider": "org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider",
	})
	writeConf(t, dir, "core-site.xml", map[string]string{"fs.defaultFS": "hdfs://ns1"})
	for i, uri := range []string{"hdfs://ns1", "hdfs:///"} {
		fsys, err := OpenHDFS(context.Background(), uri, Options{HadoopConfDir: dir, User: "flume", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		f, err := fsys.Create("/ha/" + string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("through the active NameNode"))
		closeRetrying(t, f)
		fsys.Close()
	}
	if got := active.Files(); len(got) != 2 {
		t.Errorf("the active NameNode holds %v", got)
	}
	if n := standby.Stats().Calls["getServerDefaults"]; n == 0 {
		t.Error("the standby NameNode was never asked")
	}
}

func writeConf(t *testing.T, dir, name string, props map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<configuration>\n")
	for k, v := range props {
		b.WriteString("  <property><name>" + k + "</name><value>" + v + "</value></property>\n")
	}
	b.WriteString("</configuration>\n")
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHDFSOptionsRefused(t *testing.T) {
	dir := t.TempDir()
	keytab := filepath.Join(dir, "flume.keytab")
	os.WriteFile(keytab, []byte{5, 2}, 0o600)
	for _, tc := range []struct {
		name        string
		conf        map[string]string
		opts        Options
		unsupported bool
		want        string
	}{
		{"proxy user with kerberos", map[string]string{"dfs.namenode.kerberos.principal": "nn/_HOST@EXAMPLE.COM"},
			Options{ProxyUser: "etl", KerberosPrincipal: "flume@EXAMPLE.COM", KerberosKeytab: keytab}, true, "hdfs.proxyUser"},
		{"data transfer protection", map[string]string{"dfs.data.transfer.protection": "privacy"}, Options{}, true, "dfs.data.transfer.protection"},
		{"encrypted data transfer", map[string]string{"dfs.encrypt.data.transfer": "true"}, Options{}, true, "dfs.encrypt.data.transfer"},
		{"kerberos cluster without a principal", map[string]string{"hadoop.security.authentication": "kerberos"}, Options{}, false, "set hdfs.kerberosPrincipal"},
		{"principal without keytab", nil, Options{KerberosPrincipal: "flume@EXAMPLE.COM"}, false, "both hdfs.kerberosPrincipal and hdfs.kerberosKeytab"},
		{"kerberos without the NameNode's principal", nil, Options{KerberosPrincipal: "flume@EXAMPLE.COM", KerberosKeytab: keytab}, false, "dfs.namenode.kerberos.principal"},
		{"missing keytab", map[string]string{"dfs.namenode.kerberos.principal": "nn/_HOST@EXAMPLE.COM"},
			Options{KerberosPrincipal: "flume@EXAMPLE.COM", KerberosKeytab: filepath.Join(dir, "nope")}, false, "hdfs.kerberosKeytab"},
		{"name service without addresses", map[string]string{"dfs.ha.namenodes.nn": "a,b"}, Options{}, false, "dfs.namenode.rpc-address.nn.a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cdir := t.TempDir()
			writeConf(t, cdir, "hdfs-site.xml", tc.conf)
			tc.opts.HadoopConfDir = cdir
			err := Check("hdfs://nn/flume", tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check: %v, want an error naming %q", err, tc.want)
			}
			if errors.Is(err, flume.ErrUnsupported) != tc.unsupported {
				t.Errorf("Check: %v: matches flume.ErrUnsupported %v, want %v", err, !tc.unsupported, tc.unsupported)
			}
			if tc.unsupported {
				var ue *UnsupportedError
				if !errors.As(err, &ue) || ue.Key != tc.want {
					t.Errorf("Check: %v, want an UnsupportedError for %s", err, tc.want)
				}
			}
		})
	}
	if err := Check("s3a://bucket/x", Options{}); !errors.Is(err, flume.ErrUnsupported) {
		t.Errorf("Check of s3a: %v", err)
	}
}

func TestHDFSKerberosLoginFailsClearly(t *testing.T) {
	dir := t.TempDir()
	krb5 := filepath.Join(dir, "krb5.conf")
	os.WriteFile(krb5, []byte("[libdefaults]\n default_realm = EXAMPLE.COM\n dns_lookup_kdc = false\n[realms]\n EXAMPLE.COM = {\n  kdc = 127.0.0.1:1\n }\n"), 0o644)
	t.Setenv("KRB5_CONFIG", krb5)
	kt := newKeytab(t, "flume/host@EXAMPLE.COM", "secret")
	path := filepath.Join(dir, "flume.keytab")
	os.WriteFile(path, kt, 0o600)
	writeConf(t, dir, "hdfs-site.xml", map[string]string{"dfs.namenode.kerberos.principal": "nn/_HOST@EXAMPLE.COM"})
	_, err := OpenHDFS(context.Background(), "hdfs://127.0.0.1:1", Options{HadoopConfDir: dir, KerberosPrincipal: "flume/host@EXAMPLE.COM", KerberosKeytab: path, Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), "Kerberos login as flume/host@EXAMPLE.COM") {
		t.Fatalf("open with an unreachable KDC: %v", err)
	}
}

func TestHDFSUnresponsiveNameNode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // read nothing, answer nothing
		}
	}()
	start := time.Now()
	_, err = OpenHDFS(context.Background(), "hdfs://"+ln.Addr().String(), Options{User: "flume", Timeout: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("open against a silent NameNode succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("open gave up after %v, with a timeout of 300ms", d)
	}
	ln.Close()
	<-done
	for _, c := range conns {
		c.Close()
	}
}

func TestHDFSClosedFileSystem(t *testing.T) {
	e := newHDFSEnv(t, hdfsfake.Config{})
	w := e.open(t)
	f, err := w.Create(e.root + "/open")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	f.Flush()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Flush(); err == nil {
		t.Error("flush after the file system closed succeeded")
	}
	if _, err := w.Create(e.root + "/other"); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("create on a closed file system: %v", err)
	}
}

func newKeytab(t *testing.T, principal, password string) []byte {
	t.Helper()
	name, realm, _ := strings.Cut(principal, "@")
	kt := keytab.New()
	if err := kt.AddEntry(name, realm, password, time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	b, err := kt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
