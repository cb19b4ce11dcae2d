package dfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/flumego/flume/internal/durable"
)

// Local is the local file system (file:// and plain paths, NFS and other
// mounts included) with HDFS's semantics: Create refuses an existing file,
// Rename refuses to replace one, Flush is fdatasync. Creating, renaming
// and removing a file sync its directory (and Create every directory it
// makes), so that what a Flush made durable stays reachable after a power
// failure. Recover has nothing to do: a local file needs no lease.
type Local struct{}

var (
	_ FileSystem = Local{}
	_ Truncater  = Local{}
)

// Create creates path, and its missing parent directories, for writing.
func (Local) Create(path string) (File, error) {
	dir := filepath.Dir(path)
	if err := mkdirAll(dir); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if err := durable.SyncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return &localFile{f: f}, nil
}

// mkdirAll creates dir and its missing parents, syncing the parent of each
// directory it creates.
func mkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: errors.New("not a directory")}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) { // made meanwhile by another writer
			return nil
		}
		return err
	}
	return durable.SyncDir(parent)
}

// Rename renames from to to, failing with fs.ErrExist when to exists.
func (Local) Rename(from, to string) error {
	if err := renameNoReplace(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	if err := durable.SyncDir(filepath.Dir(to)); err != nil {
		return err
	}
	if filepath.Dir(from) != filepath.Dir(to) {
		return durable.SyncDir(filepath.Dir(from))
	}
	return nil
}

// Stat describes path.
func (Local) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

// ReadDir lists dir in name order.
func (Local) ReadDir(dir string) ([]fs.FileInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) { // removed since the listing
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, fi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Remove removes path.
func (Local) Remove(path string) error {
	if err := os.Remove(path); err != nil {
		return err
	}
	return durable.SyncDir(filepath.Dir(path))
}

// Recover returns nil when path exists: a local file a crashed writer
// left is closed with its process.
func (Local) Recover(path string) error {
	_, err := os.Stat(path)
	return err
}

// Truncate cuts the file at path back to size bytes, durably.
func (Local) Truncate(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = durable.DataSync(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close does nothing.
func (Local) Close() error { return nil }

type localFile struct {
	f        *os.File
	closed   bool
	closeErr error
}

func (l *localFile) Write(p []byte) (int, error) { return l.f.Write(p) }

// Flush makes what was written durable (fdatasync).
func (l *localFile) Flush() error {
	if err := durable.DataSync(l.f); err != nil {
		return fmt.Errorf("sync %s: %w", l.f.Name(), err)
	}
	return nil
}

// Close syncs and closes the file. Closing it again returns the first
// Close's result.
func (l *localFile) Close() error {
	if l.closed {
		return l.closeErr
	}
	err := l.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.closed, l.closeErr = true, err
	return err
}

// linkRename renames by linking to and unlinking from: the link fails
// when to exists. A file system without hard links gets a check and a
// plain rename, which a concurrent writer of to could race.
func linkRename(from, to string) error {
	err := os.Link(from, to)
	switch {
	case err == nil:
		return os.Remove(from)
	case errors.Is(err, fs.ErrExist):
		return os.ErrExist
	case errors.Is(err, fs.ErrNotExist):
		return err
	}
	if _, serr := os.Lstat(to); serr == nil {
		return os.ErrExist
	}
	return os.Rename(from, to)
}
