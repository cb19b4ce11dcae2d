package spooldir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/deserializer"
	"github.com/flumego/flume/internal/charset"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/linkedin/goavro/v2"
)

// harness is a started source reading dir into a memory channel (or
// through proc), with its logs.
type harness struct {
	t    *testing.T
	dir  string
	ch   *memory.Channel
	src  *Source
	logs *flumetest.LogBuffer
	got  []flume.Event
	// counters holds what the source publishes (as "r1").
	counters flumetest.Counters
}

// counter returns the source's published counter attr.
func (h *harness) counter(attr string) int64 { return h.counters.Get("r1", attr) }

func registry(t testing.TB) *flume.Registry {
	r := flume.NewRegistry()
	if err := errors.Join(deserializer.Register(r), Register(r)); err != nil {
		t.Fatal(err)
	}
	return r
}

// build builds a source on dir with props (spoolDir added, pollDelay 20 ms
// unless set).
func build(t testing.TB, dir string, props map[string]string, out flume.ChannelProcessor, logs *flumetest.LogBuffer) *Source {
	t.Helper()
	return buildCounted(t, dir, props, out, logs, &flumetest.Counters{})
}

// buildCounted is build, publishing the source's counters in counters.
func buildCounted(t testing.TB, dir string, props map[string]string, out flume.ChannelProcessor, logs *flumetest.LogBuffer, counters *flumetest.Counters) *Source {
	t.Helper()
	all := map[string]string{"spoolDir": dir, "pollDelay": "20"}
	for k, v := range props {
		all[k] = v
	}
	cfg := flume.ContextFromMap(all)
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	set := counters.Settings("r1")
	set.Logger, set.Registry = log, registry(t)
	src, err := Factory(set, cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) > 0 {
		t.Fatalf("unused keys %v", u)
	}
	return src.(*Source)
}

// run starts a source on dir writing to a new memory channel (through
// proc's wrapping, when set).
func run(t *testing.T, dir string, props map[string]string, wrap func(flume.ChannelProcessor) flume.ChannelProcessor) *harness {
	t.Helper()
	h := &harness{t: t, dir: dir, ch: flumetest.MemoryChannel(t, 100000, 10000, 0), logs: &flumetest.LogBuffer{}}
	var out flume.ChannelProcessor = flumetest.Processor(h.ch)
	if wrap != nil {
		out = wrap(out)
	}
	h.src = buildCounted(t, dir, props, out, h.logs, &h.counters)
	if err := h.src.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.stop() })
	return h
}

func (h *harness) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.src.Stop(ctx); err != nil {
		h.t.Errorf("stop: %v", err)
	}
}

// take collects the events put so far.
func (h *harness) take() []flume.Event {
	h.got = append(h.got, flumetest.TakeAll(h.t, h.ch)...)
	return h.got
}

// waitBodies waits until n events arrived and returns their bodies.
func (h *harness) waitBodies(n int) []string {
	h.t.Helper()
	flumetest.WaitFor(h.t, 20*time.Second, fmt.Sprintf("%d events", n), func() bool { return len(h.take()) >= n })
	return bodies(h.got)
}

// waitExists waits for path to exist.
func (h *harness) waitExists(path string) {
	h.t.Helper()
	flumetest.WaitFor(h.t, 20*time.Second, path, func() bool { _, err := os.Lstat(path); return err == nil })
}

func bodies(events []flume.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = string(e.Body)
	}
	return out
}

