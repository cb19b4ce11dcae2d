package durable

import (
	"os"

	"golang.org/x/sys/unix"
)

// DataSync flushes f's data, and the metadata needed to read it back, to
// stable storage (fdatasync: a size or time change alone is not journaled).
func DataSync(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}

// Preallocate reserves [off, off+n) of f (reads return zeros there), so
// that later writes within it need no block allocation and fdatasync need
// not journal a size change. It fails on file systems without fallocate
// and when there is no room; callers treat it as best effort.
func Preallocate(f *os.File, off, n int64) error {
	return unix.Fallocate(int(f.Fd()), 0, off, n)
}
