//go:build !unix

package hdfs

import "os"

// lockFile does nothing where flock is not available.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
