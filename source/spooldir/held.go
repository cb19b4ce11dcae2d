package spooldir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// holdKind says why a file is left in place and when it is tried again.
type holdKind int

const (
	// holdChanging: the file changed after it was picked up. It is read
	// on from the last committed event once it has not changed for a
	// pollDelay.
	holdChanging holdKind = iota
	// holdFailed: the file could not be read (permission, undecodable
	// bytes under FAIL, a corrupt Avro block). It is tried again once it
	// changes (a chmod or a fix), and has not changed since for a
	// pollDelay.
	holdFailed
	// holdRetire: the file was read and committed but could not be marked
	// done (renamed, deleted, its marker created). Marking it is retried
	// at every scan; it is not read again.
	holdRetire
)

// held is a file left in place, and what is known of it. Held files are
// remembered while the source runs: the tracker file holds the position of
// one file only, so after a restart a held file is read again from its
// start (its committed events repeat, none is lost).
type held struct {
	kind holdKind
	sig  sig       // the file as last seen
	pos  int64     // the position after its last committed event
	seen time.Time // when sig last changed
}

// ready reports whether a file of the scan may be read now: a new file
// once it has not changed for a pollDelay (by its modification time, or,
// when that is recent or in the future, by two scans), so that a file
// still being written is not picked up at once; a held file not, except a
// changed one that has been stable for a pollDelay. A held file that could
// not be marked done is marked now if it can be.
func (s *Source) ready(c candidate) bool {
	h, ok := s.held[c.path]
	if !ok {
		if time.Since(time.Unix(0, c.sig.mtime)) >= s.cfg.PollDelay ||
			s.resume.target != "" && samePath(c.path, s.resume.target) { // picked up by an earlier run
			return true
		}
		f, seen := s.fresh[c.path]
		if !seen || f.sig != c.sig {
			s.fresh[c.path] = sighting{sig: c.sig, at: time.Now()}
			return false
		}
		return time.Since(f.at) >= s.cfg.PollDelay
	}
	if c.sig != h.sig {
		h.sig, h.seen = c.sig, time.Now()
		if h.kind != holdChanging {
			s.log.Info("a file left in place changed; it is read once it stops changing", "file", c.path)
			h.kind = holdChanging
		}
		s.held[c.path] = h
		return false
	}
	switch h.kind {
	case holdChanging:
		return time.Since(h.seen) >= s.cfg.PollDelay
	case holdRetire:
		if err := s.markDone(c); err != nil {
			s.counter.GenericProcessingFail.Add(1)
			s.retireWarn.Warn(s.log, "still cannot mark a file done; it stays in place", "file", c.path, "error", err)
			return false
		}
		delete(s.held, c.path)
		if s.tracker != nil && s.tracker.target == c.path {
			s.removeTracker()
		}
		s.log.Info("file done", "file", c.path, "as", s.doneName(c))
	}
	return false
}

// sighting is a recently modified file as a scan saw it.
type sighting struct {
	sig sig
	at  time.Time
}

// forgetGone drops the held and recently modified files a scan no longer
// lists (removed, renamed, or done by a marking retried in ready).
func (s *Source) forgetGone(files []candidate) {
	if len(s.held) == 0 && len(s.fresh) == 0 {
		return
	}
	listed := make(map[string]bool, len(files))
	for _, c := range files {
		listed[c.path] = true
	}
	for path := range s.held {
		if !listed[path] {
			delete(s.held, path)
		}
	}
	for path := range s.fresh {
		if !listed[path] {
			delete(s.fresh, path)
		}
	}
}

// fail reports a file that cannot be read, from pos on, and leaves it in
// place until it changes.
func (s *Source) fail(c candidate, at sig, pos int64, what string, err error) {
	s.log.Error(what+"; the file is left in place and read again once it changes", "file", c.path,
		"position", pos, "error", err)
	s.held[c.path] = held{kind: holdFailed, sig: at, pos: pos, seen: time.Now()}
}

// changed reports whether c changed since it was picked up (as at), and
// then holds it at pos, the position after its last committed event.
func (s *Source) changed(c candidate, at sig, pos int64) bool {
	fi, err := os.Stat(c.path)
	if err != nil {
		return false // gone: what was read is delivered, retire reports it
	}
	now := sigOf(fi)
	if now.sameContent(at) {
		return false
	}
	s.counter.EventReadFail.Add(1)
	s.changeWarn.Warn(s.log, "file changed after it was picked up: it is left in place, and read on from the last committed event once it stops changing",
		"file", c.path, "change", describeChange(at, now), "position", pos)
	s.held[c.path] = held{kind: holdChanging, sig: now, pos: pos, seen: time.Now()}
	return true
}

// retire marks a file read to its end done: renamed with the suffix,
// deleted, or its marker created in the tracker directory. A file that
// changed is held instead; one that cannot be marked is held to retry.
func (s *Source) retire(c candidate, at sig, pos int64) {
	if s.changed(c, at, pos) {
		return
	}
	if _, err := os.Lstat(c.path); errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("file disappeared while it was read; what was read is delivered, nothing is left to mark done", "file", c.path)
		s.removeTracker()
		return
	}
	if err := s.markDone(c); err != nil {
		s.counter.GenericProcessingFail.Add(1)
		s.log.Error("cannot mark the file done; it is left in place and marking it is retried", "file", c.path, "error", err)
		s.held[c.path] = held{kind: holdRetire, sig: at, pos: pos, seen: time.Now()}
		return
	}
	s.removeTracker()
	s.log.Info("file done", "file", c.path, "as", s.doneName(c))
}

// errReused is the error of marking a file whose done name is taken.
var errReused = errors.New("the file name was used again: its done name already exists (spooled files must have unique names)")

// markDone renames c with the suffix, deletes it or creates its marker,
// as deletePolicy and trackingPolicy say. It never replaces an existing
// file.
func (s *Source) markDone(c candidate) error {
	switch {
	case s.cfg.DeletePolicy == DeleteImmediate:
		if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	case s.cfg.TrackingPolicy == TrackTrackerDir:
		marker := s.markerPath(c)
		if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", marker, errReused)
		}
		if err != nil {
			return err
		}
		return f.Close()
	}
	dest := c.path + s.cfg.FileSuffix
	err := renameNoReplace(c.path, dest)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s: %w", dest, errReused)
	case !errors.Is(err, errors.ErrUnsupported):
		return err
	}
	// A hard link never replaces dest either; then the old name goes.
	err = os.Link(c.path, dest)
	switch {
	case err == nil:
		return os.Remove(c.path)
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s: %w", dest, errReused)
	}
	// No hard links here (some network file systems): check, then rename.
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("%s: %w", dest, errReused)
	}
	return os.Rename(c.path, dest)
}

// doneName says what became of a file marked done.
func (s *Source) doneName(c candidate) string {
	switch {
	case s.cfg.DeletePolicy == DeleteImmediate:
		return "deleted"
	case s.cfg.TrackingPolicy == TrackTrackerDir:
		return s.markerPath(c)
	}
	return c.path + s.cfg.FileSuffix
}

// removeTracker empties the tracker file: its file is done.
func (s *Source) removeTracker() {
	if s.tracker == nil {
		return
	}
	if err := s.tracker.clear(); err != nil {
		s.counter.GenericProcessingFail.Add(1)
		s.trackerWarn.Warn(s.log, "cannot empty the tracker file", "error", err)
	}
}
