package durable

import (
	"errors"
	"os"
)

// ErrLocked is returned by TryLock when another holder has the lock.
var ErrLocked = errors.New("locked by another process or component")

// LockFile opens path (creating it) and takes an exclusive lock on it, held
// until the returned file is closed. The error names path.
func LockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := TryLock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, &os.PathError{Op: "lock", Path: path, Err: ErrLocked}
		}
		return nil, err
	}
	return f, nil
}
