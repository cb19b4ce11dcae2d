package fileroll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/serializer"
	"github.com/linkedin/goavro/v2"
)

// settings are a sink's settings with a registry holding the serializers.
func settings(t testing.TB) flume.Settings {
	t.Helper()
	reg := flume.NewRegistry()
	if err := serializer.Register(reg); err != nil {
		t.Fatal(err)
	}
	return flume.Settings{Name: "k1", Registry: reg}
}

func newSink(t *testing.T, props map[string]string) (*Sink, *memory.Channel, string) {
	t.Helper()
	s, ch, dir, _ := newCountedSink(t, props)
	return s, ch, dir
}

// newCountedSink is newSink that also returns the counters the sink
// publishes (as "k1").
func newCountedSink(t *testing.T, props map[string]string) (*Sink, *memory.Channel, string, *flumetest.Counters) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out") // does not exist yet: Start creates it
	props["sink.directory"] = dir
	ch := flumetest.MemoryChannel(t, 1000, 1000, 0)
	counters := &flumetest.Counters{}
	set := settings(t)
	set.Publisher = counters.Settings(set.Name).Publisher
	s, err := Factory(set, flume.ContextFromMap(props), ch)
	if err != nil {
		t.Fatal(err)
	}
	fs := s.(*Sink)
	if err := fs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fs.Stop(context.Background()) })
	return fs, ch, dir, counters
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestTextOneLinePerEventNoRoll(t *testing.T) {
	s, ch, dir, counters := newCountedSink(t, map[string]string{"sink.rollInterval": "0", "sink.batchSize": "7"})
	for i := 0; i < 20; i++ {
		flumetest.Put(t, ch, flume.NewEvent([]byte("line "+strconv.Itoa(i))))
	}
	for ch.Len() > 0 {
		if _, err := s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	names := files(t, dir)
	if len(names) != 1 {
		t.Fatalf("files %v, want one (rollInterval 0)", names)
	}
	data, _ := os.ReadFile(filepath.Join(dir, names[0]))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 20 || lines[0] != "line 0" || lines[19] != "line 19" {
		t.Fatalf("file holds %d lines: %q", len(lines), lines)
	}
	if drained, files := counters.Get("k1", "EventDrainSuccessCount"), counters.Get("k1", "ConnectionCreatedCount"); drained != 20 || files != 1 {
		t.Fatalf("counters: drained %d, files %d", drained, files)
	}
}

func TestRollsByTimeWithPrefixAndExtension(t *testing.T) {
	s, ch, dir := newSink(t, map[string]string{"sink.rollInterval": "30", "sink.pathManager.prefix": "web-", "sink.pathManager.extension": "log"})
	clock := time.Unix(1700000000, 0)
	s.now = func() time.Time { return clock }
	flumetest.Put(t, ch, flume.NewEvent([]byte("a")))
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(31 * time.Second) // past the roll time
	flumetest.Put(t, ch, flume.NewEvent([]byte("b")))
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := files(t, dir)
	start := strconv.FormatInt(s.startMillis, 10)
	if len(names) != 2 || names[0] != "web-"+start+"-1.log" || names[1] != "web-"+start+"-2.log" {
		t.Fatalf("files %v, want web-%s-1.log and -2.log", names, start)
	}
	a, _ := os.ReadFile(filepath.Join(dir, names[0]))
	b, _ := os.ReadFile(filepath.Join(dir, names[1]))
	if string(a) != "a\n" || string(b) != "b\n" {
		t.Fatalf("contents %q, %q", a, b)
	}
}

func TestRollTimePathManager(t *testing.T) {
	s, ch, dir := newSink(t, map[string]string{"sink.pathManager": "rolltime", "sink.rollInterval": "0"})
	s.now = func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.Local) }
	flumetest.Put(t, ch, flume.NewEvent([]byte("x")))
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	if names := files(t, dir); len(names) != 1 || names[0] != "20240506070809-1" {
		t.Fatalf("files %v", names)
	}
}

func TestHeaderAndText(t *testing.T) {
	s, ch, dir := newSink(t, map[string]string{"sink.serializer": "header_and_text", "sink.rollInterval": "0"})
	flumetest.Put(t, ch, flumetest.EventWithHeaders([]byte("body"), map[string]string{"b": "2", "a": "1"}))
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, files(t, dir)[0]))
	if string(data) != "{a=1, b=2} body\n" {
		t.Fatalf("content %q", data)
	}
}

func TestAvroEventReadable(t *testing.T) {
	s, ch, dir := newSink(t, map[string]string{"sink.serializer": "avro_event", "sink.serializer.compressionCodec": "deflate", "sink.rollInterval": "0"})
	flumetest.Put(t, ch, flumetest.Event("one", "h", "v"), flume.NewEvent([]byte("two")))
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, files(t, dir)[0]))
	r, err := goavro.NewOCFReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for r.Scan() {
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		m := rec.(map[string]any)
		bodies = append(bodies, string(m["body"].([]byte)))
		if len(bodies) == 1 && m["headers"].(map[string]any)["h"] != "v" {
			t.Fatalf("headers %v", m["headers"])
		}
	}
	if strings.Join(bodies, ",") != "one,two" {
		t.Fatalf("bodies %q", bodies)
	}
}

