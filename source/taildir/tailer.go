package taildir

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/flumego/flume"
)

// copyGrace is how long a new file that may be a copy in progress of a
// tracked file (logrotate's copytruncate copying it) must stop growing
// before it is read as a file of its own; copyWaitMax bounds the wait of
// one that keeps growing.
const (
	copyGrace   = time.Second
	copyWaitMax = 30 * time.Second
)

// tailFile is one tracked file. Only the tailer's goroutine touches it.
type tailFile struct {
	id      fileID
	path    string // where it was last seen
	group   *Group // nil for a file whose group left the configuration
	pos     int64  // offset up to which lines are committed
	fp      fingerprint
	fpKnown bool // fp describes the bytes up to pos (not yet for a position taken from Flume's file)
	size    int64
	mtime   time.Time
	fd      *os.File  // open while active or being drained
	active  time.Time // last commit or open: idleTimeout counts from here
	seen    uint64    // the scan in which it was last found at a matched path
	rotated bool      // no longer at a matched path: read to its end, then dropped

	// A new file is checked, before its first read, for being a copy of a
	// tracked file (copytruncate): a copy is parked (copyOf set) and read
	// from where its original stood once the original is truncated.
	fresh      bool
	freshSize  int64
	freshSince time.Time // since when its size is freshSize
	freshFirst time.Time // when the check first found it may be a copy
	copyOf     *tailFile
}

// dirState is one directory of the file groups.
type dirState struct {
	dir     string   // absolute, spelled as Flume spells the files' paths
	groups  []*Group // the groups whose files live here, in configuration order
	names   []dirMatch
	listed  bool
	mtime   int64 // Flume's lastSeenParentDirMTime (ms)
	checked int64 // Flume's lastCheckedTime (ms, whole seconds)
	relist  bool  // an event says the listing changed
}

type dirMatch struct {
	name  string
	group *Group
}

// tailer is the running state of a source, owned by its goroutine.
type tailer struct {
	src *Source
	cfg *Config
	log *slog.Logger

	files   map[fileID]*tailFile
	byPath  map[string]*tailFile // files at matched paths
	open    map[*tailFile]struct{}
	pending map[*tailFile]struct{} // files that may have unread lines
	parked  map[*tailFile]struct{} // copies waiting for their original (copyOf set)
	dirs    []*dirState
	byDir   map[string]*dirState

	w       *watcher
	j       *journal
	rb      readBuf
	lines   []line             // scratch of readBatch
	headers flume.HeaderBuffer // the events' headers, in shared storage

	own         map[string]bool // the position and state files (and their temporary files): never tailed
	gen         uint64
	dirty       bool // positions changed since the last compaction
	lastCompact time.Time
	nextSweep   time.Time
	soon        bool // a file waits for a decision: wake up again shortly
	rec         []byte
}

func newTailer(s *Source) *tailer {
	t := &tailer{
		src:     s,
		cfg:     &s.cfg,
		log:     s.log,
		files:   map[fileID]*tailFile{},
		byPath:  map[string]*tailFile{},
		open:    map[*tailFile]struct{}{},
		pending: map[*tailFile]struct{}{},
		parked:  map[*tailFile]struct{}{},
		byDir:   map[string]*dirState{},
		j:       newJournal(s.cfg.PositionFile),
	}
	// Written files that no group matches do not wake the source; the
	// directories and groups do not change while it runs.
	t.w = newWatcher(s.log, s.cfg.poll, func(path string) bool {
		_, ok := t.matchName(parentDir(path), filepath.Base(path))
		return ok
	})
	t.own = map[string]bool{}
	for _, p := range []string{t.j.posPath, t.j.statePath} {
		if abs, err := filepath.Abs(p); err == nil {
			t.own[abs], t.own[abs+".tmp"], t.own[abs+lockSuffix] = true, true, true
		}
	}
	for _, g := range s.cfg.Groups {
		dir := absDir(g.Dir)
		ds := t.byDir[dir]
		if ds == nil {
			ds = &dirState{dir: dir}
			t.byDir[dir] = ds
			t.dirs = append(t.dirs, ds)
		}
		ds.groups = append(ds.groups, g)
	}
	return t
}

