//go:build unix

package hdfs

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive advisory lock on f, failing at once when
// another sink (in this process or another) holds it.
func lockFile(f *os.File) error {
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return errors.New("locked: another HDFS sink with the same agent and sink name is running (set hdfs.recoveryDir apart)")
		}
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

func unlockFile(f *os.File) { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN) }
