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