// absDir is dir as the prefix of Flume's absolute file paths.
func absDir(dir string) string {
	p := filePath(dir, "x")
	return p[:len(p)-2]
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

func parentDir(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return "/"
	}
	return path[:i]
}

func (t *tailer) stats() Stats {
	st := Stats{Tracked: len(t.files), Open: len(t.open), Notify: t.w.active()}
	for f := range t.open { // a rotated file is open until it is dropped
		if f.rotated {
			st.Rotated++
		}
	}
	return st
}

// close writes the positions and releases every file and the watcher.
func (t *tailer) close() {
	t.compact()
	for f := range t.open {
		f.fd.Close()
		f.fd = nil
	}
	t.open = map[*tailFile]struct{}{}
	t.j.close()
	t.w.close()
}

// ---- start-up ----

// known is a position loaded at start-up.
type known struct {
	id       fileID
	devKnown bool // from the state file; Flume's file has inodes only
	pos      int64
	fp       fingerprint
	fpKnown  bool
	group    string
	path     string
}

// load reads the positions, scans the directories, matches both, and
// writes a fresh position file.
func (t *tailer) load() {
	ks, trusted := t.loadPositions()
	recorded := map[string]bool{}
	for _, k := range ks {
		recorded[k.path] = true
	}
	type match struct {
		path  string
		group *Group
		fi    os.FileInfo
		id    fileID
	}
	var matched []*match
	byPath := map[string]*match{}
	byIno := map[uint64][]*match{}
	seen := map[fileID]bool{}
	for _, ds := range t.dirs {
		t.watch(ds)
		t.list(ds, true)
		for _, m := range ds.names {
			path := joinPath(ds.dir, m.name)
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			id, _ := identity(fi)
			if seen[id] {
				continue // a second link to the same file
			}
			seen[id] = true
			mm := &match{path: path, group: m.group, fi: fi, id: id}
			matched = append(matched, mm)
			byPath[path] = mm
			byIno[id.ino] = append(byIno[id.ino], mm)
		}
	}
	// Device numbers may change across a reboot (and Flume's file has none):
	// a position is matched by inode, the device only breaks ties.
	claimed := map[fileID]bool{}
	for _, k := range ks {
		if m := byPath[k.path]; m != nil && m.id.ino == k.id.ino && !claimed[m.id] {
			claimed[m.id] = true
			t.resume(k, m.path, m.group, m.fi, m.id)
			continue
		}
		if !k.fpKnown || !k.fp.known() {
			t.log.Info("a file of the position file is no longer at its path; its position is not used",
				"file", k.path, "inode", k.id.ino, "pos", k.pos)
			continue
		}
		var found *match
		for _, m := range byIno[k.id.ino] {
			if claimed[m.id] {
				continue
			}
			if fd, ok := matchFile(m.path, k.fp); ok {
				fd.Close()
				if found == nil || m.id.dev == k.id.dev {
					found = m
				}
			}
		}
		if found != nil {
			claimed[found.id] = true
			t.log.Info("file was renamed while the source was stopped; following it", "from", k.path, "to", found.path, "pos", k.pos)
			t.resume(k, found.path, found.group, found.fi, found.id)
			continue
		}
		if path, id, fd, fi := t.findIno(parentDir(k.path), k.id.ino, k.fp); fd != nil {
			if t.files[id] != nil || claimed[id] {
				fd.Close()
				continue
			}
			claimed[id] = true
			f := t.track(id, path, t.group(k.group, parentDir(path)), k.pos, false)
			f.fp, f.fpKnown = k.fp, true
			f.fd, f.active, f.size, f.mtime = fd, time.Now(), fi.Size(), fi.ModTime()
			f.rotated = true
			t.open[f] = struct{}{}
			t.pending[f] = struct{}{}
			t.log.Info("file was rotated while the source was stopped; reading it to its end", "file", path, "was", k.path, "pos", k.pos)
			continue
		}
		t.log.Info("a file of the position file is gone (deleted or moved away while the source was stopped)",
			"file", k.path, "inode", k.id.ino, "pos", k.pos)
	}
	for _, m := range matched {
		if claimed[m.id] || t.files[m.id] != nil {
			continue
		}
		pos := int64(0)
		if t.cfg.SkipToEnd && trusted && !recorded[m.path] {
			pos = m.fi.Size()
		}
		f := t.track(m.id, m.path, m.group, pos, true)
		f.size, f.mtime = m.fi.Size(), m.fi.ModTime()
		if pos > 0 {
			f.fpKnown = false // computed from the file when it is opened
		}
		if f.size > f.pos {
			t.pending[f] = struct{}{}
		}
	}
	t.gen++
	for _, f := range t.files {
		if !f.rotated {
			f.seen = t.gen
		}
	}
	t.dirty = true
	t.compact()
	t.nextSweep = time.Now().Add(t.cfg.MaxBackoffSleep)
}

