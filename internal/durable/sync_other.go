//go:build !linux

package durable

import (
	"errors"
	"os"
)

// DataSync flushes f to stable storage.
func DataSync(f *os.File) error { return f.Sync() }

// Preallocate is not available here: writes extend the file.
func Preallocate(*os.File, int64, int64) error { return errors.ErrUnsupported }
