package hdfsfake

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/flumego/flume/internal/flumetest"
)

// These tests drive the fake with github.com/colinmarc/hdfs/v2, a client
// written independently of it, over TCP on 127.0.0.1.

func startFake(t *testing.T, cfg Config) *Fake {
	t.Helper()
	f := New(cfg)
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func client(t *testing.T, f *Fake, user string) *hdfs.Client {
	t.Helper()
	c, err := hdfs.NewClient(hdfs.ClientOptions{Addresses: []string{f.Addr()}, User: user})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// remoteException is the Java exception class of a NameNode error.
func remoteException(err error) string {
	var he hdfs.Error
	if errors.As(err, &he) {
		return he.Exception()
	}
	return ""
}

// closeFile closes w, retrying while the NameNode reports that the last
// block is still being replicated, and returns how many closes it took.
func closeFile(t *testing.T, w *hdfs.FileWriter) int {
	t.Helper()
	for i := 1; i <= 10; i++ {
		err := w.Close()
		if err == nil {
			return i
		}
		if !hdfs.IsErrReplicating(err) {
			t.Fatalf("close: %v", err)
		}
	}
	t.Fatal("close: still replicating after 10 tries")
	return 0
}

func TestWriteReadSeveralBlocks(t *testing.T) {
	f := startFake(t, Config{BlockSize: 1 << 20})
	c := client(t, f, "alice")
	if err := c.MkdirAll("/data/in", 0o755); err != nil {
		t.Fatal(err)
	}
	want := randomBytes(2<<20 + 12345)
	w, err := c.Create("/data/in/f1")
	if err != nil {
		t.Fatal(err)
	}
	// Uneven writes, a flush in the middle of a chunk, then the rest.
	if _, err := w.Write(want[:100]); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	for off := 100; off < len(want); off += 70001 {
		if _, err := w.Write(want[off:min(off+70001, len(want))]); err != nil {
			t.Fatal(err)
		}
	}
	if n := closeFile(t, w); n != 2 {
		t.Errorf("close took %d calls, want 2 (the first complete is refused, as by a real NameNode)", n)
	}
	got, err := c.ReadFile("/data/in/f1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes, differing from the %d written", len(got), len(want))
	}
	fi, err := c.Stat("/data/in/f1")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != int64(len(want)) || fi.IsDir() || fi.Mode().Perm() != 0o644 {
		t.Errorf("stat: size %d dir %v mode %v", fi.Size(), fi.IsDir(), fi.Mode())
	}
	if fi.(*hdfs.FileInfo).Owner() != "alice" {
		t.Errorf("owner %q, want alice", fi.(*hdfs.FileInfo).Owner())
	}
	st, _ := f.Stat("/data/in/f1")
	if st.Blocks != 3 || st.UnderConstruction {
		t.Errorf("fake stat %+v, want 3 closed blocks", st)
	}
	// A read from the middle, across a block boundary.
	r, err := c.Open("/data/in/f1")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	part := make([]byte, 5000)
	if _, err := r.ReadAt(part, 1<<20-2500); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(part, want[1<<20-2500:1<<20+2500]) {
		t.Error("ReadAt across a block boundary returned other bytes")
	}
	if s := f.Stats(); s.CompleteRefusals != 1 || s.Pipelines != 3 || s.Reads < 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestOpenFileAfterFlush(t *testing.T) {
	f := startFake(t, Config{})
	writer := client(t, f, "flume")
	reader := client(t, f, "flume")
	w, err := writer.Create("/open")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("flushed but not closed\n")
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// The library's Flush does not wait for the acknowledgement; the
	// DataNode has the bytes once it has acknowledged them.
	flumetest.WaitFor(t, 5*time.Second, "the DataNode holds the flushed bytes", func() bool {
		b, _ := f.ReadFile("/open")
		return bytes.Equal(b, data)
	})
	fi, err := reader.Stat("/open")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 0 {
		t.Errorf("another client sees the open file at %d bytes, want 0 (HDFS counts complete blocks only)", fi.Size())
	}
	// A second client can neither create nor append to it.
	if _, err := reader.Append("/open"); remoteException(err) != ExAlreadyBeingCreated {
		t.Errorf("append by another client: %v, want %s", err, ExAlreadyBeingCreated)
	}
	if _, err := reader.CreateFile("/open", 1, 1<<20, 0o644); !errors.Is(err, os.ErrExist) {
		t.Errorf("create by another client: %v, want ErrExist (from AlreadyBeingCreatedException)", err)
	}
	// The first complete is refused: the last block is committed but not
	// reported, so the file still counts 0 bytes.
	if err := w.Close(); !hdfs.IsErrReplicating(err) {
		t.Fatalf("first close: %v, want ErrReplicating", err)
	}
	if fi, _ := reader.Stat("/open"); fi.Size() != 0 {
		t.Errorf("between the closes the file counts %d bytes, want 0", fi.Size())
	}
	closeFile(t, w)
	if fi, _ := reader.Stat("/open"); fi.Size() != int64(len(data)) {
		t.Errorf("closed file at %d bytes, want %d", fi.Size(), len(data))
	}
	if _, err := reader.Append("/open"); remoteException(err) != ExUnsupported {
		t.Errorf("append to a closed file: %v, want the fake's refusal (%s)", err, ExUnsupported)
	}
}

func TestNamespace(t *testing.T) {
	f := startFake(t, Config{ListingLimit: 2})
	c := client(t, f, "bob")
	for _, d := range []string{"/a/b/c", "/a/d"} {
		if err := c.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"/a/z", "/a/e", "/a/f"} {
		if err := c.CreateEmptyFile(name); err != nil && !hdfs.IsErrReplicating(err) {
			t.Fatal(err)
		}
	}
	if err := c.Mkdir("/a/x/y", 0o755); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("mkdir without parents: %v, want ErrNotExist", err)
	}
	if err := c.MkdirAll("/a/z/y", 0o755); remoteException(err) != ExParentNotDirectory {
		t.Errorf("mkdir under a file: %v, want %s", err, ExParentNotDirectory)
	}
	// Listed in name order, over several getListing pages of 2.
	infos, err := c.ReadDir("/a")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range infos {
		names = append(names, fi.Name())
	}
	if got, want := names, []string{"b", "d", "e", "f", "z"}; !slicesEqual(got, want) {
		t.Errorf("ReadDir(/a) = %v, want %v", got, want)
	}
	if n := f.Stats().Calls["getListing"]; n < 3 {
		t.Errorf("%d getListing calls, want at least 3 pages", n)
	}
	if _, err := c.ReadDir("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDir of a missing directory: %v", err)
	}
	if fi, err := c.Stat("/a/b"); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o750 {
		t.Errorf("stat /a/b: %v %v", fi, err)
	}
	if _, err := c.Stat("/a/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat of a missing file: %v", err)
	}
	// The library's Rename replaces (rename2 with overwrite).
	if err := c.Rename("/a/e", "/a/f"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("/a/f", "/a/b/c/g"); err != nil {
		t.Fatal(err)
	}
	if got := f.Files(); !slicesEqual(got, []string{"/a/b/c/g", "/a/z"}) {
		t.Errorf("files after renames: %v", got)
	}
	if err := c.Rename("/a/missing", "/a/q"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rename of a missing file: %v", err)
	}
	if err := c.Remove("/a/b"); err == nil {
		t.Error("removing a non-empty directory succeeded")
	}
	if err := c.RemoveAll("/a/b"); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove("/a/z"); err != nil {
		t.Fatal(err)
	}
	if got := f.Files(); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
}