// loadPositions reads Flume's position file and the state file beside it.
// The state file's positions are used when the position file is the one
// written with it; otherwise the position file's, with the state file's
// fingerprints where inode and path agree (Flume ran meanwhile). trusted
// is false when the position file could not be read: skipToEnd is then
// not applied, so that nothing is skipped.
func (t *tailer) loadPositions() (ks []known, trusted bool) {
	path := t.cfg.PositionFile
	data, err := os.ReadFile(path)
	var ps []Position
	switch {
	case errors.Is(err, os.ErrNotExist):
		data = nil
	case err != nil:
		t.log.Error("cannot read the position file; every file is read from its start", "file", path, "error", err)
		return nil, false
	default:
		if ps, err = DecodePositions(data); err != nil {
			t.log.Error("the position file is damaged; every file is read from its start (skipToEnd is not applied)",
				"file", path, "error", err)
			return nil, false
		}
	}
	st, err := readState(t.j.statePath)
	if err != nil {
		t.log.Warn("the state file is damaged; using the position file alone", "file", t.j.statePath, "error", err)
		st = nil
	}
	if st != nil && data != nil && sha256.Sum256(data) == st.posFileHash {
		for _, id := range st.order {
			e := st.entries[id]
			ks = append(ks, known{id: e.id, devKnown: true, pos: e.pos, fp: e.fp, fpKnown: true, group: e.group, path: e.path})
		}
		return ks, true
	}
	for _, p := range ps {
		k := known{id: fileID{ino: uint64(p.Inode)}, pos: p.Pos, path: p.File}
		if st != nil {
			for _, id := range st.order {
				if e := st.entries[id]; e.id.ino == k.id.ino && e.path == k.path {
					k.id.dev, k.devKnown, k.fp, k.fpKnown, k.group = e.id.dev, true, e.fp, true, e.group
					if e.pos > k.pos {
						// The state file is ahead of Flume's positions: its
						// mark lies beyond them, so use the head alone.
						k.fp.markLen, k.fp.markEnd = 0, 0
					}
					break
				}
			}
		}
		ks = append(ks, k)
	}
	return ks, true
}

