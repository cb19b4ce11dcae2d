package dfs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/flumego/flume/internal/dfs"
	"github.com/flumego/flume/internal/dfs/dfstest"
)

func TestLocalConformance(t *testing.T) {
	dfstest.Run(t, dfstest.Options{FS: dfs.Local{}, Root: t.TempDir(), Read: os.ReadFile})
}

// The fallback rename (link and unlink) refuses to replace too.
func TestLocalCreateThroughAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (dfs.Local{}).Create(filepath.Join(dir, "f", "g")); err == nil {
		t.Fatal("created a file under a regular file")
	}
}

func TestLocalCloseTwice(t *testing.T) {
	f, err := dfs.Local{}.Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := f.Write([]byte("x")); err == nil || errors.Is(err, fs.ErrExist) {
		t.Fatalf("write after close: %v", err)
	}
}

func TestFaulty(t *testing.T) {
	f := dfstest.NewFaulty(dfs.Local{})
	dir := t.TempDir()
	f.Fail(dfstest.Create, 1, nil)
	if _, err := f.Create(filepath.Join(dir, "a")); !errors.Is(err, dfstest.ErrInjected) {
		t.Fatalf("first create: %v", err)
	}
	file, err := f.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatalf("second create: %v", err)
	}
	f.Fail(dfstest.Write, -1, nil)
	if n, err := file.Write([]byte("abcd")); n != 2 || err == nil {
		t.Fatalf("failing write: %d %v; want half written and an error", n, err)
	}
	f.Heal(dfstest.Write)
	f.Fail(dfstest.Close, 2, dfs.ErrRetry)
	dfstest.CloseRetrying(t, file)
	if f.Calls(dfstest.Close) != 3 {
		t.Fatalf("close called %d times, want 3", f.Calls(dfstest.Close))
	}
	data, _ := os.ReadFile(filepath.Join(dir, "a"))
	if string(data) != "ab" {
		t.Fatalf("content %q", data)
	}
	release := f.Hang(dfstest.Stat)
	done := make(chan error)
	go func() { _, err := f.Stat(filepath.Join(dir, "a")); done <- err }()
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
