package hdfs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

// The first test: a DataStream of text, one bucket, rolled by count.
func TestRollCount(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "3", "hdfs.rollSize": "0",
		"hdfs.rollInterval": "0", "hdfs.batchSize": "4"})
	for i := range 10 {
		r.put(t, ev("line "+strconv.Itoa(i)))
	}
	r.drain(t)
	names := files(t, r.dir)
	if len(names) != 4 || !strings.HasSuffix(names[3], ".tmp") {
		t.Fatalf("files %v: want 3 closed and one in use", names)
	}
	r.stop(t)
	names = files(t, r.dir)
	var all []string
	for i, n := range names {
		if !strings.HasPrefix(n, "out/FlumeData.") || strings.HasSuffix(n, ".tmp") {
			t.Fatalf("file %s", n)
		}
		ls := lines(read(t, r.dir+"/"+n))
		if want := min(3, 10-3*i); len(ls) != want {
			t.Fatalf("%s holds %d events, want %d", n, len(ls), want)
		}
		all = append(all, ls...)
	}
	if len(all) != 10 || all[0] != "line 0" || all[9] != "line 9" {
		t.Fatalf("events %q", all)
	}
	c := r.s.Counters()
	if c.ConnectionCreatedCount.Load() != 4 || c.ConnectionClosedCount.Load() != 4 || c.EventDrainSuccessCount.Load() != 10 {
		t.Fatalf("counters: created %d closed %d drained %d", c.ConnectionCreatedCount.Load(), c.ConnectionClosedCount.Load(), c.EventDrainSuccessCount.Load())
	}
}

// Flume checks rollSize before each write, on body bytes.
func TestRollSize(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "10",
		"hdfs.rollInterval": "0", "hdfs.batchSize": "100"})
	for i := range 7 {
		r.put(t, ev("abc"+strconv.Itoa(i)))
	}
	r.drain(t)
	r.stop(t)
	names := files(t, r.dir)
	if len(names) != 3 {
		t.Fatalf("files %v, want 3 (4-byte bodies: 12 bytes reach 10)", names)
	}
	for i, want := range []int{3, 3, 1} {
		if got := len(lines(read(t, r.dir+"/"+names[i]))); got != want {
			t.Fatalf("%s: %d events, want %d", names[i], got, want)
		}
	}
}

// A file is closed and renamed hdfs.rollInterval after it was created,
// by the background goroutine, without another event; the next event
// opens a new one.
func TestRollInterval(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "0",
		"hdfs.rollInterval": "30"})
	r.put(t, ev("a"), ev("b"))
	r.drain(t)
	if names := files(t, r.dir); len(names) != 1 || !strings.HasSuffix(names[0], ".tmp") {
		t.Fatalf("files %v", names)
	}
	r.clock.Advance(29 * time.Second)
	r.put(t, ev("c"))
	r.drain(t)
	r.clock.Advance(time.Second)
	flumetest.WaitFor(t, 5*time.Second, "the rolled file", func() bool {
		names := files(t, r.dir)
		return len(names) == 1 && !strings.HasSuffix(names[0], ".tmp")
	})
	first := files(t, r.dir)[0]
	if got := lines(read(t, r.dir+"/"+first)); strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("first file %q", got)
	}
	r.put(t, ev("d"))
	r.drain(t)
	if names := files(t, r.dir); len(names) != 2 || !strings.HasSuffix(names[1], ".tmp") {
		t.Fatalf("files %v", names)
	}
}

// A file nothing is written to for hdfs.idleTimeout is closed and
// renamed; writing keeps it open.
func TestIdleTimeout(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "0",
		"hdfs.rollInterval": "0", "hdfs.idleTimeout": "5"})
	for i := range 3 {
		r.put(t, ev("e"+strconv.Itoa(i)))
		r.drain(t)
		r.clock.Advance(4 * time.Second) // each write postpones the idle close
	}
	if names := files(t, r.dir); len(names) != 1 || !strings.HasSuffix(names[0], ".tmp") {
		t.Fatalf("files %v: closed while in use", names)
	}
	r.clock.Advance(time.Second)
	flumetest.WaitFor(t, 5*time.Second, "the idle file closed", func() bool {
		names := files(t, r.dir)
		return len(names) == 1 && !strings.HasSuffix(names[0], ".tmp")
	})
	if got := lines(read(t, r.dir+"/"+files(t, r.dir)[0])); len(got) != 3 {
		t.Fatalf("idle file holds %q", got)
	}
}

