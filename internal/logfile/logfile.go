package logfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults, as Flume's log4j2.xml: 100 MB files, about 1 GB kept.
const (
	DefaultMaxSize    = 100 << 20
	DefaultMaxBackups = 10
)

// Options configure a File.
type Options struct {
	// MaxSize is the size in bytes past which the file rolls; 0 never
	// rolls (for an external logrotate, with Reopen).
	MaxSize int64
	// MaxBackups is how many rolled files are kept in the archive
	// directory; older ones are deleted. 0 keeps none.
	MaxBackups int
	// Daily also rolls the file at the first write of a new day (local
	// time), as Flume's log4j2.xml rolls every night at midnight; the
	// archived file carries the day its records were written.
	Daily bool
	// Now is the clock for archive names and the daily roll; nil means
	// time.Now.
	Now func() time.Time
}

// File is a size-rotated log file, safe for concurrent use.
type File struct {
	path    string
	archive string
	opts    Options

	mu   sync.Mutex
	f    *os.File
	size int64
	day  string // yyyyMMdd of the live file's records (Daily)
}

// Open creates the directory of path if needed and opens path for
// appending.
func Open(path string, opts Options) (*File, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxSize < 0 || opts.MaxBackups < 0 {
		return nil, errors.New("logfile: negative MaxSize or MaxBackups")
	}
	l := &File{path: path, archive: filepath.Join(filepath.Dir(path), "archive"), opts: opts}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *File) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file: %w", err)
	}
	l.f, l.size = f, st.Size()
	l.day = l.opts.Now().Format(dayLayout)
	if l.size > 0 {
		l.day = st.ModTime().Format(dayLayout) // records written before a restart
	}
	return nil
}

const dayLayout = "20060102"

// Path is the live file's path.
func (l *File) Path() string { return l.path }

// Write appends p, rolling the file first when p would take it past
// MaxSize (a record larger than MaxSize gets a file of its own).
func (l *File) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	today := ""
	if l.opts.Daily {
		today = l.opts.Now().Format(dayLayout)
	}
	if l.size > 0 && (l.opts.MaxSize > 0 && l.size+int64(len(p)) > l.opts.MaxSize || today != "" && today != l.day) {
		if err := l.rotate(); err != nil {
			// Keep logging to the file we have rather than lose the
			// record, and try again after another MaxSize bytes.
			fmt.Fprintf(os.Stderr, "flume-ng: log rotation of %s failed: %v\n", l.path, err)
			l.size = 0
		}
	}
	if today != "" && l.size == 0 {
		l.day = today
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotate moves the live file into the archive under the next free name
// for the day of its records, opens a new one and deletes archived files
// beyond MaxBackups. It is called with mu held.
func (l *File) rotate() error {
	if err := os.MkdirAll(l.archive, 0o755); err != nil {
		return err
	}
	base := filepath.Base(l.path)
	day := l.opts.Now().Format(dayLayout)
	if l.opts.Daily {
		day = l.day // a nightly roll names the day that ended
	}
	next := 1
	for _, a := range l.archived() {
		if a.day == day && a.index >= next {
			next = a.index + 1
		}
	}
	dst := filepath.Join(l.archive, fmt.Sprintf("%s.%s-%d", base, day, next))
	if err := os.Rename(l.path, dst); err != nil {
		return err
	}
	old := l.f
	if err := l.open(); err != nil {
		// Put the file back so that writes go on somewhere.
		_ = os.Rename(dst, l.path)
		return err
	}
	_ = old.Close()
	l.prune()
	return nil
}

type archived struct {
	name  string
	day   string
	index int
}

// archived lists the rolled files of this log, oldest first.
func (l *File) archived() []archived {
	entries, _ := os.ReadDir(l.archive)
	prefix := filepath.Base(l.path) + "."
	var out []archived
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || e.IsDir() {
			continue
		}
		day, idx, ok := strings.Cut(rest, "-")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || len(day) != 8 {
			continue
		}
		out = append(out, archived{name: e.Name(), day: day, index: i})
	}
	slices.SortFunc(out, func(a, b archived) int {
		if c := strings.Compare(a.day, b.day); c != 0 {
			return c
		}
		return a.index - b.index
	})
	return out
}

func (l *File) prune() {
	all := l.archived()
	for len(all) > l.opts.MaxBackups {
		_ = os.Remove(filepath.Join(l.archive, all[0].name))
		all = all[1:]
	}
}

// Reopen closes the file and opens its path again, as a logger must after
// logrotate moved the file away (flume-ng does it on SIGHUP).
func (l *File) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return os.ErrClosed
	}
	old := l.f
	if err := l.open(); err != nil {
		return err
	}
	return old.Close()
}

// Close closes the file; later writes fail with os.ErrClosed.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// ParseSize reads a size as log4j writes it: a number of bytes with an
// optional KB, MB or GB suffix (1024-based, case and spaces ignored):
// "100 MB", "64KB", "1048576".
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = v, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (expected bytes, or a number with KB, MB or GB)", s)
	}
	return n * mult, nil
}
