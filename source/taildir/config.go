package taildir

import (
	"fmt"
	"math"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// Flume's defaults (TaildirSourceConfigurationConstants, PollableSourceConstants).
const (
	defaultBatchSize        = 100
	defaultIdleTimeout      = 120 * time.Second
	defaultWritePosInterval = 3 * time.Second
	defaultBackoffIncrement = time.Second
	defaultMaxBackoff       = 5 * time.Second
	defaultFileHeaderKey    = "file"
	byteOffsetHeaderKey     = "byteoffset"
	defaultPositionFile     = "/.flume/taildir_position.json" // under the user's home
)

// Group is one file group: files of Dir whose name matches Pattern.
type Group struct {
	// Name is the group's name in filegroups.
	Name string
	// Dir is the directory part of filegroups.<name>, taken literally and
	// normalised as Java's File does (repeated and trailing slashes
	// removed); relative to the working directory unless absolute.
	Dir string
	// Pattern is the file-name part, a Java regular expression that must
	// match the whole name.
	Pattern string
	// Headers are the static headers of headers.<name>.<key>.
	Headers map[string]string

	re *javaregex.Regexp
}

// Match reports whether name (a file name without directory) belongs to
// the group: the whole name matches, as Java's PathMatcher. A pattern only
// the backtracking engine runs may give up on a name (a bounded match);
// that name is then not matched.
func (g *Group) Match(name string) bool {
	ok, err := g.re.MatchString(name)
	return ok && err == nil
}

// Config holds the TAILDIR source's settings, with Flume's names and defaults.
type Config struct {
	Groups                []*Group
	PositionFile          string
	IdleTimeout           time.Duration
	WritePosInterval      time.Duration
	BatchSize             int
	MaxBatchCount         int64
	BackoffSleepIncrement time.Duration
	MaxBackoffSleep       time.Duration
	CachePatternMatching  bool
	FileHeader            bool
	FileHeaderKey         string
	ByteOffsetHeader      bool
	SkipToEnd             bool

	// poll turns file-system notifications off (tests of the polling path).
	poll bool
}

// ParseConfig reads the source's properties. Problems are recorded in cfg.
// It does not touch the file system: a missing directory is reported when
// the source runs, as in Flume.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{
		PositionFile:          cfg.String("positionFile", ""),
		IdleTimeout:           cfg.MillisAtLeast("idleTimeout", defaultIdleTimeout, 0),
		WritePosInterval:      cfg.MillisAtLeast("writePosInterval", defaultWritePosInterval, time.Millisecond),
		BatchSize:             cfg.Positive("batchSize", defaultBatchSize),
		MaxBatchCount:         math.MaxInt64,
		BackoffSleepIncrement: cfg.MillisAtLeast("backoffSleepIncrement", defaultBackoffIncrement, time.Millisecond),
		MaxBackoffSleep:       cfg.MillisAtLeast("maxBackoffSleep", defaultMaxBackoff, time.Millisecond),
		CachePatternMatching:  cfg.Bool("cachePatternMatching", true),
		FileHeader:            cfg.Bool("fileHeader", false),
		FileHeaderKey:         cfg.String("fileHeaderKey", defaultFileHeaderKey),
		ByteOffsetHeader:      cfg.Bool("byteOffsetHeader", false),
		SkipToEnd:             cfg.Bool("skipToEnd", false),
	}
	// Flume replaces a maxBatchCount of 0 or less with its default, warning.
	if p, ok := cfg.Lookup("maxBatchCount"); ok {
		v, err := flume.ParseJavaInt(p.Value, 64)
		switch {
		case err != nil:
			cfg.Errorf("maxBatchCount", "%v", err)
		case v <= 0:
			cfg.Warnf("maxBatchCount", "must be greater than 0; using the default %d, as Flume does", int64(math.MaxInt64))
		default:
			c.MaxBatchCount = v
		}
	}
	if c.PositionFile == "" {
		c.PositionFile = homeDir() + defaultPositionFile
	}
	// Created at start when missing, as Flume does; the position and state
	// files are written there.
	cfg.Need(flume.NeedWritableDir, "positionFile", filepath.Dir(c.PositionFile))
	c.Groups = parseGroups(cfg)
	return c
}

// homeDir is Java's user.home: the account's home directory.
func homeDir() string {
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		return u.HomeDir
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}

// parseGroups reads filegroups, filegroups.<g> and headers.<g>.<key>.
func parseGroups(cfg *flume.Context) []*Group {
	names := strings.Fields(cfg.Required("filegroups"))
	var groups []*Group
	byName := map[string]*Group{}
	for _, name := range names {
		if byName[name] != nil {
			continue // listed twice
		}
		key := "filegroups." + name
		p, ok := cfg.Lookup(key)
		if !ok {
			// Flume silently leaves such a group out.
			cfg.Warnf("filegroups", "file group %q has no %s property; it is ignored, as Flume does", name, key)
			continue
		}
		g, err := newGroup(name, p.Value)
		if err != nil {
			cfg.Errorf(key, "%v", err)
			continue
		}
		// Flume refuses to start without it; the running source waits for
		// it (and says so), but check reports it.
		cfg.Need(flume.NeedReadableDir, key, g.Dir)
		byName[name] = g
		groups = append(groups, g)
	}
	if len(names) > 0 && len(groups) == 0 && cfg.Err() == nil {
		cfg.Errorf("filegroups", "no file group has a filegroups.<name> property")
	}
	headers := cfg.Sub("headers.")
	for _, k := range headers.Keys() {
		group, header, ok := strings.Cut(k, ".")
		if !ok || group == "" || header == "" {
			headers.Errorf(k, "expected headers.<filegroup>.<header name>")
			continue
		}
		v := headers.String(k, "")
		g := byName[group]
		if g == nil {
			headers.Warnf(k, "file group %q is not listed in filegroups; the header is not used", group)
			continue
		}
		if g.Headers == nil {
			g.Headers = map[string]string{}
		}
		g.Headers[header] = v
	}
	return groups
}

// newGroup splits a file group's path into its literal directory and its
// file-name regex, as Flume's TaildirMatcher does with java.io.File.
func newGroup(name, path string) (*Group, error) {
	p := javaNormalize(path)
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return nil, fmt.Errorf("%q: expected a directory and a file-name regular expression, e.g. /var/log/app/.*\\.log", path)
	}
	dir, pattern := p[:i], p[i+1:]
	if dir == "" {
		dir = "/"
	}
	if pattern == "" {
		return nil, fmt.Errorf("%q: the file-name regular expression after the last / is empty", path)
	}
	re, err := javaregex.CompileOptions(pattern, javaregex.Options{Whole: true})
	if err != nil {
		return nil, err
	}
	return &Group{Name: name, Dir: dir, Pattern: pattern, re: re}, nil
}

// javaNormalize is java.io.File's path normalisation on Unix: repeated
// slashes become one and a trailing slash is removed.
func javaNormalize(p string) string {
	var b strings.Builder
	prev := byte(0)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' && prev == '/' {
			continue
		}
		b.WriteByte(c)
		prev = c
	}
	s := b.String()
	if len(s) > 1 && strings.HasSuffix(s, "/") {
		s = s[:len(s)-1]
	}
	return s
}

// filePath returns the path Flume records for name in dir: Java's
// File.getAbsolutePath, which prefixes a relative path with the working
// directory without cleaning it.
func filePath(dir, name string) string {
	var p string
	if dir == "/" {
		p = "/" + name
	} else {
		p = dir + "/" + name
	}
	if !filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			p = wd + "/" + p
		}
	}
	return p
}