// resume tracks a file of the position file found at path.
func (t *tailer) resume(k known, path string, g *Group, fi os.FileInfo, id fileID) {
	f := t.track(id, path, g, k.pos, true)
	f.fp, f.fpKnown = k.fp, k.fpKnown
	f.size, f.mtime = fi.Size(), fi.ModTime()
	switch {
	case fi.Size() < k.pos:
		t.log.Info("file shrank while the source was stopped (truncated or replaced); reading it from its start",
			"file", path, "pos", k.pos, "size", fi.Size())
		t.truncated(f, fi.Size())
	case k.fpKnown && k.fp.known():
		fd, ok := matchFile(path, k.fp)
		if !ok {
			t.log.Info("file changed while the source was stopped (a new file with a recycled inode, or rewritten); reading it from its start",
				"file", path, "inode", id.ino, "pos", k.pos)
			t.truncated(f, fi.Size())
		} else {
			fd.Close()
		}
	}
	if f.size > f.pos {
		t.pending[f] = struct{}{}
	}
}

// group returns the group named name, or the first group of dir.
func (t *tailer) group(name, dir string) *Group {
	for _, g := range t.cfg.Groups {
		if g.Name == name {
			return g
		}
	}
	if ds := t.byDir[dir]; ds != nil {
		return ds.groups[0]
	}
	return nil
}

// ---- bookkeeping ----

// track starts tracking a file; matched says whether path matches its
// group (byPath holds the files at matched paths only).
func (t *tailer) track(id fileID, path string, g *Group, pos int64, matched bool) *tailFile {
	f := &tailFile{id: id, path: path, group: g, pos: pos, fpKnown: true, active: time.Now(), rotated: !matched}
	t.files[id] = f
	if matched {
		t.byPath[path] = f
	}
	t.journalEntry(f)
	return f
}

// forget stops tracking f.
func (t *tailer) forget(f *tailFile) {
	if f.fd != nil {
		f.fd.Close()
		f.fd = nil
	}
	delete(t.open, f)
	delete(t.pending, f)
	delete(t.parked, f)
	delete(t.files, f.id)
	if t.byPath[f.path] == f {
		delete(t.byPath, f.path)
	}
	if t.rb.f == f {
		t.rb.reset()
	}
	// A copy waiting for f holds the rest of f's lines.
	for c := range t.parked {
		if c.copyOf == f {
			t.release(c, f.pos, f.fp)
		}
	}
	t.rec = appendDrop(t.rec[:0], f.id)
	t.appendJournal(t.rec)
}

// move records that f is now at path.
func (t *tailer) move(f *tailFile, path string, g *Group) {
	if t.byPath[f.path] == f {
		delete(t.byPath, f.path)
	}
	f.path, f.group, f.rotated = path, g, false
	t.byPath[path] = f
	t.journalEntry(f)
}

func (t *tailer) journalEntry(f *tailFile) {
	e := stateEntry{id: f.id, pos: f.pos, fp: f.fp, path: f.path}
	if f.group != nil {
		e.group = f.group.Name
	}
	if !f.fpKnown {
		e.fp = fingerprint{}
	}
	t.rec = appendEntry(t.rec[:0], &e)
	t.appendJournal(t.rec)
}

func (t *tailer) appendJournal(rec []byte) {
	t.dirty = true
	if t.j.f == nil {
		return // the next compaction writes everything
	}
	if err := t.j.append(rec); err != nil {
		t.src.counter.GenericProcessingFail.Add(1)
		t.src.posWarn.Warn(t.log, "cannot append to the state file; positions are kept in memory and written at the next compaction", "error", err)
	}
}

// compact writes the position file and a fresh state file.
func (t *tailer) compact() {
	if !t.dirty {
		return
	}
	fs := make([]*tailFile, 0, len(t.files))
	for _, f := range t.files {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].path < fs[j].path })
	ps := make([]Position, len(fs))
	es := make([]*stateEntry, len(fs))
	for i, f := range fs {
		ps[i] = Position{Inode: int64(f.id.ino), Pos: f.pos, File: f.path}
		e := &stateEntry{id: f.id, pos: f.pos, fp: f.fp, path: f.path}
		if f.group != nil {
			e.group = f.group.Name
		}
		if !f.fpKnown {
			e.fp = fingerprint{}
		}
		es[i] = e
	}
	t.lastCompact = time.Now()
	if err := t.j.compact(EncodePositions(ps), es); err != nil {
		t.src.counter.GenericProcessingFail.Add(1)
		t.src.posWarn.Warn(t.log, "cannot write the position file; retrying", "file", t.cfg.PositionFile, "error", err)
		return
	}
	t.dirty = false
}