func TestRefusesWhatItDoesNotImplement(t *testing.T) {
	f := startFake(t, Config{})
	c := client(t, f, "u")
	if err := c.CreateEmptyFile("/f"); err != nil && !hdfs.IsErrReplicating(err) {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"setPermission":     func() error { return c.Chmod("/f", 0o600) },
		"setOwner":          func() error { return c.Chown("/f", "x", "y") },
		"getFsStats":        func() error { _, err := c.StatFs(); return err },
		"getContentSummary": func() error { _, err := c.GetContentSummary("/f"); return err },
		"setXAttr":          func() error { return c.SetXAttr("/f", "user.a", "b") },
	} {
		if err := call(); remoteException(err) != ExUnsupported {
			t.Errorf("%s: %v, want %s", name, err, ExUnsupported)
		}
	}
	if s := f.Stats(); s.Refused != 5 {
		t.Errorf("%d refusals counted, want 5", s.Refused)
	}
}

func TestTruncate(t *testing.T) {
	f := startFake(t, Config{BlockSize: 1 << 20})
	c := client(t, f, "u")
	data := randomBytes(1<<20 + 5000)
	w, err := c.Create("/t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	closeFile(t, w)
	// Inside the second block: block recovery, answered false.
	if done, err := c.Truncate("/t", 1<<20+100); err != nil || done {
		t.Fatalf("truncate inside a block: %v %v, want false", done, err)
	}
	// At the block boundary: done at once.
	if done, err := c.Truncate("/t", 1<<20); err != nil || !done {
		t.Fatalf("truncate at a block boundary: %v %v, want true", done, err)
	}
	if got, err := c.ReadFile("/t"); err != nil || !bytes.Equal(got, data[:1<<20]) {
		t.Fatalf("after truncation: %d bytes, %v", len(got), err)
	}
	if _, err := c.Truncate("/t", 2<<20); !errors.Is(err, os.ErrInvalid) {
		t.Errorf("truncate beyond the end: %v", err)
	}
}

func TestDropPipeline(t *testing.T) {
	f := startFake(t, Config{})
	c := client(t, f, "u")
	f.DropPipeline(1)
	w, err := c.Create("/dropped")
	if err != nil {
		t.Fatal(err)
	}
	// Two 64 KiB packets: the DataNode acknowledges the first and drops
	// the pipeline at the second.
	data := randomBytes(3 << 16)
	_, werr := w.Write(data)
	cerr := w.Close()
	if werr == nil && cerr == nil {
		t.Fatal("writing through a dropped pipeline succeeded")
	}
	flumetest.WaitFor(t, 5*time.Second, "the drop", func() bool { return f.Stats().Dropped == 1 })
	got, _ := f.ReadFile("/dropped")
	if !bytes.Equal(got, data[:1<<16]) {
		t.Errorf("the DataNode kept %d bytes, want the %d of the acknowledged packet", len(got), 1<<16)
	}
	st, _ := f.Stat("/dropped")
	if !st.UnderConstruction {
		t.Error("the file is closed although its pipeline failed")
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDiscardData(t *testing.T) {
	f := startFake(t, Config{DiscardData: true, BlockSize: 1 << 20})
	c := client(t, f, "u")
	w, err := c.Create("/big")
	if err != nil {
		t.Fatal(err)
	}
	data := randomBytes(1<<20 + 3000)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	closeFile(t, w)
	if fi, err := c.Stat("/big"); err != nil || fi.Size() != int64(len(data)) {
		t.Fatalf("stat: %v %v, want %d bytes", fi, err, len(data))
	}
	if b, _ := f.ReadFile("/big"); len(b) != 0 {
		t.Errorf("kept %d bytes", len(b))
	}
	if _, err := c.ReadFile("/big"); err == nil || !strings.Contains(err.Error(), "discards data") {
		t.Errorf("reading discarded data: %v", err)
	}
}