// write writes a file with the lines, modified at mtime (when not zero).
func write(t testing.TB, path string, content string, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mtime.IsZero() {
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

func lines(prefix string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s-%d\n", prefix, i)
	}
	return b.String()
}

func names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestReadsOldestFirstAndRenames(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	write(t, filepath.Join(dir, "c.log"), lines("c", 3), base.Add(1*time.Second))
	write(t, filepath.Join(dir, "a.log"), lines("a", 3), base.Add(2*time.Second))
	write(t, filepath.Join(dir, "b.log"), lines("b", 250), base.Add(2*time.Second)) // same ms as a: by name
	h := run(t, dir, map[string]string{"batchSize": "100"}, nil)
	got := h.waitBodies(256)
	want := strings.Split(strings.TrimSuffix(lines("c", 3)+lines("a", 3)+lines("b", 250), "\n"), "\n")
	if !slices.Equal(got, want) {
		t.Fatalf("order: got %q...", got[:8])
	}
	h.waitExists(filepath.Join(dir, "b.log.COMPLETED"))
	if n := names(t, dir); !slices.Equal(n, []string{".flumespool", "a.log.COMPLETED", "b.log.COMPLETED", "c.log.COMPLETED"}) {
		t.Fatalf("directory: %v", n)
	}
	flumetest.WaitFor(t, 5*time.Second, "tracker file emptied (Flume reads it as none)", func() bool {
		fi, err := os.Stat(filepath.Join(dir, ".flumespool", metaFileName))
		return err == nil && fi.Size() == 0
	})
	flumetest.WaitFor(t, 5*time.Second, "the counters", func() bool { return h.counter("AppendBatchAcceptedCount") == 5 })
	if h.counter("EventAcceptedCount") != 256 || h.counter("EventReceivedCount") != 256 || h.counter("AppendBatchReceivedCount") != 5 {
		t.Fatalf("counters: accepted %d received %d batches %d", h.counter("EventAcceptedCount"), h.counter("EventReceivedCount"), h.counter("AppendBatchAcceptedCount"))
	}
	// A file dropped later is read too; the done ones are not read again.
	write(t, filepath.Join(dir, "d.log"), lines("d", 2), time.Time{})
	if got := h.waitBodies(258); got[256] != "d-1" || got[257] != "d-2" {
		t.Fatalf("later file: %q", got[256:])
	}
	time.Sleep(100 * time.Millisecond) // several scans
	if n := len(h.take()); n != 258 {
		t.Fatalf("%d events after more scans, want 258", n)
	}
}

func TestYoungestFirst(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	write(t, filepath.Join(dir, "old"), "old\n", base)
	write(t, filepath.Join(dir, "new"), "new\n", base.Add(time.Minute))
	write(t, filepath.Join(dir, "mid"), "mid\n", base.Add(time.Second))
	h := run(t, dir, map[string]string{"consumeOrder": "YOUNGEST"}, nil)
	if got := h.waitBodies(3); !slices.Equal(got, []string{"new", "mid", "old"}) {
		t.Fatalf("youngest: %q", got)
	}
}

func TestRandomOrderReadsEverything(t *testing.T) {
	dir := t.TempDir()
	for i := range 20 {
		write(t, filepath.Join(dir, fmt.Sprintf("f%02d", i)), fmt.Sprintf("line %02d\n", i), time.Time{})
	}
	h := run(t, dir, map[string]string{"consumeOrder": "random"}, nil)
	got := h.waitBodies(20)
	slices.Sort(got)
	for i, b := range got {
		if b != fmt.Sprintf("line %02d", i) {
			t.Fatalf("random: %q", got)
		}
	}
}

func TestHeadersAndEmptyFile(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	write(t, filepath.Join(dir, "data.log"), "x\n", base)
	write(t, filepath.Join(dir, "empty.log"), "", base.Add(time.Second))
	h := run(t, dir, map[string]string{"fileHeader": "true", "basenameHeader": "true", "basenameHeaderKey": "name"}, nil)
	h.waitBodies(2)
	abs, _ := filepath.Abs(filepath.Join(dir, "data.log"))
	if f, _ := h.got[0].Header("file"); f != abs {
		t.Fatalf("file header %q, want %q", f, abs)
	}
	if n, _ := h.got[0].Header("name"); n != "data.log" {
		t.Fatalf("basename header %q", n)
	}
	// An empty file is one empty event, with the headers (Flume's FLUME-2318).
	if len(h.got[1].Body) != 0 || h.got[1].HeaderCount() != 2 {
		t.Fatalf("empty file event %q with %d headers", h.got[1].Body, h.got[1].HeaderCount())
	}
	h.waitExists(filepath.Join(dir, "empty.log.COMPLETED"))
}

func TestWhichFilesAreRead(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	for name, content := range map[string]string{
		"app.log": "app\n", "app.tmp": "tmp\n", ".hidden.log": "hidden\n", "done.log.COMPLETED": "done\n",
		"sub/nested.log": "nested\n", "skip.tmp/inner.log": "skipdir\n", ".dot/inner.log": "dotdir\n", "other.txt": "txt\n",
	} {
		write(t, filepath.Join(dir, name), content, base)
	}
	if err := os.Symlink(filepath.Join(dir, "other.txt"), filepath.Join(dir, "link.log")); err != nil {
		t.Fatal(err)
	}
	h := run(t, dir, map[string]string{
		"recursiveDirectorySearch": "true", "includePattern": `.*\.log`, "ignorePattern": `^.*\.tmp$`,
	}, nil)
	got := h.waitBodies(3)
	slices.Sort(got)
	if !slices.Equal(got, []string{"app", "nested", "txt"}) {
		t.Fatalf("read %q", got)
	}
	h.waitExists(filepath.Join(dir, "sub", "nested.log.COMPLETED"))
	h.waitExists(filepath.Join(dir, "link.log.COMPLETED"))
	time.Sleep(100 * time.Millisecond)
	if n := len(h.take()); n != 3 {
		t.Fatalf("%d events, want 3", n)
	}
}

func TestDeleteImmediately(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), lines("a", 5), time.Time{})
	h := run(t, dir, map[string]string{"deletePolicy": "immediate"}, nil)
	h.waitBodies(5)
	flumetest.WaitFor(t, 5*time.Second, "a.log deleted", func() bool { return slices.Equal(names(t, dir), []string{".flumespool"}) })
}

