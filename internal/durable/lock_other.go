//go:build !unix

package durable

import "os"

// TryLock does nothing where flock is not available.
func TryLock(*os.File) error { return nil }

// Unlock does nothing where flock is not available.
func Unlock(*os.File) {}