// ---- scanning ----

// watch sets up the watch of a directory, if notifications are on.
func (t *tailer) watch(ds *dirState) bool {
	return t.w.add(ds.dir)
}

// list refreshes the matched names of ds: always when force is set or
// the directory changed, otherwise following Flume's cachePatternMatching
// rule (list again when the directory's mtime moved, or when its last
// change fell in the second of the last listing).
func (t *tailer) list(ds *dirState, force bool) {
	fi, err := os.Stat(ds.dir)
	if err != nil || !fi.IsDir() {
		if ds.listed || force {
			t.src.dirWarn.Warn(t.log, "file group directory does not exist or is not a directory; waiting for it", "dir", ds.dir)
		}
		ds.names, ds.listed = nil, false
		return
	}
	now := time.Now().Unix() * 1000
	mtime := fi.ModTime().UnixMilli()
	if !force && !ds.relist && ds.listed && t.cfg.CachePatternMatching && ds.mtime >= mtime && mtime < ds.checked {
		return
	}
	entries, err := os.ReadDir(ds.dir)
	if err != nil {
		t.src.counter.EventReadFail.Add(1)
		t.src.dirWarn.Warn(t.log, "cannot list a file group directory", "dir", ds.dir, "error", err)
		return
	}
	names := ds.names[:0]
	for _, e := range entries {
		if e.IsDir() || t.own[filepath.Clean(joinPath(ds.dir, e.Name()))] {
			continue
		}
		for _, g := range ds.groups {
			if g.Match(e.Name()) {
				names = append(names, dirMatch{name: e.Name(), group: g})
				break
			}
		}
	}
	ds.names, ds.listed, ds.relist, ds.mtime, ds.checked = names, true, false, mtime, now
}

// reconcile matches the files of ds with the tracked ones: new files are
// tracked, renamed ones followed, grown ones marked, truncated ones read
// again from the start, and files that left their path are drained.
func (t *tailer) reconcile(ds *dirState, force bool) {
	if !t.w.isWatched(ds.dir) {
		t.watch(ds)
	}
	t.list(ds, force)
	if !ds.listed {
		// The directory is gone or unreadable: conclude nothing about the
		// files that were there, except that the open ones can only be
		// finished through their descriptors.
		for f := range t.open {
			if !f.rotated && parentDir(f.path) == ds.dir {
				f.rotated = true
				t.pending[f] = struct{}{}
			}
		}
		return
	}
	t.gen++
	gen := t.gen
	for _, m := range ds.names {
		path := joinPath(ds.dir, m.name)
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		id, _ := identity(fi)
		f := t.files[id]
		if f != nil && f.seen == gen {
			continue // a second link to the same file
		}
		if f != nil && f.path != path {
			if f.fd == nil && f.fpKnown && f.fp.known() {
				if fd, ok := matchFile(path, f.fp); ok {
					fd.Close()
				} else {
					t.log.Info("a tracked file's inode now belongs to another file", "file", path, "was", f.path, "inode", id.ino)
					t.forget(f)
					f = nil
				}
			}
			if f != nil {
				t.log.Info("file renamed; following it", "from", f.path, "to", path, "pos", f.pos)
				t.move(f, path, m.group)
			}
		}
		if f == nil {
			if old := t.byPath[path]; old != nil {
				delete(t.byPath, path) // replaced: handled below as a file that left its path
			}
			f = t.track(id, path, m.group, 0, true)
			f.fresh = true
			f.size, f.mtime = fi.Size(), fi.ModTime()
			f.seen = gen
			t.log.Info("new file", "file", path, "inode", id.ino)
			if f.size > 0 {
				t.pending[f] = struct{}{}
			}
			continue
		}
		f.seen = gen
		f.rotated = false
		t.byPath[path] = f
		switch {
		case fi.Size() < f.pos:
			t.truncated(f, fi.Size())
		case fi.Size() != f.size || !fi.ModTime().Equal(f.mtime) || fi.Size() > f.pos:
			t.pending[f] = struct{}{}
		}
		f.size, f.mtime = fi.Size(), fi.ModTime()
	}
	var lost []*tailFile
	for _, f := range t.files {
		if f.rotated || f.seen == gen || parentDir(f.path) != ds.dir {
			continue
		}
		if t.byPath[f.path] == f {
			delete(t.byPath, f.path)
		}
		if f.fd != nil {
			f.rotated = true
			t.pending[f] = struct{}{}
			t.log.Info("file left its path (rotated or deleted); reading it to its end", "file", f.path, "inode", f.id.ino, "pos", f.pos)
			continue
		}
		lost = append(lost, f)
	}
	if len(lost) > 0 {
		t.findMoved(ds, lost)
	}
}

