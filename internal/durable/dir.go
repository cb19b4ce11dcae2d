package durable

import (
	"errors"
	"os"
	"syscall"
)

// SyncDir makes dir's entries (files created, renamed or removed in it)
// durable. File systems that cannot sync a directory (EINVAL, ENOTSUP)
// are taken as having nothing to sync.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err // an *os.PathError naming dir
	}
	return nil
}
