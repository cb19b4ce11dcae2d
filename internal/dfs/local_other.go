//go:build !linux

package dfs

// renameNoReplace renames with a hard link and an unlink, which refuses
// an existing target.
func renameNoReplace(from, to string) error { return linkRename(from, to) }