func TestIdleSinkOpensAFile(t *testing.T) {
	s, _, dir := newSink(t, map[string]string{"sink.rollInterval": "0"})
	if st, err := s.Process(context.Background()); st != flume.Backoff || err != nil {
		t.Fatalf("Process = %v, %v", st, err)
	}
	if names := files(t, dir); len(names) != 1 {
		t.Fatalf("files %v, want one empty file as Flume", names)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, props := range []map[string]string{
		{},
		{"sink.directory": "/tmp", "sink.serializer": "json"},
		{"sink.directory": "/tmp", "sink.batchSize": "0"},
		{"sink.directory": "/tmp", "sink.pathManager": "other"},
	} {
		if _, err := Factory(settings(t), flume.ContextFromMap(props), nil); err == nil {
			t.Errorf("config %v accepted", props)
		}
	}
}

// framed is a plugin's serializer with a header and a trailer, to check
// that the sink drives the serializer contract: AfterCreate when it opens a
// file, Flush before each commit, Flush and BeforeClose when it closes one.
type framed struct {
	w       io.Writer
	pending []string
	sep     string
}

func (f *framed) AfterCreate() error { _, err := io.WriteString(f.w, "BEGIN\n"); return err }
func (f *framed) AfterReopen() error { return errors.New("no reopen") }
func (f *framed) Write(e flume.Event) error {
	f.pending = append(f.pending, string(e.Body)) // buffered until Flush, as an Avro block is
	return nil
}
func (f *framed) Flush() error {
	if len(f.pending) == 0 {
		return nil
	}
	_, err := io.WriteString(f.w, strings.Join(f.pending, f.sep)+"\n")
	f.pending = f.pending[:0]
	return err
}
func (f *framed) BeforeClose() error   { _, err := io.WriteString(f.w, "END\n"); return err }
func (f *framed) SupportsReopen() bool { return false }

func TestPluginSerializerContract(t *testing.T) {
	set := settings(t)
	if err := set.Registry.RegisterEventSerializer("com.example.Framed$Builder", func(_ flume.Settings, cfg *flume.Context) (flume.EventSerializerBuilder, error) {
		sep := cfg.String("sep", ",")
		return func(w io.Writer) flume.EventSerializer { return &framed{w: w, sep: sep} }, nil
	}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ch := flumetest.MemoryChannel(t, 1000, 1000, 0)
	cfg := flume.ContextFromMap(map[string]string{"sink.directory": dir, "sink.rollInterval": "30", "sink.batchSize": "2",
		"sink.serializer": "com.example.Framed$Builder", "sink.serializer.sep": ";"})
	k, err := Factory(set, cfg, ch)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Fatalf("unread keys %v", u)
	}
	s := k.(*Sink)
	clock := time.Unix(1700000000, 0)
	s.now = func() time.Time { return clock }
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"a", "b", "c"} {
		flumetest.Put(t, ch, flume.NewEvent([]byte(b)))
	}
	for range 2 { // two commits: a b, then c
		if _, err := s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	clock = clock.Add(31 * time.Second) // roll: the first file gets its trailer
	flumetest.Put(t, ch, flume.NewEvent([]byte("d")))
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := files(t, dir)
	if len(names) != 2 {
		t.Fatalf("files %v", names)
	}
	for i, want := range []string{"BEGIN\na;b\nc\nEND\n", "BEGIN\nd\nEND\n"} {
		if got, _ := os.ReadFile(filepath.Join(dir, names[i])); string(got) != want {
			t.Errorf("%s = %q, want %q", names[i], got, want)
		}
	}
}

// TestAvroEventBlocksPerCommit: each commit ends an Avro block, and a
// rolled file is a complete container.
func TestAvroEventBlocksPerCommit(t *testing.T) {
	s, ch, dir := newSink(t, map[string]string{"sink.serializer": "AVRO_EVENT", "sink.batchSize": "3", "sink.rollInterval": "0"})
	for i := range 7 {
		flumetest.Put(t, ch, flume.NewEvent([]byte(strconv.Itoa(i))))
	}
	for ch.Len() > 0 {
		if _, err := s.Process(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, files(t, dir)[0]))
	r, err := goavro.NewOCFReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []int64
	var bodies []string
	var left int64
	for r.Scan() {
		if left == 0 {
			blocks = append(blocks, r.RemainingBlockItems())
		}
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		left = r.RemainingBlockItems()
		bodies = append(bodies, string(rec.(map[string]any)["body"].([]byte)))
	}
	if r.Err() != nil || strings.Join(bodies, "") != "0123456" || fmt.Sprint(blocks) != "[3 3 1]" {
		t.Fatalf("bodies %v in blocks %v (want 3 3 1), err %v", bodies, blocks, r.Err())
	}
}