func TestTrackerDirPolicy(t *testing.T) {
	dir, tracker := t.TempDir(), t.TempDir()
	write(t, filepath.Join(dir, "a.log"), "a\n", time.Time{})
	write(t, filepath.Join(dir, "sub", "b.log"), "b\n", time.Time{})
	h := run(t, dir, map[string]string{"trackingPolicy": "tracker_dir", "trackerDir": tracker, "recursiveDirectorySearch": "true"}, nil)
	h.waitBodies(2)
	h.waitExists(filepath.Join(tracker, "a.log.COMPLETED"))
	h.waitExists(filepath.Join(tracker, "sub", "b.log.COMPLETED"))
	time.Sleep(100 * time.Millisecond)
	if n := len(h.take()); n != 2 {
		t.Fatalf("%d events: files with a marker were read again", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.log")); err != nil {
		t.Fatalf("tracker_dir must leave the file: %v", err)
	}
}

// flakyProcessor refuses the first refusals batches, after compacting the
// refused slice in place as an interceptor dropping events may.
type flakyProcessor struct {
	next     flume.ChannelProcessor
	refusals atomic.Int32
}

func (p *flakyProcessor) Process(ctx context.Context, events []flume.Event) error {
	if p.refusals.Add(-1) >= 0 {
		copy(events, events[1:]) // what an interceptor that drops the first event leaves behind
		events[len(events)-1].Body = []byte("garbage")
		return fmt.Errorf("%w: full", flume.ErrChannel)
	}
	return p.next.Process(ctx, events)
}

func TestRefusedBatchIsReadAgain(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), lines("a", 30), time.Time{})
	flaky := &flakyProcessor{}
	flaky.refusals.Store(3)
	h := run(t, dir, map[string]string{"batchSize": "10", "maxBackoff": "10"}, func(p flume.ChannelProcessor) flume.ChannelProcessor {
		flaky.next = p
		return flaky
	})
	got := h.waitBodies(30)
	if want := strings.Split(strings.TrimSuffix(lines("a", 30), "\n"), "\n"); !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
	if n := h.counter("ChannelWriteFail"); n != 3 {
		t.Fatalf("ChannelWriteFail %d, want 3", n)
	}
	h.logs.WaitLine(t, "channels accept batches again", 5*time.Second)
}

// gate holds the first Process call until released.
type gate struct {
	next    flume.ChannelProcessor
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int32
	blockOn int32
}

func newGate(blockOn int32) *gate {
	return &gate{entered: make(chan struct{}), release: make(chan struct{}), blockOn: blockOn}
}

