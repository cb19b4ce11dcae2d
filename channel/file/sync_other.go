//go:build !linux

package file

import "os"

// datasync flushes f to stable storage.
func datasync(f *os.File) error { return f.Sync() }

func preallocate(*os.File, int64, int64) {}
