//go:build !linux

package file

import (
	"errors"
	"os"
)

// datasync flushes f to stable storage.
func datasync(f *os.File) error { return f.Sync() }

// preallocate is not available here: writes append.
func preallocate(*os.File, int64, int64) error { return errors.ErrUnsupported }