func (g *gate) Process(ctx context.Context, events []flume.Event) error {
	if g.calls.Add(1) == g.blockOn {
		close(g.entered)
		select {
		case <-g.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.next.Process(ctx, events)
}

func (g *gate) wrap(p flume.ChannelProcessor) flume.ChannelProcessor { g.next = p; return g }

func TestFileChangedAfterPickUpIsReadOnLater(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "growing.log")
	write(t, path, lines("g", 10), time.Now().Add(-time.Minute))
	g := newGate(1)
	h := run(t, dir, map[string]string{"batchSize": "5"}, g.wrap)
	<-g.entered // the first batch is being delivered; the file was read to its end
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, strings.TrimPrefix(lines("g", 15), lines("g", 10)))
	f.Close()
	close(g.release)
	h.logs.WaitLine(t, "file changed after it was picked up", 10*time.Second)
	got := h.waitBodies(15)
	if want := strings.Split(strings.TrimSuffix(lines("g", 15), "\n"), "\n"); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	h.waitExists(path + ".COMPLETED")
	time.Sleep(100 * time.Millisecond)
	if n := len(h.take()); n != 15 {
		t.Fatalf("%d events, want exactly 15", n)
	}
	if n := h.counter("EventReadFail"); n != 1 {
		t.Fatalf("EventReadFail %d, want 1", n)
	}
	line := h.logs.WaitLine(t, "file changed after it was picked up", time.Second)
	if !strings.Contains(line, "growing.log") || !strings.Contains(line, "grew from") {
		t.Fatalf("report: %s", line)
	}
}

// TestFileWrittenSlowlyIsReadOnceWhole drops a file whose writer goes on
// writing, lines cut in two writes, with pauses shorter than pollDelay:
// every line arrives once and whole.
func TestFileWrittenSlowlyIsReadOnceWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "slow.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "slow-0 written before the source starts\n")
	// The writer pauses at most ~30 ms between writes; a pollDelay far
	// above that keeps a descheduled writer (a loaded CI machine under
	// -race) from looking finished.
	h := run(t, dir, map[string]string{"batchSize": "3", "pollDelay": "1500"}, nil)
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(f, "slow-%d part one", i)
		time.Sleep(2 * time.Millisecond)
		fmt.Fprintf(f, " and part two\n")
		if i%10 == 0 {
			time.Sleep(30 * time.Millisecond)
		}
	}
	f.Close()
	h.waitExists(path + ".COMPLETED")
	got := bodies(h.take())
	if len(got) != 41 || got[0] != "slow-0 written before the source starts" {
		t.Fatalf("%d lines: %q", len(got), got)
	}
	for i, b := range got[1:] {
		if want := fmt.Sprintf("slow-%d part one and part two", i+1); b != want {
			t.Fatalf("event %d: %q, want %q", i+1, b, want)
		}
	}
}

func TestResumesFromFlumesTracker(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "half.log")
	content := lines("h", 100)
	write(t, path, content, time.Time{})
	write(t, filepath.Join(dir, "other.log"), "other\n", time.Now().Add(-time.Hour)) // older: Flume would read it first
	// A tracker file as Java Flume's DurablePositionTracker leaves it,
	// written by an independent Avro implementation: three commits.
	committed := int64(strings.Index(content, "h-41\n"))
	writeFlumeTracker(t, filepath.Join(dir, ".flumespool", metaFileName), path, []int64{0, 120, committed})
	h := run(t, dir, nil, nil)
	got := h.waitBodies(61)
	if got[0] != "h-41" || got[59] != "h-100" || got[60] != "other" {
		t.Fatalf("resumed: %q ... %q", got[:2], got[58:])
	}
	h.logs.WaitLine(t, "resuming a file where the last run stopped", time.Second)
}

