package logfile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines reads the archived files, oldest first, then the live file.
func lines(t *testing.T, l *File) (all []string, files []string) {
	t.Helper()
	for _, a := range l.archived() {
		files = append(files, filepath.Join(l.archive, a.name))
	}
	files = append(files, l.path)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			all = append(all, sc.Text())
		}
		fh.Close()
	}
	return all, files
}

// write has writers goroutines log numbered lines concurrently.
func write(t *testing.T, l *File, writers, each int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := fmt.Fprintf(l, "writer=%d seq=%06d %s\n", w, i, strings.Repeat("x", 40)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// seqs returns each writer's sequence numbers in file order.
func seqs(t *testing.T, all []string) map[int][]int {
	t.Helper()
	out := map[int][]int{}
	for _, line := range all {
		var w, n int
		if _, err := fmt.Sscanf(line, "writer=%d seq=%d", &w, &n); err != nil {
			t.Fatalf("torn or foreign line %q: %v", line, err)
		}
		out[w] = append(out[w], n)
	}
	return out
}

func TestRotationLosesNoLine(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "logs", "flume.log"), Options{MaxSize: 2048, MaxBackups: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	write(t, l, 4, 500)
	all, files := lines(t, l)
	if len(files) < 10 {
		t.Fatalf("expected many rotations, got %d files", len(files))
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 2048 {
			t.Errorf("%s is %d bytes, over MaxSize", f, st.Size())
		}
	}
	for w, ns := range seqs(t, all) {
		if len(ns) != 500 {
			t.Errorf("writer %d: %d lines, want 500", w, len(ns))
		}
		for i, n := range ns {
			if n != i {
				t.Fatalf("writer %d: line %d is seq %d: lost, duplicated or out of order", w, i, n)
			}
		}
	}
}

func TestRotationKeepsAtMostMaxBackups(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "flume.log"), Options{MaxSize: 1024, MaxBackups: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	write(t, l, 3, 400)
	all, files := lines(t, l)
	if len(files) != 4 {
		t.Fatalf("want 3 archived files and the live one, got %v", files)
	}
	entries, _ := os.ReadDir(l.archive)
	if len(entries) != 3 {
		t.Fatalf("archive holds %d files, want 3", len(entries))
	}
	// What is kept is the newest lines, with no gap: each writer's numbers
	// run without a hole up to its last line.
	for w, ns := range seqs(t, all) {
		if ns[len(ns)-1] != 399 {
			t.Errorf("writer %d: last kept line is seq %d, want 399", w, ns[len(ns)-1])
		}
		for i := 1; i < len(ns); i++ {
			if ns[i] != ns[i-1]+1 {
				t.Fatalf("writer %d: seq %d follows %d: a line was lost in the kept files", w, ns[i], ns[i-1])
			}
		}
	}
}

func TestArchiveNames(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC)
	dir := t.TempDir()
	l, err := Open(filepath.Join(dir, "agent.log"), Options{MaxSize: 10, MaxBackups: 5, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i, rec := range []string{"first-----\n", "second----\n", "third-----\n"} {
		if i == 2 {
			now = now.Add(time.Hour) // the next day starts again at 1
		}
		if _, err := l.Write([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{
		"archive/agent.log.20261201-1": "first-----\n",
		"archive/agent.log.20261202-1": "second----\n",
		"agent.log":                    "third-----\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	// Reopening an existing file appends to it and counts its size.
	l.Close()
	l, err = Open(filepath.Join(dir, "agent.log"), Options{MaxSize: 20, MaxBackups: 5, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Write([]byte("fourth----\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "archive/agent.log.20261202-2")); string(got) != "third-----\n" {
		t.Errorf("a file reopened at 11 bytes did not roll before 11 more: archive has %q", got)
	}
}

func TestReopenAfterExternalRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flume.log")
	l, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fmt.Fprintln(l, "before")
	if err := os.Rename(path, path+".1"); err != nil { // what logrotate does
		t.Fatal(err)
	}
	fmt.Fprintln(l, "still to the moved file")
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(l, "after")
	if got, _ := os.ReadFile(path + ".1"); string(got) != "before\nstill to the moved file\n" {
		t.Errorf("moved file: %q", got)
	}
	if got, _ := os.ReadFile(path); string(got) != "after\n" {
		t.Errorf("new file: %q", got)
	}
	l.Close()
	if _, err := l.Write([]byte("x")); err == nil {
		t.Error("write after Close succeeded")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"100 MB": 100 << 20, "64KB": 64 << 10, "1gb": 1 << 30, "1048576": 1 << 20, "0": 0, "12B": 12} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1", "1TB", "ten", strconv.FormatInt(1<<62, 10) + "GB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded", in)
		}
	}
}

// TestDailyRoll: with Daily, the first write of a new day rolls the file;
// the archived file is named for the day its records were written, and a
// day without writes rolls nothing.
func TestDailyRoll(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 23, 59, 0, 0, time.Local)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	l, err := Open(filepath.Join(dir, "flume.log"), Options{MaxSize: 1 << 20, MaxBackups: 5, Daily: true, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fmt.Fprintln(l, "march 1")
	advance(2 * time.Minute)
	fmt.Fprintln(l, "march 2")
	fmt.Fprintln(l, "march 2 again")
	advance(48 * time.Hour) // March 4: nothing written on the 3rd
	fmt.Fprintln(l, "march 4")
	all, files := lines(t, l)
	want := []string{"march 1", "march 2", "march 2 again", "march 4"}
	if strings.Join(all, "|") != strings.Join(want, "|") {
		t.Fatalf("lines %q, want %q", all, want)
	}
	var names []string
	for _, f := range files[:len(files)-1] {
		names = append(names, filepath.Base(f))
	}
	if strings.Join(names, " ") != "flume.log.20260301-1 flume.log.20260302-1" {
		t.Fatalf("archived %v, want one file for March 1 and one for March 2", names)
	}
}

// TestDailyRollAfterRestart: a live file left by an earlier day is rolled
// under that day's name at the first write after a restart.
func TestDailyRollAfterRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flume.log")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2026, 2, 27, 12, 0, 0, 0, time.Local)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.Local)
	l, err := Open(path, Options{MaxSize: 1 << 20, MaxBackups: 5, Daily: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fmt.Fprintln(l, "new")
	if _, err := os.Stat(filepath.Join(dir, "archive", "flume.log.20260227-1")); err != nil {
		t.Fatalf("the old day's file was not archived under its day: %v", err)
	}
	all, _ := lines(t, l)
	if strings.Join(all, "|") != "old|new" {
		t.Fatalf("lines %q", all)
	}
}
