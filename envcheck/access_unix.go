//go:build unix

package envcheck

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// writable returns why this process cannot create files in dir ("" when it
// can). access(2) with the effective ids also reports a read-only file
// system, which permission bits do not show (and root ignores).
func writable(dir string) string {
	err := unix.Faccessat(unix.AT_FDCWD, dir, unix.W_OK|unix.X_OK, unix.AT_EACCESS)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, unix.EROFS):
		return "is on a read-only file system"
	case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
		return fmt.Sprintf("is not writable by this process (user %d)", os.Geteuid())
	}
	return fmt.Sprintf("cannot be checked for writing: %v", err)
}

// readable returns why this process cannot list and read dir ("" when it
// can).
func readable(dir string) string {
	err := unix.Faccessat(unix.AT_FDCWD, dir, unix.R_OK|unix.X_OK, unix.AT_EACCESS)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
		return fmt.Sprintf("is not readable by this process (user %d)", os.Geteuid())
	}
	return fmt.Sprintf("cannot be checked for reading: %v", err)
}