func writeFlumeTracker(t testing.TB, path, target string, positions []int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &buf, Schema: trackerSchema, MetaData: map[string][]byte{"file": []byte(target)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range positions {
		if err := w.Append([]any{map[string]any{"offset": p}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStopMidFileResumesExactly stops the source while a batch is being
// delivered, checks that the tracker file it leaves is what Flume reads
// (an independent Avro reader finds the file and the committed position),
// and that a new source delivers the rest exactly once.
func TestStopMidFileResumesExactly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	content := lines("a", 100)
	write(t, path, content, time.Time{})
	g := newGate(4)
	h := run(t, dir, map[string]string{"batchSize": "10"}, g.wrap)
	<-g.entered
	h.stop() // abandons the fourth batch
	first := bodies(h.take())
	if len(first) != 30 {
		t.Fatalf("%d events before the stop, want 30", len(first))
	}
	data, err := os.ReadFile(filepath.Join(dir, ".flumespool", metaFileName))
	if err != nil {
		t.Fatal(err)
	}
	r, err := goavro.NewOCFReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if f := string(r.MetaData()["file"]); f != path {
		t.Fatalf("tracker file names %q, want %q", f, path)
	}
	var last int64 = -1
	for r.Scan() {
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		last = rec.(map[string]any)["offset"].(int64)
	}
	if want := int64(strings.Index(content, "a-31\n")); last != want {
		t.Fatalf("tracker position %d, want %d", last, want)
	}
	h2 := run(t, dir, map[string]string{"batchSize": "10"}, nil)
	rest := h2.waitBodies(70)
	if all := append(first, rest...); !slices.Equal(all, strings.Split(strings.TrimSuffix(content, "\n"), "\n")) {
		t.Fatalf("resumed at %q", rest[0])
	}
	h2.waitExists(path + ".COMPLETED")
}

func TestDecodeFailureLeavesTheFile(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	bad := filepath.Join(dir, "bad.log")
	write(t, bad, "ok 1\nok 2\nbad \xff\nok 3\n", base)
	write(t, filepath.Join(dir, "next.log"), "next\n", base.Add(time.Second))
	h := run(t, dir, nil, nil)
	got := h.waitBodies(3)
	if !slices.Equal(got, []string{"ok 1", "ok 2", "next"}) {
		t.Fatalf("got %q", got)
	}
	line := h.logs.WaitLine(t, "cannot read the file to its end", 5*time.Second)
	if !strings.Contains(line, "bad.log") || !strings.Contains(line, "byte 14") || !strings.Contains(line, "left in place") {
		t.Fatalf("report: %s", line)
	}
	h.waitExists(filepath.Join(dir, "next.log.COMPLETED"))
	if _, err := os.Stat(bad); err != nil {
		t.Fatalf("bad.log was moved: %v", err)
	}
	if n := h.counter("EventReadFail"); n != 1 {
		t.Fatalf("EventReadFail %d", n)
	}
	// Fixed in place, the file is read on from its first undecodable line.
	write(t, bad, "ok 1\nok 2\nfixed\nok 3\n", time.Time{})
	if got := h.waitBodies(5); !slices.Equal(got[3:], []string{"fixed", "ok 3"}) {
		t.Fatalf("after the fix %q", got)
	}
	h.waitExists(bad + ".COMPLETED")
}

func TestOtherCharsetAndPolicy(t *testing.T) {
	dir := t.TempDir()
	gb, _ := charset.Lookup("GB18030")
	data := gb.NewEncoder().Encode(nil, []byte("日志\n"))
	data = append(data, []byte("x\xffy\n")...)
	write(t, filepath.Join(dir, "gb.log"), string(data), time.Time{})
	h := run(t, dir, map[string]string{"inputCharset": "GB18030", "decodeErrorPolicy": "IGNORE"}, nil)
	if got := h.waitBodies(2); !slices.Equal(got, []string{"日志", "xy"}) {
		t.Fatalf("got %q", got)
	}
}

func TestAvroFiles(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: &buf, Schema: `"string"`})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append([]any{"one", "two", "three"}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "data.avro"), buf.String(), time.Time{})
	h := run(t, dir, map[string]string{"deserializer": "AVRO"}, nil)
	got := h.waitBodies(3)
	if got[0] != "\x06one" || got[2] != "\x0athree" {
		t.Fatalf("bodies %q", got)
	}
	if v, _ := h.got[0].Header(deserializer.HeaderSchemaHash); v != deserializer.SchemaHash(w.Codec()) {
		t.Fatalf("schema hash header %q", v)
	}
	h.waitExists(filepath.Join(dir, "data.avro.COMPLETED"))
}

func TestFileDisappearsWhileRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gone.log")
	write(t, path, lines("g", 20), time.Time{})
	g := newGate(1)
	h := run(t, dir, map[string]string{"batchSize": "5"}, g.wrap)
	<-g.entered
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if got := h.waitBodies(20); got[19] != "g-20" {
		t.Fatalf("got %q", got)
	}
	h.logs.WaitLine(t, "file disappeared while it was read", 5*time.Second)
	write(t, filepath.Join(dir, "after.log"), "after\n", time.Time{})
	h.waitBodies(21)
}

