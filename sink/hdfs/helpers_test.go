package hdfs

import (
	"bytes"
	"context"
	"encoding/binary"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/dfs"
	"github.com/flumego/flume/internal/dfs/dfstest"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/hadoopcodec/codectest"
	"github.com/flumego/flume/serializer"
)

// fakeClock is a manual clock: time moves only by Advance, which fires
// the timers it passes.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	clock *fakeClock
	at    time.Time
	c     chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) TimerAt(at time.Time) timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, at: at, c: make(chan time.Time, 1)}
	if !at.After(c.now) {
		t.c <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock on by d and fires the timers due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		select {
		case t.c <- c.now:
		default:
		}
	}
	c.timers = kept
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	for i, o := range t.clock.timers {
		if o == t {
			t.clock.timers = append(t.clock.timers[:i], t.clock.timers[i+1:]...)
			return true
		}
	}
	return false
}

// settings are a sink's settings with a registry holding the serializers.
func settings(t testing.TB) flume.Settings {
	t.Helper()
	reg := flume.NewRegistry()
	if err := serializer.Register(reg); err != nil {
		t.Fatal(err)
	}
	return flume.Settings{Name: "k1", Agent: "a1", Registry: reg, Logger: testLogger}
}

// rig is a started sink writing under dir through a fault injector, with
// a manual clock.
type rig struct {
	s     *Sink
	ch    *memory.Channel
	dir   string
	clock *fakeClock
	fs    *dfstest.Faulty
	props map[string]string
	// wrap, when set, wraps the fault injector (before Start).
	wrap func(dfs.FileSystem) dfs.FileSystem
}

// newRig starts a sink with props; hdfs.path is relative to the rig's
// directory unless absolute or given with a scheme.
func newRig(t *testing.T, props map[string]string) *rig {
	t.Helper()
	return newRigWrapped(t, props, nil)
}

// newRigWrapped is newRig with the file system wrapped by wrap.
func newRigWrapped(t *testing.T, props map[string]string, wrap func(dfs.FileSystem) dfs.FileSystem) *rig {
	t.Helper()
	r := &rig{dir: t.TempDir(), clock: newFakeClock(), props: map[string]string{}, wrap: wrap}
	r.fs = dfstest.NewFaulty(dfs.Local{})
	for k, v := range props {
		r.props[k] = v
	}
	if r.props["hdfs.path"] == "" {
		r.props["hdfs.path"] = "out"
	}
	if p := r.props["hdfs.path"]; !strings.Contains(p, ":") && !strings.HasPrefix(p, "/") {
		r.props["hdfs.path"] = "file://" + filepath.Join(r.dir, p)
	}
	if r.props["hdfs.recoveryDir"] == "" {
		r.props["hdfs.recoveryDir"] = filepath.Join(r.dir, "recovery")
	}
	r.ch = flumetest.MemoryChannel(t, 10000, 1000, 0)
	r.start(t)
	return r
}

func (r *rig) start(t *testing.T) {
	t.Helper()
	s, err := Factory(settings(t), flume.ContextFromMap(r.props), r.ch)
	if err != nil {
		t.Fatal(err)
	}
	r.s = s.(*Sink)
	r.s.clock = r.clock
	open := r.s.openFS
	r.s.openFS = func() (*mounted, error) {
		m, err := open()
		if err != nil {
			return nil, err
		}
		m.fs = r.fs
		if r.wrap != nil {
			m.fs = r.wrap(r.fs)
		}
		return m, nil
	}
	if err := r.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := r.s
	t.Cleanup(func() { _ = stopped.Stop(context.Background()) })
}

func (r *rig) stop(t *testing.T) {
	t.Helper()
	if err := r.s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// put puts events with bodies and optional headers (name, value pairs).
func (r *rig) put(t *testing.T, events ...flume.Event) { flumetest.Put(t, r.ch, events...) }

// drain runs Process until the channel is empty, failing on errors.
func (r *rig) drain(t *testing.T) {
	t.Helper()
	for r.ch.Len() > 0 {
		if _, err := r.s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func ev(body string, headers ...string) flume.Event {
	e := flume.NewEvent([]byte(body))
	for i := 0; i+1 < len(headers); i += 2 {
		e.SetHeader(headers[i], headers[i+1])
	}
	return e
}

// files returns the regular files under dir (relative, slash-separated,
// sorted), the in-use record directory excluded.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "recovery" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func lines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// seqRecords reads a SequenceFile with this test's own decoder (blocks
// decompressed by codectest's independent tools) and returns its keys,
// values and value class.
func seqRecords(t *testing.T, data []byte) (keys []int64, values [][]byte, valueClass string) {
	t.Helper()
	p := 0
	need := func(n int) []byte {
		t.Helper()
		if n < 0 || p+n > len(data) {
			t.Fatalf("SequenceFile truncated at %d (need %d of %d)", p, n, len(data))
		}
		b := data[p : p+n]
		p += n
		return b
	}
	vint := func(next func(int) []byte) int {
		first := int8(next(1)[0])
		if first >= -112 {
			return int(first)
		}
		n := int(-112 - first)
		v := 0
		for _, c := range next(n) {
			v = v<<8 | int(c)
		}
		return v
	}
	text := func() string { return string(need(vint(need))) }
	if string(need(4)) != "SEQ\x06" {
		t.Fatal("not a SequenceFile")
	}
	if k := text(); k != "org.apache.hadoop.io.LongWritable" {
		t.Fatalf("key class %s", k)
	}
	valueClass = text()
	flags := need(2)
	codec := ""
	if flags[0] == 1 {
		codec = text()
		codec = codec[strings.LastIndexByte(codec, '.')+1:]
	}
	if binary.BigEndian.Uint32(need(4)) != 0 {
		t.Fatal("metadata")
	}
	sync := need(16)
	for p < len(data) {
		n := int(int32(binary.BigEndian.Uint32(need(4))))
		if n == -1 {
			if !bytes.Equal(need(16), sync) {
				t.Fatal("bad sync marker")
			}
			if flags[1] == 1 {
				count := vint(need)
				var bufs [4][]byte
				for i := range bufs {
					bufs[i] = codectest.Decompress(t, codec, need(vint(need)))
				}
				kl, k, vl, v := bufs[0], bufs[1], bufs[2], bufs[3]
				from := func(b *[]byte) func(int) []byte {
					return func(n int) []byte { out := (*b)[:n]; *b = (*b)[n:]; return out }
				}
				for range count {
					kn, vn := vint(from(&kl)), vint(from(&vl))
					keys = append(keys, int64(binary.BigEndian.Uint64(from(&k)(kn))))
					values = append(values, from(&v)(vn))
				}
			}
			continue
		}
		kn := int(binary.BigEndian.Uint32(need(4)))
		rec := need(n)
		keys = append(keys, int64(binary.BigEndian.Uint64(rec[:kn])))
		values = append(values, rec[kn:])
	}
	return keys, values, valueClass
}

var testLogger = func() *slog.Logger {
	if os.Getenv("HDFS_SINK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}()
