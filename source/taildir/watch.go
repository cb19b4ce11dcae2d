package taildir

import (
	"errors"
	"log/slog"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/flumego/flume/internal/ratelog"
	"github.com/fsnotify/fsnotify"
)

// watcher collects inotify events on the file groups' directories: which
// files were written and which directories changed (a file created,
// renamed or deleted). It does not hold a descriptor per file, only one
// watch per directory. Without inotify (other systems, or when the
// system's inotify limits are reached) it is inactive and the source polls,
// as Flume does.
type watcher struct {
	fs    *fsnotify.Watcher
	log   *slog.Logger
	warn  ratelog.Limiter        // inotify errors: one warning per 10 s
	match func(path string) bool // whether a written file is worth a round

	mu       sync.Mutex
	written  map[string]struct{}
	changed  map[string]struct{}
	watched  map[string]bool // directories with a watch
	overflow bool

	wake chan struct{} // signalled when something was recorded
	done chan struct{} // closed when the forwarding goroutine returned
}

// newWatcher starts a watcher; with poll set, or where inotify is not
// available, it stays inactive. Writes are recorded only for the paths
// match accepts (it is called from the watcher's goroutine), so that a busy
// file the groups do not match (syslog in /var/log) does not wake the
// source at every line.
func newWatcher(log *slog.Logger, poll bool, match func(path string) bool) *watcher {
	w := &watcher{
		log:     log,
		match:   match,
		written: map[string]struct{}{},
		changed: map[string]struct{}{},
		watched: map[string]bool{},
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	if poll || runtime.GOOS != "linux" {
		close(w.done)
		return w
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		log.Warn("inotify is not available; polling the files instead", "error", err)
		close(w.done)
		return w
	}
	w.fs = fw
	go w.forward()
	return w
}

// active reports whether events arrive at all.
func (w *watcher) active() bool { return w.fs != nil }

// add watches dir (the exact spelling file paths are built from) and
// reports whether it is watched.
func (w *watcher) add(dir string) bool {
	if w.fs == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watched[dir] {
		return true
	}
	if err := w.fs.Add(dir); err != nil {
		return false
	}
	w.watched[dir] = true
	return true
}

// isWatched reports whether dir has a watch.
func (w *watcher) isWatched(dir string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.watched[dir]
}

// take returns and clears what was recorded since the last call.
func (w *watcher) take() (written, changed map[string]struct{}, overflow bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.written) == 0 && len(w.changed) == 0 && !w.overflow {
		return nil, nil, false
	}
	written, changed, overflow = w.written, w.changed, w.overflow
	w.written, w.changed, w.overflow = map[string]struct{}{}, map[string]struct{}{}, false
	return written, changed, overflow
}

// forward records the events until the watcher is closed.
func (w *watcher) forward() {
	defer close(w.done)
	events, errs := w.fs.Events, w.fs.Errors
	for events != nil || errs != nil {
		select {
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if !w.record(ev) {
				continue
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			w.mu.Lock()
			w.overflow = true // rescan everything, whatever was missed
			w.mu.Unlock()
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				w.warn.Warn(w.log, "inotify error; rescanning the directories", "error", err)
			}
		}
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// record notes an event and reports whether it is worth a round.
func (w *watcher) record(ev fsnotify.Event) bool {
	if ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create|fsnotify.Remove|fsnotify.Rename) && w.match != nil && !w.match(ev.Name) {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.watched[ev.Name] && (ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)):
		// The directory itself went away: its watch is gone.
		delete(w.watched, ev.Name)
		w.changed[ev.Name] = struct{}{}
	case ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		w.changed[filepath.Dir(ev.Name)] = struct{}{}
	case ev.Has(fsnotify.Write):
		w.written[ev.Name] = struct{}{}
	default:
		return false
	}
	return true
}

// close stops the watcher and waits for its goroutines.
func (w *watcher) close() {
	if w.fs != nil {
		_ = w.fs.Close()
	}
	<-w.done
}
