package dfstest

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"testing"
	"time"

	"github.com/flumego/flume/internal/dfs"
)

// Options describe the file system under test.
type Options struct {
	// FS is the file system; Root an existing, empty directory on it in
	// which the suite works.
	FS   dfs.FileSystem
	Root string
	// Read, when set, returns a closed file's content, so that the suite
	// checks what was written too.
	Read func(path string) ([]byte, error)
}

// Run checks the contract of dfs.FileSystem and dfs.File that the HDFS
// sink relies on.
func Run(t *testing.T, o Options) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Options)
	}{
		{"CreateMakesParentsAndRefusesExisting", testCreate},
		{"RenameRefusesToReplace", testRename},
		{"StatReadDirRemove", testStatReadDir},
		{"RecoverClosedFile", testRecover},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, o) })
	}
}

// CloseRetrying closes f, retrying while it fails with dfs.ErrRetry, for
// up to 30 s.
func CloseRetrying(t testing.TB, f dfs.File) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f.Close()
		if err == nil {
			return
		}
		if !errors.Is(err, dfs.ErrRetry) || time.Now().After(deadline) {
			t.Fatalf("close: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func write(t *testing.T, o Options, p string, data []byte) {
	t.Helper()
	f, err := o.FS.Create(p)
	if err != nil {
		t.Fatalf("create %s: %v", p, err)
	}
	half := len(data) / 2
	if _, err := f.Write(data[:half]); err != nil {
		t.Fatalf("write %s: %v", p, err)
	}
	if err := f.Flush(); err != nil {
		t.Fatalf("flush %s: %v", p, err)
	}
	if _, err := f.Write(data[half:]); err != nil {
		t.Fatalf("write %s: %v", p, err)
	}
	CloseRetrying(t, f)
}

func check(t *testing.T, o Options, p string, want []byte) {
	t.Helper()
	fi, err := o.FS.Stat(p)
	if err != nil {
		t.Fatalf("stat %s: %v", p, err)
	}
	if fi.Size() != int64(len(want)) || fi.IsDir() {
		t.Fatalf("stat %s: size %d, dir %v; want a %d-byte file", p, fi.Size(), fi.IsDir(), len(want))
	}
	if o.Read != nil {
		got, err := o.Read(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read %s: %q %v, want %q", p, got, err, want)
		}
	}
}

func testCreate(t *testing.T, o Options) {
	p := path.Join(o.Root, "create", "a", "b", "file.tmp")
	write(t, o, p, []byte("hello, file system"))
	check(t, o, p, []byte("hello, file system"))
	if _, err := o.FS.Create(p); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("create over an existing file: %v, want fs.ErrExist", err)
	}
	check(t, o, p, []byte("hello, file system"))
	if fi, err := o.FS.Stat(path.Join(o.Root, "create", "a")); err != nil || !fi.IsDir() {
		t.Fatalf("parent directory: %v %v", fi, err)
	}
}

func testRename(t *testing.T, o Options) {
	dir := path.Join(o.Root, "rename")
	a, b, c := path.Join(dir, "a.tmp"), path.Join(dir, "b"), path.Join(dir, "c")
	write(t, o, a, []byte("A"))
	write(t, o, b, []byte("B"))
	if err := o.FS.Rename(a, b); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("rename over an existing file: %v, want fs.ErrExist", err)
	}
	check(t, o, a, []byte("A"))
	check(t, o, b, []byte("B"))
	if err := o.FS.Rename(a, c); err != nil {
		t.Fatalf("rename: %v", err)
	}
	check(t, o, c, []byte("A"))
	if _, err := o.FS.Stat(a); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("renamed file still there: %v", err)
	}
	if err := o.FS.Rename(a, path.Join(dir, "d")); err == nil {
		t.Fatal("renaming a missing file succeeded")
	}
}

func testStatReadDir(t *testing.T, o Options) {
	dir := path.Join(o.Root, "list")
	for _, n := range []string{"b", "a", "c/x"} {
		write(t, o, path.Join(dir, n), []byte(n))
	}
	infos, err := o.FS.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range infos {
		names = append(names, fi.Name())
	}
	if len(names) != 3 || names[0] != "a" || names[1] != "b" || names[2] != "c" || !infos[2].IsDir() {
		t.Fatalf("ReadDir: %v", names)
	}
	if _, err := o.FS.Stat(path.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat of a missing file: %v", err)
	}
	if _, err := o.FS.ReadDir(path.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadDir of a missing directory: %v", err)
	}
	if err := o.FS.Remove(path.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	if _, err := o.FS.Stat(path.Join(dir, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("removed file: %v", err)
	}
}

func testRecover(t *testing.T, o Options) {
	p := path.Join(o.Root, "recover", "f.tmp")
	write(t, o, p, []byte("x"))
	if err := o.FS.Recover(p); err != nil {
		t.Fatalf("recover of a closed file: %v", err)
	}
	check(t, o, p, []byte("x"))
}
