package hdfs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"
)

// writeRecord writes an in-use record as a crashed run leaves it.
func writeRecord(t *testing.T, dir string, lines ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "k1.inuse"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func q(s string) string { return strconv.Quote(s) }

// At start, the files the record lists are closed and renamed (or removed
// when empty); files the record does not list, other writers' files, are
// left alone, and so are entries of another file system.
func TestRecoveryOfFilesLeftInUse(t *testing.T) {
	base := t.TempDir()
	out := filepath.Join(base, "out")
	if err := os.MkdirAll(filepath.Join(out, "2024"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(out, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	full := write("2024/FlumeData.100.tmp", "committed 1\ncommitted 2\n")
	empty := write("FlumeData.101.tmp", "")
	foreign := write("FlumeData.102.tmp", "another agent's\n")
	rec := filepath.Join(base, "recovery")
	writeRecord(t, rec,
		"+ "+q("file://")+" "+q(full)+" "+q(strings.TrimSuffix(full, ".tmp")),
		"+ "+q("file://")+" "+q(empty)+" "+q(strings.TrimSuffix(empty, ".tmp")),
		"+ "+q("file://")+" "+q(filepath.Join(out, "gone.tmp"))+" "+q(filepath.Join(out, "gone")),
		"+ "+q("hdfs://nn:8020")+" "+q("/flume/x.tmp")+" "+q("/flume/x"),
		"+ "+q("file://")+" "+q(filepath.Join(out, "closed.tmp"))+" "+q(filepath.Join(out, "closed")),
		"- "+q("file://")+" "+q(filepath.Join(out, "closed.tmp")),
		`+ "file://" "torn`, // the crash tore the last line
	)
	r := newRig(t, map[string]string{"hdfs.path": "file://" + out, "hdfs.recoveryDir": rec, "hdfs.fileType": "DataStream"})
	flumetest.WaitFor(t, 5*time.Second, "the recovery", func() bool {
		_, err := os.Stat(strings.TrimSuffix(full, ".tmp"))
		_, err2 := os.Stat(empty)
		return err == nil && os.IsNotExist(err2)
	})
	if got := string(read(t, strings.TrimSuffix(full, ".tmp"))); got != "committed 1\ncommitted 2\n" {
		t.Fatalf("recovered content %q", got)
	}
	if _, err := os.Stat(strings.TrimSuffix(empty, ".tmp")); !os.IsNotExist(err) {
		t.Fatal("an empty file was renamed rather than removed")
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Fatalf("a file the record does not list was touched: %v", err)
	}
	if r.fs.Calls("recover") != 2 {
		t.Errorf("recover called %d times, want twice (the full and the empty file)", r.fs.Calls("recover"))
	}
	r.stop(t)
	again, err := openRecord(rec, "k1")
	if err != nil {
		t.Fatal(err)
	}
	defer again.close()
	if left := again.entries(); len(left) != 1 || left[0] != (entry{"hdfs://nn:8020", "/flume/x.tmp", "/flume/x"}) {
		t.Fatalf("record after recovery: %v", left)
	}
}

// A sink restarted after a crash (its files left open, its record
// unfinished) finds them and renames them, while writing new ones.
func TestRestartAfterCrash(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream", "hdfs.path": "out/%{d}", "hdfs.batchSize": "2"})
	r.put(t, ev("a", "d", "x"), ev("b", "d", "y"), ev("c", "d", "x"))
	r.drain(t)
	// Crash: the background goroutine and the record go, the files stay
	// open and in use.
	r.s.lifeMu.Lock()
	r.s.stop()
	<-r.s.bgDone
	r.s.running, r.s.bgDone = false, nil
	r.s.started.Store(false)
	r.s.rec.f.Close()
	r.s.rec.f = nil
	r.s.lifeMu.Unlock()
	if names := files(t, r.dir); len(names) != 2 || !strings.HasSuffix(names[0], ".tmp") || !strings.HasSuffix(names[1], ".tmp") {
		t.Fatalf("files at the crash %v", names)
	}
	r.clock.Advance(time.Second)
	r.start(t)
	flumetest.WaitFor(t, 5*time.Second, "the crashed files renamed", func() bool {
		for _, n := range files(t, r.dir) {
			if strings.HasSuffix(n, ".tmp") {
				return false
			}
		}
		return true
	})
	r.put(t, ev("d", "d", "x"))
	r.drain(t)
	r.stop(t)
	got := map[string]string{}
	for _, n := range files(t, r.dir) {
		got[n[:strings.LastIndexByte(n, '/')]] += string(read(t, r.dir+"/"+n))
	}
	if got["out/x"] != "a\nc\nd\n" || got["out/y"] != "b\n" || len(files(t, r.dir)) != 3 {
		t.Fatalf("after the restart: %v (%v)", got, files(t, r.dir))
	}
}

// Two sinks of the same name and agent cannot share a record.
func TestRecordLocked(t *testing.T) {
	r := newRig(t, map[string]string{"hdfs.fileType": "DataStream"})
	other, err := openRecord(r.props["hdfs.recoveryDir"], "k1")
	if err == nil {
		other.close()
		t.Fatal("a second sink opened the same record")
	}
	if !strings.Contains(err.Error(), "another HDFS sink") {
		t.Fatalf("error %v", err)
	}
}

// The record is rewritten when mostly removals.
func TestRecordCompaction(t *testing.T) {
	dir := t.TempDir()
	rec, err := openRecord(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rec.close()
	for i := range 3000 {
		p := "/d/f" + strconv.Itoa(i) + ".tmp"
		if err := rec.add(entry{"file://", p, strings.TrimSuffix(p, ".tmp")}); err != nil {
			t.Fatal(err)
		}
		if i%100 != 0 {
			if err := rec.remove("file://", p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := rec.sync(); err != nil {
		t.Fatal(err)
	}
	data := read(t, filepath.Join(dir, "k.inuse"))
	if n := strings.Count(string(data), "\n"); n > 1200 {
		t.Fatalf("%d lines for 30 live entries", n)
	}
	rec.close()
	again, err := openRecord(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer again.close()
	if es := again.entries(); len(es) != 30 || es[0].final != "/d/f0" {
		t.Fatalf("%d entries after reopening: %v", len(es), es[:min(len(es), 2)])
	}
}
