package dfstest

import (
	"errors"
	"io/fs"
	"sync"

	"github.com/flumego/flume/internal/dfs"
)

// Op names an operation Faulty can make fail.
type Op string

// The operations of dfs.FileSystem and dfs.File.
const (
	Create   Op = "create"
	Rename   Op = "rename"
	Stat     Op = "stat"
	ReadDir  Op = "readdir"
	Remove   Op = "remove"
	Recover  Op = "recover"
	Write    Op = "write"
	Flush    Op = "flush"
	Close    Op = "close"
	Truncate Op = "truncate"
)

// ErrInjected is the error Faulty returns when told to fail without one.
var ErrInjected = errors.New("dfstest: injected failure")

type fault struct {
	err   error
	times int           // calls left to fail; <0 for every call
	hang  chan struct{} // calls block until it is closed
}

// Faulty is a dfs.FileSystem that passes every call to the file system it
// wraps unless told to fail it. It is safe for concurrent use.
type Faulty struct {
	dfs.FileSystem

	mu     sync.Mutex
	faults map[Op]*fault
	calls  map[Op]int
}

// NewFaulty wraps fsys.
func NewFaulty(fsys dfs.FileSystem) *Faulty {
	return &Faulty{FileSystem: fsys, faults: map[Op]*fault{}, calls: map[Op]int{}}
}

// Fail makes the next n calls of op fail with err (ErrInjected when nil);
// n < 0 fails every call until Heal.
func (f *Faulty) Fail(op Op, n int, err error) {
	if err == nil {
		err = ErrInjected
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[op] = &fault{err: err, times: n}
}

// Hang makes calls of op block until the returned release function is
// called; they then proceed.
func (f *Faulty) Hang(op Op) (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.faults[op] = &fault{times: -1, hang: ch}
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if f.faults[op] != nil && f.faults[op].hang == ch {
				delete(f.faults, op)
			}
			f.mu.Unlock()
			close(ch)
		})
	}
}

// Heal makes op work again.
func (f *Faulty) Heal(op Op) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.faults, op)
}

// Calls returns how many times op was called, failed calls included.
func (f *Faulty) Calls(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// check counts a call of op and returns its injected error, if any.
func (f *Faulty) check(op Op) error {
	f.mu.Lock()
	f.calls[op]++
	ft := f.faults[op]
	if ft == nil {
		f.mu.Unlock()
		return nil
	}
	if ft.hang != nil {
		f.mu.Unlock()
		<-ft.hang
		return nil
	}
	if ft.times == 0 {
		delete(f.faults, op)
		f.mu.Unlock()
		return nil
	}
	if ft.times > 0 {
		ft.times--
	}
	err := ft.err
	f.mu.Unlock()
	return err
}

// Create creates path unless told to fail.
func (f *Faulty) Create(path string) (dfs.File, error) {
	if err := f.check(Create); err != nil {
		return nil, &fs.PathError{Op: "create", Path: path, Err: err}
	}
	file, err := f.FileSystem.Create(path)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: file, fs: f}, nil
}

// Rename renames unless told to fail.
func (f *Faulty) Rename(from, to string) error {
	if err := f.check(Rename); err != nil {
		return err
	}
	return f.FileSystem.Rename(from, to)
}

// Stat describes path unless told to fail.
func (f *Faulty) Stat(path string) (fs.FileInfo, error) {
	if err := f.check(Stat); err != nil {
		return nil, err
	}
	return f.FileSystem.Stat(path)
}

// ReadDir lists dir unless told to fail.
func (f *Faulty) ReadDir(dir string) ([]fs.FileInfo, error) {
	if err := f.check(ReadDir); err != nil {
		return nil, err
	}
	return f.FileSystem.ReadDir(dir)
}

// Remove removes path unless told to fail.
func (f *Faulty) Remove(path string) error {
	if err := f.check(Remove); err != nil {
		return err
	}
	return f.FileSystem.Remove(path)
}

// Recover recovers path unless told to fail.
func (f *Faulty) Recover(path string) error {
	if err := f.check(Recover); err != nil {
		return err
	}
	return f.FileSystem.Recover(path)
}

type faultyFile struct {
	dfs.File
	fs *Faulty
}

// Write writes unless told to fail; a failing write writes the first half
// of p first, as a broken pipeline may have.
func (ff *faultyFile) Write(p []byte) (int, error) {
	if err := ff.fs.check(Write); err != nil {
		n, _ := ff.File.Write(p[:len(p)/2])
		return n, err
	}
	return ff.File.Write(p)
}

func (ff *faultyFile) Flush() error {
	if err := ff.fs.check(Flush); err != nil {
		return err
	}
	return ff.File.Flush()
}

// Close closes unless told to fail; a failed Close leaves the file open,
// so that a retry can close it.
func (ff *faultyFile) Close() error {
	if err := ff.fs.check(Close); err != nil {
		return err
	}
	return ff.File.Close()
}

// Truncate cuts path back to size when the wrapped file system can
// (dfs.Truncater), unless told to fail.
func (f *Faulty) Truncate(path string, size int64) error {
	if err := f.check(Truncate); err != nil {
		return err
	}
	t, ok := f.FileSystem.(dfs.Truncater)
	if !ok {
		return errors.ErrUnsupported
	}
	return t.Truncate(path, size)
}