// findMoved looks for closed files that left their matched path among the
// other files of the directory (rotated while idle): one found with unread
// lines is drained, the others are no longer tracked.
func (t *tailer) findMoved(ds *dirState, lost []*tailFile) {
	entries, err := os.ReadDir(ds.dir)
	if err != nil {
		return // look again at the next scan
	}
	want := map[fileID]*tailFile{}
	for _, f := range lost {
		want[f.id] = f
	}
	for _, e := range entries {
		if len(want) == 0 {
			break
		}
		path := joinPath(ds.dir, e.Name())
		if t.byPath[path] != nil {
			continue
		}
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		id, _ := identity(fi)
		f := want[id]
		if f == nil {
			continue
		}
		delete(want, id)
		if fi.Size() <= f.pos {
			t.log.Info("file rotated while idle, already read to its end; no longer tracked", "file", f.path, "now", path)
			t.forget(f)
			continue
		}
		fd, err := os.Open(path)
		if err != nil {
			t.forget(f)
			continue
		}
		if f.fpKnown && f.fp.known() {
			if ok, _ := f.fp.match(fd, fi.Size()); !ok {
				fd.Close()
				t.forget(f)
				continue
			}
		}
		t.log.Info("file rotated while idle; reading it to its end", "file", path, "was", f.path, "pos", f.pos)
		f.path, f.rotated, f.fd, f.active = path, true, fd, time.Now()
		f.size, f.mtime = fi.Size(), fi.ModTime()
		t.open[f] = struct{}{}
		t.pending[f] = struct{}{}
		t.journalEntry(f)
	}
	for _, f := range want {
		t.log.Info("file deleted or moved away", "file", f.path, "inode", f.id.ino, "pos", f.pos)
		t.forget(f)
	}
}

// findIno looks in dir for a file with inode ino holding fp, and opens it.
func (t *tailer) findIno(dir string, ino uint64, fp fingerprint) (string, fileID, *os.File, os.FileInfo) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fileID{}, nil, nil
	}
	for _, e := range entries {
		path := joinPath(dir, e.Name())
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		id, _ := identity(fi)
		if id.ino != ino {
			continue
		}
		if fd, ok := matchFile(path, fp); ok {
			return path, id, fd, fi
		}
	}
	return "", fileID{}, nil, nil
}

