//go:build !unix

package file

import (
	"errors"
	"math"
	"syscall"
)

// freeSpace is unknown here: the disk is taken as large enough.
func freeSpace(string) (uint64, error) { return math.MaxUint64, nil }

// isNoSpace reports whether err says the disk is full.
func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }
