package fileroll

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/serializer"
	"github.com/flumego/flume/sink"
)

// Config holds the sink's settings.
type Config struct {
	Directory    string
	RollInterval time.Duration
	// Serializer is the canonical type of the event serializer ("text",
	// "header_and_text", "avro_event" or a plugin's class name) and
	// NewSerializer its builder, called for each new file.
	Serializer    string
	NewSerializer flume.EventSerializerBuilder
	BatchSize     int
	PathManager   string // "DEFAULT" or "ROLLTIME"
	Prefix        string
	Extension     string
	Fsync         bool
}

// ParseConfig reads the sink's properties. The serializer type is looked up
// in set.Lookup().
func ParseConfig(set flume.Settings, cfg *flume.Context) Config {
	c := Config{
		Directory:    cfg.Required("sink.directory"),
		RollInterval: cfg.SecondsAtLeast("sink.rollInterval", 30*time.Second, 0), // 0: never roll,
		BatchSize:    cfg.Positive("sink.batchSize", 100),
		PathManager:  strings.ToUpper(cfg.OneOf("sink.pathManager", "DEFAULT", "DEFAULT", "ROLLTIME")),
		Prefix:       cfg.String("sink.pathManager.prefix", ""),
		Extension:    cfg.String("sink.pathManager.extension", ""),
		Fsync:        cfg.Bool("sink.fsync", false),
	}
	cfg.Need(flume.NeedWritableDir, "sink.directory", c.Directory)
	c.NewSerializer, c.Serializer, _ = serializer.FromConfig(set, cfg, "sink.serializer") // problems are in cfg
	if cfg.Has("batchSize") {
		cfg.Warnf("batchSize", "file_roll reads sink.batchSize; batchSize is ignored, as in Flume")
		cfg.MarkUsed("batchSize")
	}
	return c
}

// Sink writes events to rolling files.
type Sink struct {
	name    string
	cfg     Config
	ch      flume.Channel
	log     *slog.Logger
	counter flume.SinkCounter

	startMillis int64
	seq         int
	lastStamp   string

	file     *os.File
	buf      *bufio.Writer
	ser      flume.EventSerializer
	nextRoll time.Time
	now      func() time.Time // the clock; tests move it
}

var _ flume.Batcher = (*Sink)(nil)

// New returns a file_roll sink.
func New(set flume.Settings, cfg Config, in flume.Channel) *Sink {
	s := &Sink{name: set.Name, cfg: cfg, ch: in, log: set.Log(), now: time.Now}
	s.startMillis = s.now().UnixMilli()
	set.Publish(&s.counter)
	return s
}

// Factory builds a file_roll sink from its properties.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(set, cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, in), nil
}

// Register adds the file_roll sink to r.
func Register(r *flume.Registry) error {
	return r.RegisterSink("file_roll", Factory, "org.apache.flume.sink.RollingFileSink")
}

// BatchSize returns sink.batchSize.
func (s *Sink) BatchSize() (int, string) { return s.cfg.BatchSize, "sink.batchSize" }

// Start creates the output directory if needed.
func (s *Sink) Start(context.Context) error {
	s.counter.Started()
	if err := os.MkdirAll(s.cfg.Directory, 0o755); err != nil {
		return fmt.Errorf("file_roll sink %q: %w", s.name, err)
	}
	return nil
}

// Stop flushes and closes the current file.
func (s *Sink) Stop(context.Context) error {
	err := s.closeFile()
	s.counter.Stopped()
	return err
}

// Process rolls the file when it is time, then takes up to sink.batchSize
// events, writes them, and commits once they are written to the file.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	if s.file != nil && s.cfg.RollInterval > 0 && !s.now().Before(s.nextRoll) {
		if err := s.closeFile(); err != nil {
			return flume.Backoff, err
		}
	}
	if s.file == nil {
		if err := s.openFile(); err != nil {
			return flume.Backoff, err
		}
	}
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.cfg.BatchSize}, &s.counter, s.write)
	return res.Status, err
}

func (s *Sink) write(_ context.Context, events []flume.Event) error {
	for _, e := range events {
		if err := s.ser.Write(e); err != nil {
			return s.fail(err)
		}
	}
	if err := s.ser.Flush(); err != nil {
		return s.fail(err)
	}
	if err := s.buf.Flush(); err != nil {
		return s.fail(err)
	}
	if s.cfg.Fsync {
		if err := s.file.Sync(); err != nil {
			return s.fail(err)
		}
	}
	return nil
}

// fail closes a file that could not be written (its content is uncertain)
// so the retry starts a new one.
func (s *Sink) fail(err error) error {
	name := s.file.Name()
	_ = s.file.Close()
	s.file, s.buf, s.ser = nil, nil, nil
	s.counter.ConnectionFailedCount.Add(1)
	return fmt.Errorf("file_roll sink %q: write %s: %w", s.name, name, err)
}

func (s *Sink) fileName(now time.Time) string {
	var stamp string
	if s.cfg.PathManager == "ROLLTIME" {
		stamp = now.Format("20060102150405")
		if stamp != s.lastStamp {
			s.lastStamp, s.seq = stamp, 0
		}
	} else {
		stamp = strconv.FormatInt(s.startMillis, 10)
	}
	s.seq++
	name := s.cfg.Prefix + stamp + "-" + strconv.Itoa(s.seq)
	if s.cfg.Extension != "" {
		name += "." + s.cfg.Extension
	}
	return filepath.Join(s.cfg.Directory, name)
}

func (s *Sink) openFile() error {
	now := s.now()
	path := s.fileName(now)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		return fmt.Errorf("file_roll sink %q: open %s: %w", s.name, path, err)
	}
	s.file, s.buf = f, bufio.NewWriterSize(f, 256<<10)
	s.ser = s.cfg.NewSerializer(s.buf)
	if err := s.ser.AfterCreate(); err != nil {
		return s.fail(err)
	}
	s.counter.ConnectionCreatedCount.Add(1)
	s.nextRoll = now.Add(s.cfg.RollInterval)
	s.log.Debug("opened output file", "file", path)
	return nil
}

func (s *Sink) closeFile() error {
	if s.file == nil {
		return nil
	}
	f := s.file
	err := s.ser.Flush()
	if err == nil {
		err = s.ser.BeforeClose()
	}
	if err == nil {
		err = s.buf.Flush()
	}
	if err == nil && s.cfg.Fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	s.file, s.buf, s.ser = nil, nil, nil
	if err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		return fmt.Errorf("file_roll sink %q: close %s: %w", s.name, f.Name(), err)
	}
	s.counter.ConnectionClosedCount.Add(1)
	return nil
}
