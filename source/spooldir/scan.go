package spooldir

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// sig identifies a file's identity and content: what must not change
// between picking a file up and marking it done.
type sig struct {
	dev, ino uint64
	size     int64
	mtime    int64 // nanoseconds
	ctime    int64 // nanoseconds: also changes on chmod, chown, rename
}

func sigOf(fi fs.FileInfo) sig {
	s := sig{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino = uint64(st.Dev), uint64(st.Ino)
		s.ctime = ctime(st)
	}
	return s
}

// sameContent reports whether the file is the same one, unchanged: the
// spooling assumption (ctime aside, which a chmod changes).
func (s sig) sameContent(o sig) bool {
	return s.dev == o.dev && s.ino == o.ino && s.size == o.size && s.mtime == o.mtime
}

// candidate is a file the scan found to read.
type candidate struct {
	path string // spoolDir joined with rel, as Flume names it in its tracker
	rel  string
	name string
	sig  sig
}

// scanResult is one listing of the spooling directory.
type scanResult struct {
	files []candidate
	// skipped are the subdirectories that could not be listed (a warning
	// each, the rest of the scan goes on).
	skipped map[string]error
}

// scan lists the files to read, in the configured order: regular files
// (or links to them) whose name does not start with "." or end with the
// suffix, has no marker in the tracker directory (trackingPolicy
// tracker_dir), matches includePattern and does not match ignorePattern,
// in the spooling directory and, with recursiveDirectorySearch, in its
// subdirectories whose name does not start with "." or match
// ignorePattern. An error means the spooling directory itself cannot be
// listed.
func (s *Source) scan() (scanResult, error) {
	res := scanResult{skipped: map[string]error{}}
	var markers map[string]bool
	if s.cfg.DeletePolicy == DeleteNever && s.cfg.TrackingPolicy == TrackTrackerDir {
		markers = s.trackerMarkers()
	}
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		entries, err := os.ReadDir(dir)
		if err != nil && len(entries) == 0 {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			path, erel := filepath.Join(dir, name), filepath.Join(rel, name)
			t := e.Type()
			if t&fs.ModeSymlink != 0 {
				fi, err := os.Stat(path) // a link is read (and renamed) as what it points to
				if err != nil {
					continue
				}
				t = fi.Mode().Type()
			}
			if t.IsDir() {
				if !s.cfg.Recursive || path == s.trackerDir || s.matches(s.cfg.Ignore, path, name) {
					continue
				}
				if err := walk(path, erel); err != nil {
					res.skipped[path] = err
				}
				continue
			}
			if !t.IsRegular() || strings.HasSuffix(name, s.cfg.FileSuffix) || markers[erel+s.cfg.FileSuffix] ||
				!s.matches(s.cfg.Include, path, name) || s.matches(s.cfg.Ignore, path, name) {
				continue
			}
			fi, err := os.Stat(path)
			if err != nil {
				continue // gone since the listing
			}
			res.files = append(res.files, candidate{path: path, rel: erel, name: name, sig: sigOf(fi)})
		}
		return nil
	}
	if err := walk(s.cfg.SpoolDir, ""); err != nil {
		return res, err
	}
	s.order(res.files)
	return res, nil
}

// matches runs a file-name pattern. A pattern the backtracking engine gives
// up on counts as a match for ignorePattern and as none for includePattern
// (the file is left alone), with a warning.
func (s *Source) matches(re interface {
	MatchString(string) (bool, error)
	String() string
}, path, name string) bool {
	ok, err := re.MatchString(name)
	if err != nil {
		s.patternWarn.Warn(s.log, "file name pattern gave up on a name; the file is left alone",
			"file", path, "pattern", re.String(), "error", err)
		return re == s.cfg.Ignore
	}
	return ok
}

// order sorts candidates as consumeOrder says: oldest or youngest first by
// modification time in milliseconds (Java's lastModified), ties by name;
// random shuffles them.
func (s *Source) order(files []candidate) {
	switch s.cfg.ConsumeOrder {
	case OrderRandom:
		rand.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	case OrderYoungest:
		slices.SortStableFunc(files, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(b.sig.mtime/1e6, a.sig.mtime/1e6), strings.Compare(a.name, b.name))
		})
	default:
		slices.SortStableFunc(files, func(a, b candidate) int {
			return cmp.Or(cmp.Compare(a.sig.mtime/1e6, b.sig.mtime/1e6), strings.Compare(a.name, b.name))
		})
	}
}

// trackerMarkers returns the markers of files done under trackingPolicy
// tracker_dir: the paths, relative to the tracker directory, of its files
// ending with the suffix.
func (s *Source) trackerMarkers() map[string]bool {
	markers := map[string]bool{}
	err := filepath.WalkDir(s.trackerDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable part is skipped
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), s.cfg.FileSuffix) {
			if rel, err := filepath.Rel(s.trackerDir, path); err == nil {
				markers[rel] = true
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.trackerWarn.Warn(s.log, "cannot list the tracker directory", "dir", s.trackerDir, "error", err)
	}
	return markers
}

// markerPath returns the marker of a file done under tracker_dir.
func (s *Source) markerPath(c candidate) string {
	return filepath.Join(s.trackerDir, c.rel+s.cfg.FileSuffix)
}

// describe names what changed between two signatures.
func describeChange(before, after sig) string {
	switch {
	case before.dev != after.dev || before.ino != after.ino:
		return "it was replaced by another file"
	case after.size < before.size:
		return fmt.Sprintf("it shrank from %d to %d bytes", before.size, after.size)
	case after.size > before.size:
		return fmt.Sprintf("it grew from %d to %d bytes", before.size, after.size)
	}
	return "it was modified"
}
