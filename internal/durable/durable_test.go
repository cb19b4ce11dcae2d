package durable

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDataSyncAndPreallocate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("abc"); err != nil {
		t.Fatal(err)
	}
	if err := DataSync(f); err != nil {
		t.Fatal(err)
	}
	if err := Preallocate(f, 3, 4096); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Logf("preallocate (best effort) failed here: %v", err)
	} else if err == nil {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != 3+4096 || !bytes.Equal(b[:3], []byte("abc")) || bytes.ContainsFunc(b[3:], func(r rune) bool { return r != 0 }) {
			t.Fatalf("after preallocation the file reads %d bytes, %q...", len(b), b[:min(8, len(b))])
		}
	}
	f.Close()
	if err := DataSync(f); err == nil {
		t.Fatal("DataSync of a closed file succeeded")
	}
}

func TestSyncDir(t *testing.T) {
	dir := t.TempDir()
	if err := SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	err := SyncDir(missing)
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Path != missing {
		t.Fatalf("SyncDir of a missing directory: %v, want an error naming it", err)
	}
}

func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in_use.lock")
	a, err := LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockFile(path); !errors.Is(err, ErrLocked) {
		if err == nil {
			t.Skip("no advisory locks on this system")
		}
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	Unlock(a)
	b, err := LockFile(path)
	if err != nil {
		t.Fatalf("lock after Unlock: %v", err)
	}
	b.Close()
	a.Close()
}
