package hdfs

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/hdfsfake"
	"github.com/flumego/flume/internal/seqreader"
)

// The tests of this file write to hdfs:// through the real client, to the
// in-repo fake NameNode and DataNode (internal/hdfsfake), which refuses
// the first complete of every file as a NameNode does before the block
// report, and can drop a write pipeline on demand.

func startFake(t *testing.T) *hdfsfake.Fake {
	t.Helper()
	f := hdfsfake.New(hdfsfake.Config{})
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// fakeRig is a started sink writing to the fake, with a manual clock.
type fakeRig struct {
	s     *Sink
	ch    flume.Channel
	fake  *hdfsfake.Fake
	clock *fakeClock
	props map[string]string
}

func newFakeRig(t *testing.T, fake *hdfsfake.Fake, props map[string]string) *fakeRig {
	t.Helper()
	t.Setenv("HADOOP_USER_NAME", "flume")
	r := &fakeRig{fake: fake, clock: newFakeClock(), props: map[string]string{}}
	for k, v := range props {
		r.props[k] = v
	}
	r.props["hdfs.path"] = fake.URL() + r.props["hdfs.path"]
	if r.props["hdfs.recoveryDir"] == "" {
		r.props["hdfs.recoveryDir"] = filepath.Join(t.TempDir(), "recovery")
	}
	r.ch = flumetest.MemoryChannel(t, 10000, 1000, 0)
	r.start(t)
	return r
}

func (r *fakeRig) start(t *testing.T) {
	t.Helper()
	s, err := Factory(settings(t), flume.ContextFromMap(r.props), r.ch)
	if err != nil {
		t.Fatal(err)
	}
	r.s = s.(*Sink)
	r.s.clock = r.clock
	if err := r.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := r.s
	t.Cleanup(func() { _ = stopped.Stop(context.Background()) })
}

func (r *fakeRig) drain(t *testing.T) {
	t.Helper()
	for r.ch.(interface{ Len() int }).Len() > 0 {
		if _, err := r.s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeFiles returns the fake's files under /flume, and fails when one is
// still open or in use.
func fakeFiles(t *testing.T, fake *hdfsfake.Fake, closed bool) []string {
	t.Helper()
	var out []string
	for _, p := range fake.Files() {
		if !strings.HasPrefix(p, "/flume/") {
			continue
		}
		if closed {
			st, err := fake.Stat(p)
			if err != nil || st.UnderConstruction || strings.HasSuffix(p, ".tmp") {
				t.Fatalf("%s: still open or in use (%+v, %v)", p, st, err)
			}
		}
		out = append(out, p)
	}
	return out
}

// SequenceFiles written to HDFS, in buckets, read back by the independent
// reader (internal/seqreader): every event once, in order.
func TestFakeHDFSSequenceFiles(t *testing.T) {
	for _, codec := range []string{"", "gzip", "snappy"} {
		t.Run("codec="+codec, func(t *testing.T) {
			fake := startFake(t)
			props := map[string]string{"hdfs.path": "/flume/%{app}/%Y%m%d", "hdfs.useLocalTimeStamp": "true",
				"hdfs.rollCount": "7", "hdfs.rollSize": "0", "hdfs.batchSize": "5", "hdfs.writeFormat": "Text"}
			if codec != "" {
				props["hdfs.codeC"] = codec
			}
			r := newFakeRig(t, fake, props)
			for i := range 30 {
				flumetest.Put(t, r.ch, ev("event "+strconv.Itoa(i), "app", []string{"web", "db"}[i%2]))
			}
			r.drain(t)
			if err := r.s.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, p := range fakeFiles(t, fake, true) {
				data, err := fake.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				h, recs, err := seqreader.ReadAll(bytes.NewReader(data), seqreader.Limits{})
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if h.ValueClass != "org.apache.hadoop.io.Text" || (codec != "" && h.Compression != seqreader.CompressBlock) {
					t.Fatalf("%s: header %+v", p, h)
				}
				for _, rec := range recs {
					text, err := seqreader.Text(rec.Value)
					if err != nil {
						t.Fatal(err)
					}
					app := strings.Split(p, "/")[2]
					got[app] = append(got[app], text)
				}
			}
			for app, first := range map[string]int{"web": 0, "db": 1} {
				if len(got[app]) != 15 {
					t.Fatalf("%s: %d events: %q", app, len(got[app]), got[app])
				}
				for j, e := range got[app] {
					if e != "event "+strconv.Itoa(first+2*j) {
						t.Fatalf("%s: event %d is %q", app, j, e)
					}
				}
			}
			if st := fake.Stats(); st.CompleteRefusals < len(fakeFiles(t, fake, true)) || st.Refused != 0 {
				t.Fatalf("stats %+v: every file's first complete is refused, and nothing unimplemented may be asked", st)
			}
		})
	}
}

// fakeLines returns the lines of the fake's files under /flume.
func fakeLines(t *testing.T, fake *hdfsfake.Fake, closed bool) []string {
	t.Helper()
	var out []string
	for _, p := range fakeFiles(t, fake, closed) {
		data, err := fake.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, lines(data)...)
	}
	return out
}

// The DataNode drops the write pipeline of a file's second block in the
// middle of a batch: the batch rolls back, the file is closed (its lease
// recovered) and cut back to its last committed batch, and the batch goes
// to a new file: every event exactly once.
func TestFakeDataNodeDropsPipeline(t *testing.T) {
	fake := hdfsfake.New(hdfsfake.Config{BlockSize: 1 << 20})
	if err := fake.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fake.Close() })
	r := newFakeRig(t, fake, map[string]string{"hdfs.path": "/flume", "hdfs.fileType": "DataStream",
		"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.batchSize": "1000"})
	body := strings.Repeat("x", 990)
	put := func(from, to int) {
		for i := from; i < to; i++ {
			flumetest.Put(t, r.ch, ev(strconv.Itoa(i)+" "+body))
		}
	}
	put(0, 600) // ~600 kB: the first block
	r.drain(t)
	fake.DropPipeline(0) // the second block's pipeline
	put(600, 1200)       // crosses into the second block
	if _, err := r.s.Process(context.Background()); err == nil {
		t.Fatal("the dropped pipeline went unnoticed")
	}
	if n := r.ch.(interface{ Len() int }).Len(); n != 600 {
		t.Fatalf("%d events back in the channel, want the batch of 600", n)
	}
	r.drain(t)
	if err := r.s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := fakeLines(t, fake, true)
	if len(got) != 1200 {
		t.Fatalf("%d events, want 1200 exactly once", len(got))
	}
	for i, l := range got {
		if !strings.HasPrefix(l, strconv.Itoa(i)+" ") {
			t.Fatalf("event %d: %.20q", i, l)
		}
	}
	if st := fake.Stats(); st.Dropped != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// A sink that died with a file open on HDFS (its lease held by a client
// that is gone) has it recovered and renamed by the next start.
func TestFakeRecoveryOfAFileLeftOpen(t *testing.T) {
	fake := startFake(t)
	props := map[string]string{"hdfs.path": "/flume", "hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "0",
		"hdfs.recoveryDir": filepath.Join(t.TempDir(), "rec")}
	r := newFakeRig(t, fake, props)
	for i := range 5 {
		flumetest.Put(t, r.ch, ev("event "+strconv.Itoa(i)))
	}
	r.drain(t)
	// The crash: the background goroutine and the record go, the client
	// disconnects without closing the file.
	r.s.lifeMu.Lock()
	r.s.stop()
	<-r.s.bgDone
	r.s.running, r.s.bgDone = false, nil
	r.s.started.Store(false)
	r.s.rec.f.Close()
	r.s.rec.f = nil
	r.s.mnt.fs.Close()
	r.s.lifeMu.Unlock()
	files := fakeFiles(t, fake, false)
	if st, _ := fake.Stat(files[0]); len(files) != 1 || !st.UnderConstruction || !strings.HasSuffix(files[0], ".tmp") {
		t.Fatalf("at the crash: %v %+v", files, st)
	}
	r.start(t)
	flumetest.WaitFor(t, 10*time.Second, "the file recovered and renamed", func() bool {
		fs := fakeFiles(t, fake, false)
		return len(fs) == 1 && !strings.HasSuffix(fs[0], ".tmp")
	})
	if got := fakeLines(t, fake, true); strings.Join(got, ",") != "event 0,event 1,event 2,event 3,event 4" {
		t.Fatalf("recovered %q", got)
	}
	if st := fake.Stats(); st.Recoveries == 0 {
		t.Fatalf("stats %+v: no lease recovery", st)
	}
}