// truncated handles a file that shrank below its position or whose
// content is no longer the one read (copytruncate, or a recycled inode):
// the lines its old content had after the position are looked for in its
// copy, and the file is read again from its start, once.
func (t *tailer) truncated(f *tailFile, size int64) {
	if f.pos > 0 {
		if c := t.findCopy(f); c != nil {
			t.log.Info("file truncated; reading the rest of its previous content from its copy", "file", f.path, "copy", c.path, "pos", f.pos)
			t.release(c, f.pos, f.fp)
		} else {
			t.log.Info("file truncated or replaced; reading it again from its start", "file", f.path, "inode", f.id.ino, "pos", f.pos, "size", size)
		}
	}
	f.pos, f.fp, f.fpKnown, f.fresh, f.size = 0, fingerprint{}, true, false, size
	if t.rb.f == f {
		t.rb.reset()
	}
	t.pending[f] = struct{}{}
	t.rec = appendPosition(t.rec[:0], f.id, 0, fingerprint{})
	t.appendJournal(t.rec)
}

// release ends the wait of a parked copy (or claims a new file as a copy):
// it is read from pos, where its original stood.
func (t *tailer) release(c *tailFile, pos int64, fp fingerprint) {
	delete(t.parked, c)
	c.copyOf, c.fresh = nil, false
	c.pos, c.fp, c.fpKnown = pos, fp, true
	if t.rb.f == c {
		t.rb.reset()
	}
	t.pending[c] = struct{}{}
	t.rec = appendPosition(t.rec[:0], c.id, c.pos, c.fp)
	t.appendJournal(t.rec)
}

// findCopy returns the copy of f's content before it was truncated: a
// parked copy, a new file not read yet, or an untracked file of f's
// directory that holds f's fingerprint (head and mark) and at least f.pos
// bytes. An untracked copy is tracked (drained and dropped if its name does
// not match a group).
func (t *tailer) findCopy(f *tailFile) *tailFile {
	if !f.fpKnown || !f.fp.known() {
		return nil
	}
	for c := range t.parked {
		if c.copyOf == f {
			return c
		}
	}
	dir := parentDir(f.path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		path := joinPath(dir, e.Name())
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() < f.pos {
			continue
		}
		id, _ := identity(fi)
		if id == f.id {
			continue
		}
		c := t.files[id]
		if c != nil && !(c.fresh && c.pos == 0) {
			continue
		}
		fd, ok := matchFile(path, f.fp)
		if !ok {
			continue
		}
		if c != nil {
			fd.Close()
			return c
		}
		g, matched := t.matchName(dir, e.Name())
		if g == nil {
			g = f.group
		}
		c = t.track(id, path, g, 0, matched)
		c.fd, c.size, c.mtime = fd, fi.Size(), fi.ModTime()
		c.seen = t.gen
		t.open[c] = struct{}{}
		return c
	}
	return nil
}

// matchName returns the group a name of dir belongs to.
func (t *tailer) matchName(dir, name string) (*Group, bool) {
	if ds := t.byDir[dir]; ds != nil {
		for _, g := range ds.groups {
			if g.Match(name) {
				return g, true
			}
		}
	}
	return nil, false
}

// ---- the loop ----