// Events are bucketed by %Y%m%d/%H of their timestamp, rounded down to 10
// minutes (visible in the file prefix's %M), in the configured zone;
// events without a timestamp go to the bucket of the agent's clock.
func TestBucketingRoundedToTenMinutes(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.path": "out/%Y%m%d/%H", "hdfs.filePrefix": "ev-%M-%{host}",
		"hdfs.round": "true", "hdfs.roundValue": "10", "hdfs.roundUnit": "minute", "hdfs.timeZone": "Asia/Kolkata",
		"hdfs.fileType": "DataStream", "hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.rollInterval": "0"})
	at := func(h, m, s int) string {
		return strconv.FormatInt(time.Date(2023, 12, 31, h, m, s, 0, time.UTC).UnixMilli(), 10)
	}
	r.put(t,
		ev("1", "timestamp", at(18, 29, 59), "host", "a"), // 23:59:59 in Kolkata
		ev("2", "timestamp", at(18, 30, 0), "host", "a"),  // 00:00 on 1 January
		ev("3", "timestamp", at(18, 39, 59), "host", "a"), // 00:09:59
		ev("4", "timestamp", at(18, 40, 0), "host", "b"),  // 00:10
		ev("5", "host", "a"),                              // no timestamp: the clock, 2024-05-06 07:08:09 UTC
		ev("6", "timestamp", "yesterday", "host", "a"),    // not a timestamp either
		ev("7", "timestamp", at(18, 29, 0), "host", "a"),
	)
	r.drain(t)
	r.stop(t)
	got := map[string][]string{}
	for _, n := range files(t, r.dir) {
		dir := n[:strings.LastIndexByte(n, '/')]
		prefix := n[strings.LastIndexByte(n, '/')+1 : strings.LastIndexByte(n, '.')]
		got[dir+"/"+prefix] = append(got[dir+"/"+prefix], lines(read(t, r.dir+"/"+n))...)
	}
	want := map[string][]string{
		"out/20231231/23/ev-50-a": {"1", "7"},
		"out/20240101/00/ev-00-a": {"2", "3"},
		"out/20240101/00/ev-10-b": {"4"},
		"out/20240506/12/ev-30-a": {"5", "6"}, // 12:38 in Kolkata
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("buckets\n%v\nwant\n%v", got, want)
	}
}

// Beyond hdfs.maxOpenFiles, the least recently used bucket is closed.
func TestMaxOpenFiles(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.path": "out/%{h}", "hdfs.maxOpenFiles": "2", "hdfs.fileType": "DataStream",
		"hdfs.rollCount": "0", "hdfs.rollSize": "0", "hdfs.rollInterval": "0", "hdfs.batchSize": "1"})
	for _, h := range []string{"x", "y", "x", "z"} { // y is then the least recently used
		r.put(t, ev(h, "h", h))
		r.drain(t)
	}
	var open []string
	for _, n := range files(t, r.dir) {
		if strings.HasSuffix(n, ".tmp") {
			open = append(open, n[:strings.LastIndexByte(n, '/')])
		}
	}
	if strings.Join(open, " ") != "out/x out/z" {
		t.Fatalf("open buckets %v, want x and z (y closed first)", open)
	}
}

func TestStopIsIdempotentAndRestartable(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream"})
	r.put(t, ev("a"))
	r.drain(t)
	r.stop(t)
	r.stop(t)
	if _, err := r.s.Process(context.Background()); err == nil {
		t.Fatal("Process after Stop succeeded")
	}
	if err := r.s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.put(t, ev("b"))
	r.drain(t)
	r.stop(t)
	if names := files(t, r.dir); len(names) != 2 {
		t.Fatalf("files %v", names)
	}
	var never Sink
	if err := never.Stop(context.Background()); err != nil {
		t.Fatalf("Stop without Start: %v", err)
	}
	if st, err := r.s.Process(context.Background()); st != flume.Backoff || err == nil {
		t.Fatalf("Process after Stop: %v %v", st, err)
	}
}
