//go:build !linux

package spooldir

import "errors"

// renameNoReplace is renameat2's RENAME_NOREPLACE, which only Linux has.
func renameNoReplace(oldpath, newpath string) error { return errors.ErrUnsupported }
