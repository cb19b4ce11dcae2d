package file

import (
	"os"

	"golang.org/x/sys/unix"
)

// datasync flushes f's data (and the metadata needed to read it back) to
// stable storage.
func datasync(f *os.File) error {
	for {
		err := unix.Fdatasync(int(f.Fd()))
		if err != unix.EINTR {
			return err
		}
	}
}

// preallocate reserves [off, off+n) of f without changing what reads
// return (zeros), so that appends within it do not change the file size
// and fdatasync need not journal a size change. It is best effort: when it
// fails (a file system without fallocate, or no room), writes just append.
func preallocate(f *os.File, off, n int64) error {
	return unix.Fallocate(int(f.Fd()), 0, off, n)
}