func TestDoneNameTakenIsReportedAndRetried(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dup.log")
	write(t, path, "new content\n", time.Time{})
	write(t, path+".COMPLETED", "an earlier file of that name\n", time.Time{})
	h := run(t, dir, nil, nil)
	h.waitBodies(1)
	line := h.logs.WaitLine(t, "cannot mark the file done", 5*time.Second)
	if !strings.Contains(line, "used again") || !strings.Contains(line, "dup.log") {
		t.Fatalf("report: %s", line)
	}
	if data, _ := os.ReadFile(path + ".COMPLETED"); string(data) != "an earlier file of that name\n" {
		t.Fatalf("the earlier file was replaced: %q", data)
	}
	// Once the name is free, the file is marked done without being read again.
	if err := os.Remove(path + ".COMPLETED"); err != nil {
		t.Fatal(err)
	}
	h.waitExists(path + ".COMPLETED")
	if data, _ := os.ReadFile(path + ".COMPLETED"); string(data) != "new content\n" {
		t.Fatalf("done file %q", data)
	}
	if n := len(h.take()); n != 1 {
		t.Fatalf("%d events, want 1", n)
	}
}

func TestMissingDirectoryIsRetried(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "later")
	h := run(t, dir, nil, nil)
	h.logs.WaitLine(t, "spooling directory cannot be used", 5*time.Second)
	write(t, filepath.Join(dir, "a.log"), "a\n", time.Time{})
	h.waitBodies(1)
	h.logs.WaitLine(t, "spooling directory usable again", 5*time.Second)
}

func TestConfigErrors(t *testing.T) {
	for key, value := range map[string]string{
		"deletePolicy": "later", "trackingPolicy": "marker", "consumeOrder": "newest", "pollDelay": "0",
		"batchSize": "0", "includePattern": "([a-z]", "inputCharset": "no-such-charset",
		"decodeErrorPolicy": "SKIP", "deserializer": "com.example.Custom$Builder", "maxBackoff": "-1",
		"deserializer.maxLineLength": "0",
	} {
		cfg := flume.ContextFromMap(map[string]string{"spoolDir": "/tmp", key: value})
		if _, err := Factory(flume.Settings{Registry: registry(t)}, cfg, nil); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s = %s: %v", key, value, err)
		}
	}
	cfg := flume.ContextFromMap(map[string]string{})
	if _, err := Factory(flume.Settings{Registry: registry(t)}, cfg, nil); err == nil || !strings.Contains(err.Error(), "spoolDir") {
		t.Errorf("no spoolDir: %v", err)
	}
	cfg = flume.ContextFromMap(map[string]string{"spoolDir": "/tmp", "bufferMaxLineLength": "3", "bufferMaxLines": "10"})
	src, err := Factory(flume.Settings{Registry: registry(t)}, cfg, nil)
	if err != nil || len(cfg.Unused()) != 0 || len(cfg.Problems()) != 2 {
		t.Fatalf("deprecated keys: %v %v %v", err, cfg.Unused(), cfg.Problems())
	}
	if s := src.(*Source); s.cfg.DeserializerType != deserializer.TypeLine || s.cfg.PollDelay != 500*time.Millisecond ||
		s.cfg.BatchSize != 100 || s.cfg.MaxBackoff != 4*time.Second || s.trackerDir != "/tmp/.flumespool" {
		t.Fatalf("defaults %+v", s.cfg)
	}
}
