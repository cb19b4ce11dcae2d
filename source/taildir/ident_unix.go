//go:build unix

package taildir

import (
	"os"
	"syscall"
)

// identity returns the device and inode numbers of a file, and its link
// count (0 once it is deleted).
func identity(fi os.FileInfo) (fileID, uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, 1
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, uint64(st.Nlink)
}

// lockFile takes an exclusive lock on path (created if missing), held until
// the returned file is closed or the process ends. It fails at once when
// another holder has it.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
