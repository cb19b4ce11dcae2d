package hdfs

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/flumego/flume/internal/durable"
)

// entry is a file of the record: its file system ("file://",
// "hdfs://namenode:8020"), in-use path and final path.
type entry struct {
	uri, inUse, final string
}

type entryKey struct{ uri, inUse string }

// record is the list of the files a sink has in use, kept in a local file
// (<hdfs.recoveryDir>/<sink>.inuse) so that the next start closes and
// renames the files a crash left open — only the sink's own files, even
// when other agents write to the same directories. Each line is
//
//   - "<uri>" "<in-use path>" "<final path>"   a file is created
//   - "<uri>" "<in-use path>"                  it is closed and renamed
//
// (Go-quoted strings). An addition is written before the file is created
// and synced before the first commit of events into it, so a committed
// event is never in a file the record lacks; removals need no sync (a
// removed file that reappears after a power failure is found renamed).
// The file is rewritten with the live entries when mostly removals. It is
// locked while a sink uses it.
type record struct {
	mu    sync.Mutex
	path  string
	f     *os.File
	w     *bufio.Writer
	live  map[entryKey]string
	lines int
	dirty bool
}

// openRecord opens (creating) the record of a sink and reads the entries
// a previous run left.
func openRecord(dir, sink string) (*record, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("in-use record: %w", err)
	}
	r := &record{path: filepath.Join(dir, sink+".inuse"), live: map[entryKey]string{}}
	f, err := os.OpenFile(r.path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("in-use record: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("in-use record %s: %w", r.path, err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		r.lines++
		e, add, ok := parseRecordLine(sc.Text())
		if !ok {
			continue // a line torn by a crash: it was not synced, so no commit depends on it
		}
		if add {
			r.live[entryKey{e.uri, e.inUse}] = e.final
		} else {
			delete(r.live, entryKey{e.uri, e.inUse})
		}
	}
	if err := sc.Err(); err != nil {
		durable.Unlock(f)
		f.Close()
		return nil, fmt.Errorf("in-use record %s: %w", r.path, err)
	}
	r.f = f
	if err := r.compact(); err != nil { // also drops a torn last line
		r.close()
		return nil, err
	}
	return r, nil
}

func parseRecordLine(line string) (entry, bool, bool) {
	op, rest, ok := strings.Cut(line, " ")
	if !ok || (op != "+" && op != "-") {
		return entry{}, false, false
	}
	var fields []string
	for rest != "" {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return entry{}, false, false
		}
		s, _ := strconv.Unquote(q)
		fields = append(fields, s)
		rest = strings.TrimPrefix(rest[len(q):], " ")
	}
	switch {
	case op == "+" && len(fields) == 3:
		return entry{fields[0], fields[1], fields[2]}, true, true
	case op == "-" && len(fields) == 2:
		return entry{uri: fields[0], inUse: fields[1]}, false, true
	}
	return entry{}, false, false
}

// entries returns the live entries, in path order.
func (r *record) entries() []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]entry, 0, len(r.live))
	for k, final := range r.live {
		out = append(out, entry{k.uri, k.inUse, final})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].inUse < out[j].inUse })
	return out
}

// add records a file about to be created.
func (r *record) add(e entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return errors.New("in-use record closed")
	}
	r.live[entryKey{e.uri, e.inUse}] = e.final
	r.dirty = true
	return r.appendLine("+ " + strconv.Quote(e.uri) + " " + strconv.Quote(e.inUse) + " " + strconv.Quote(e.final))
}

// remove records a file closed and renamed (or found gone).
func (r *record) remove(uri, inUse string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := entryKey{uri, inUse}
	if _, ok := r.live[k]; !ok || r.f == nil {
		return nil
	}
	delete(r.live, k)
	if err := r.appendLine("- " + strconv.Quote(uri) + " " + strconv.Quote(inUse)); err != nil {
		return err
	}
	if r.lines > 1024 && r.lines > 4*len(r.live) {
		return r.compact()
	}
	return nil
}

func (r *record) appendLine(line string) error {
	if r.w == nil {
		r.w = bufio.NewWriter(r.f)
	}
	r.lines++
	if _, err := r.w.WriteString(line + "\n"); err != nil {
		return fmt.Errorf("in-use record %s: %w", r.path, err)
	}
	if err := r.w.Flush(); err != nil { // in the kernel's hands: a killed agent loses nothing
		return fmt.Errorf("in-use record %s: %w", r.path, err)
	}
	return nil
}

// sync makes the additions durable; the sink calls it before committing.
func (r *record) sync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.dirty || r.f == nil {
		return nil
	}
	if err := r.f.Sync(); err != nil {
		return fmt.Errorf("in-use record %s: %w", r.path, err)
	}
	r.dirty = false
	return nil
}

// compact rewrites the record with its live entries (a new, locked file
// renamed over the old one).
func (r *record) compact() error {
	tmp := r.path + ".new"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("in-use record: %w", err)
	}
	fail := func(err error) error {
		durable.Unlock(f)
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("in-use record %s: %w", r.path, err)
	}
	if err := lockFile(f); err != nil {
		return fail(err)
	}
	keys := make([]entryKey, 0, len(r.live))
	for k := range r.live {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].inUse < keys[j].inUse })
	w := bufio.NewWriter(f)
	for _, k := range keys {
		fmt.Fprintf(w, "+ %s %s %s\n", strconv.Quote(k.uri), strconv.Quote(k.inUse), strconv.Quote(r.live[k]))
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fail(err)
	}
	_ = durable.SyncDir(filepath.Dir(r.path)) // the rename is durable with the next sync at worst
	if r.f != nil {
		durable.Unlock(r.f)
		r.f.Close()
	}
	r.f, r.w, r.lines, r.dirty = f, nil, len(keys), false
	return nil
}

// close syncs and closes the record, releasing its lock.
func (r *record) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return nil
	}
	err := r.f.Sync()
	durable.Unlock(r.f)
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.f, r.w = nil, nil
	return err
}

// lockFile takes an exclusive advisory lock on f, failing at once when
// another sink (in this process or another) holds it.
func lockFile(f *os.File) error {
	err := durable.TryLock(f)
	if errors.Is(err, durable.ErrLocked) {
		return errors.New("locked: another HDFS sink with the same agent and sink name is running (set hdfs.recoveryDir apart)")
	}
	return err
}
