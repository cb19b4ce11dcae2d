//go:build !linux

package dfs

import "os"

// datasync flushes f to stable storage.
func datasync(f *os.File) error { return f.Sync() }

// renameNoReplace renames with a hard link and an unlink, which refuses
// an existing target.
func renameNoReplace(from, to string) error { return linkRename(from, to) }

// syncDir makes dir's entries durable where the system can sync a
// directory.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // some systems cannot open a directory for syncing
	}
	_ = d.Sync()
	return d.Close()
}
