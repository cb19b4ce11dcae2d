//go:build !unix

package file

import (
	"errors"
	"math"
	"os"
	"syscall"
)

// dirLock is a no-op where advisory file locks are not available.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() {}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

func freeSpace(string) (uint64, error) { return math.MaxUint64, nil }

// isNoSpace reports whether err says the disk is full.
func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }
