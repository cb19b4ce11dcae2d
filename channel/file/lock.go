package file

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flumego/flume/internal/durable"
)

// dirLock is an exclusive advisory lock on <dir>/in_use.lock, as Flume
// takes on its checkpoint and data directories: a second channel (in this
// process or another) over the same directory fails to start.
type dirLock struct{ f *os.File }

const lockName = "in_use.lock"

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := durable.LockFile(path)
	if err != nil {
		if errors.Is(err, durable.ErrLocked) {
			return nil, fmt.Errorf("%s is locked: another channel is using this directory", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() {
	if l != nil && l.f != nil {
		durable.Unlock(l.f)
		l.f.Close()
		l.f = nil
	}
}