// step does one round of work and reports whether any line was committed.
func (t *tailer) step(ctx, abort context.Context) bool {
	now := time.Now()
	written, changed, overflow := t.w.take()
	sweep := overflow || !t.w.active() || !now.Before(t.nextSweep)
	for _, ds := range t.dirs {
		_, dirChanged := changed[ds.dir]
		if dirChanged {
			ds.relist = true
		}
		if sweep || dirChanged || !t.w.isWatched(ds.dir) {
			t.reconcile(ds, overflow)
		}
	}
	if sweep {
		t.nextSweep = now.Add(t.cfg.MaxBackoffSleep)
	}
	for path := range written {
		if f := t.byPath[path]; f != nil {
			t.pending[f] = struct{}{}
			continue
		}
		dir, name := parentDir(path), filepath.Base(path)
		if ds := t.byDir[dir]; ds != nil && !sweep {
			if _, ok := t.matchName(dir, name); ok {
				ds.relist = true
				t.reconcile(ds, true) // a matched file we do not know yet
			}
		}
	}
	// A rotated file has no matched path the events could name: it is
	// read every round until it is dropped.
	for f := range t.open {
		if f.rotated {
			t.pending[f] = struct{}{}
		}
	}
	worked := false
	t.soon = false

	// Files with new lines, oldest change first (as Flume orders them).
	todo := make([]*tailFile, 0, len(t.pending))
	for f := range t.pending {
		todo = append(todo, f)
	}
	sort.Slice(todo, func(i, j int) bool {
		if !todo[i].mtime.Equal(todo[j].mtime) {
			return todo[i].mtime.Before(todo[j].mtime)
		}
		return todo[i].path < todo[j].path
	})
	for _, f := range todo {
		if ctx.Err() != nil {
			return worked
		}
		if t.files[f.id] != f {
			continue // forgotten meanwhile
		}
		n, more := t.tail(ctx, abort, f, false)
		if n > 0 {
			worked = true
		}
		if !more {
			delete(t.pending, f)
		}
	}
	if ctx.Err() != nil {
		return worked
	}

	// Parked copies whose original has read past them hold nothing new.
	for f := range t.parked {
		if o := f.copyOf; o != nil && o.pos >= f.size {
			t.log.Info("a copy of a file was read through the file itself", "copy", f.path, "file", o.path)
			fp := f.fp
			if f.fd != nil {
				fp, _ = computeFingerprint(f.fd, f.size)
			}
			t.release(f, f.size, fp)
		}
	}

	// Idle files are closed (and their last line, even without a newline,
	// delivered, as Flume does); rotated files at their end are dropped.
	now = time.Now()
	for f := range t.open {
		if ctx.Err() != nil {
			return worked
		}
		if now.Sub(f.active) < t.cfg.IdleTimeout || f.copyOf != nil || (f.fresh && f.pos == 0) {
			continue
		}
		if n, _ := t.tail(ctx, abort, f, true); n > 0 {
			worked = true
			if now.Sub(f.active) < t.cfg.IdleTimeout {
				continue
			}
		}
		if ctx.Err() != nil {
			return worked
		}
		if f.rotated {
			t.log.Info("rotated file read to its end; no longer tracked", "file", f.path, "pos", f.pos)
			t.forget(f)
			continue
		}
		f.fd.Close()
		f.fd = nil
		f.active = now
		delete(t.open, f)
		t.log.Debug("closed idle file", "file", f.path, "pos", f.pos)
	}
	if t.dirty && now.Sub(t.lastCompact) >= t.cfg.WritePosInterval {
		t.compact()
	}
	return worked
}

// wait sleeps until something happens: an inotify event, the next sweep,
// or, when polling, Flume's backoff (idle × backoffSleepIncrement, at most
// maxBackoffSleep).
func (t *tailer) wait(ctx context.Context, idle int) {
	d := min(time.Duration(idle)*t.cfg.BackoffSleepIncrement, t.cfg.MaxBackoffSleep)
	if t.w.active() {
		watchedAll := true
		for _, ds := range t.dirs {
			if !t.w.isWatched(ds.dir) {
				watchedAll = false
			}
		}
		rotated := false
		for f := range t.open {
			if f.rotated {
				rotated = true
				break
			}
		}
		if watchedAll && !rotated {
			d = time.Until(t.nextSweep)
		}
	}
	if t.soon || len(t.pending) > 0 {
		d = min(d, 100*time.Millisecond)
	}
	if t.dirty {
		d = min(d, time.Until(t.lastCompact.Add(t.cfg.WritePosInterval)))
	}
	if len(t.open) > 0 {
		next := time.Duration(1<<62 - 1)
		for f := range t.open {
			next = min(next, time.Until(f.active.Add(t.cfg.IdleTimeout)))
		}
		d = min(d, max(next, 10*time.Millisecond))
	}
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-t.w.wake:
	case <-timer.C:
	}
}
