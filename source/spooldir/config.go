package spooldir

import (
	"path/filepath"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/deserializer"
	"github.com/flumego/flume/internal/charset"
	"github.com/flumego/flume/internal/javaregex"
)

// Flume's names for the policies and orders.
const (
	DeleteNever     = "never"
	DeleteImmediate = "immediate"

	TrackRename     = "rename"
	TrackTrackerDir = "tracker_dir"

	OrderOldest   = "oldest"
	OrderYoungest = "youngest"
	OrderRandom   = "random"
)

// Config holds the spooling directory source's settings.
type Config struct {
	SpoolDir          string
	FileSuffix        string
	DeletePolicy      string // DeleteNever or DeleteImmediate
	TrackingPolicy    string // TrackRename or TrackTrackerDir
	TrackerDir        string // as configured; relative to SpoolDir when not absolute
	FileHeader        bool
	FileHeaderKey     string
	BasenameHeader    bool
	BasenameHeaderKey string
	Include, Ignore   *javaregex.Regexp // whole-name matches, as Java's matches()
	ConsumeOrder      string            // OrderOldest, OrderYoungest or OrderRandom
	PollDelay         time.Duration
	Recursive         bool
	MaxBackoff        time.Duration
	BatchSize         int
	InputCharset      string // a name internal/charset knows
	DecodeErrorPolicy string // FAIL, REPLACE or IGNORE

	// Deserializer builds the reader of each file; DeserializerType is its
	// canonical type.
	Deserializer     flume.EventDeserializerBuilder
	DeserializerType string
}

// ParseConfig reads the source's properties with Flume's defaults. Problems
// are recorded in cfg.
func ParseConfig(set flume.Settings, cfg *flume.Context) Config {
	c := Config{
		SpoolDir:          cfg.Required("spoolDir"),
		FileSuffix:        cfg.String("fileSuffix", ".COMPLETED"),
		DeletePolicy:      cfg.OneOf("deletePolicy", DeleteNever, DeleteNever, DeleteImmediate),
		TrackingPolicy:    cfg.OneOf("trackingPolicy", TrackRename, TrackRename, TrackTrackerDir),
		TrackerDir:        cfg.String("trackerDir", ".flumespool"),
		FileHeader:        cfg.Bool("fileHeader", false),
		FileHeaderKey:     cfg.String("fileHeaderKey", "file"),
		BasenameHeader:    cfg.Bool("basenameHeader", false),
		BasenameHeaderKey: cfg.String("basenameHeaderKey", "basename"),
		ConsumeOrder:      cfg.OneOf("consumeOrder", OrderOldest, OrderOldest, OrderYoungest, OrderRandom),
		PollDelay:         cfg.MillisAtLeast("pollDelay", 500*time.Millisecond, time.Millisecond),
		Recursive:         cfg.Bool("recursiveDirectorySearch", false),
		MaxBackoff:        cfg.MillisAtLeast("maxBackoff", 4000*time.Millisecond, 0),
		BatchSize:         cfg.Positive("batchSize", 100),
		InputCharset:      cfg.String("inputCharset", "UTF-8"),
		DecodeErrorPolicy: "FAIL",
	}
	if c.SpoolDir != "" {
		c.SpoolDir = filepath.Clean(c.SpoolDir)
		if c.DeletePolicy == DeleteNever && c.TrackingPolicy == TrackTrackerDir {
			cfg.Need(flume.NeedReadableDir, "spoolDir", c.SpoolDir)
		} else {
			cfg.Need(flume.NeedExistingDir, "spoolDir", c.SpoolDir)
		}
		cfg.Need(flume.NeedWritableDir, "trackerDir", c.trackerPath())
	}
	if c.FileSuffix == "" {
		cfg.Errorf("fileSuffix", "must not be empty")
	}
	if c.TrackerDir == "" {
		cfg.Errorf("trackerDir", "must not be empty")
	}
	c.Include = pattern(cfg, "includePattern", "^.*$")
	c.Ignore = pattern(cfg, "ignorePattern", "^$")
	if _, err := charset.Lookup(c.InputCharset); err != nil {
		cfg.Errorf("inputCharset", "%v", err)
	}
	if p, ok := cfg.Lookup("decodeErrorPolicy"); ok {
		if policy, err := charset.ParsePolicy(p.Value); err != nil {
			cfg.Errorf("decodeErrorPolicy", "expected FAIL, REPLACE or IGNORE")
		} else {
			c.DecodeErrorPolicy = policy.String()
		}
	}
	if cfg.Has("bufferMaxLines") {
		cfg.MarkUsed("bufferMaxLines")
		cfg.Warnf("bufferMaxLines", "obsolete and ignored, as in Flume")
	}
	c.Deserializer, c.DeserializerType = deserializerFromConfig(set, cfg)
	return c
}

// deserializerFromConfig reads the deserializer, with Flume's deprecated
// bufferMaxLineLength, which sets a LINE deserializer's maxLineLength.
func deserializerFromConfig(set flume.Settings, cfg *flume.Context) (flume.EventDeserializerBuilder, string) {
	if cfg.Has("bufferMaxLineLength") {
		_, canonical, err := set.Lookup().EventDeserializer(cfg.String("deserializer", deserializer.TypeLine))
		if err == nil && canonical == deserializer.TypeLine {
			n := cfg.Positive("bufferMaxLineLength", deserializer.DefaultMaxLineLength)
			cfg.Warnf("bufferMaxLineLength", "deprecated: use deserializer.maxLineLength (this key overrides it, as in Flume)")
			b, _ := deserializer.LineFromConfig(set, cfg, "deserializer", n) // problems are in cfg
			return b, canonical
		}
		cfg.MarkUsed("bufferMaxLineLength")
		cfg.Warnf("bufferMaxLineLength", "ignored: it applies to the LINE deserializer only, as in Flume")
	}
	b, canonical, _ := deserializer.FromConfig(set, cfg, "deserializer") // problems are in cfg
	return b, canonical
}

// pattern compiles a Java regex property, matched against whole names.
func pattern(cfg *flume.Context, key, def string) *javaregex.Regexp {
	src := cfg.String(key, def)
	re, err := javaregex.CompileOptions(src, javaregex.Options{Whole: true})
	if err != nil {
		cfg.Errorf(key, "%v", err)
		return javaregex.MustCompile(".*")
	}
	return re
}

// trackerPath returns the tracker directory: TrackerDir, under SpoolDir
// when it is relative.
func (c Config) trackerPath() string {
	if filepath.IsAbs(c.TrackerDir) {
		return filepath.Clean(c.TrackerDir)
	}
	return filepath.Join(c.SpoolDir, c.TrackerDir)
}
