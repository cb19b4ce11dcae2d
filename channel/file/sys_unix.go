//go:build unix

package file

import (
	"errors"

	"golang.org/x/sys/unix"
)

// freeSpace returns the bytes available to an unprivileged user on the file
// system holding dir.
func freeSpace(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}

// isNoSpace reports whether err says the disk or the user's quota is full.
func isNoSpace(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT)
}
