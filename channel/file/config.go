package file

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flumego/flume"
)

// Config holds the file channel's settings, under Flume's property names.
type Config struct {
	// CheckpointDir holds the checkpoint database (checkpointDir).
	CheckpointDir string
	// UseDualCheckpoints copies every checkpoint to BackupCheckpointDir
	// (useDualCheckpoints).
	UseDualCheckpoints bool
	// BackupCheckpointDir receives the backup copy (backupCheckpointDir).
	BackupCheckpointDir string
	// DataDirs hold the data log files; consecutive files rotate over them
	// (dataDirs, comma separated).
	DataDirs []string
	// Capacity bounds the events held: committed, being taken, and put by
	// open transactions (capacity).
	Capacity int
	// TransactionCapacity bounds the puts, or the takes, of one transaction
	// (transactionCapacity).
	TransactionCapacity int
	// CheckpointInterval is the time between checkpoints
	// (checkpointInterval, milliseconds).
	CheckpointInterval time.Duration
	// MaxFileSize is the size at which a data log file is closed and the
	// next one started (maxFileSize, bytes).
	MaxFileSize int64
	// MinimumRequiredSpace is the free space puts leave on the disk of
	// every data and checkpoint directory (minimumRequiredSpace, bytes);
	// more when draining the events held would write more (see "Disk
	// space" in the package documentation).
	MinimumRequiredSpace int64
	// KeepAlive is how long Put waits for capacity and Take for a first
	// event (keep-alive, seconds).
	KeepAlive time.Duration
	// CheckpointOnClose writes a checkpoint at Stop (checkpointOnClose).
	CheckpointOnClose bool
	// FsyncPerTransaction makes Commit return only after its records are
	// on stable storage. Turning it off acknowledges commits after the
	// write to the operating system: a process crash loses nothing, but a
	// power failure or kernel crash loses up to FsyncInterval of
	// acknowledged events. Commits acknowledged that way are counted in
	// UnsyncedCommitCount (fsyncPerTransaction).
	FsyncPerTransaction bool
	// FsyncInterval is how often the log is synced when
	// FsyncPerTransaction is off (fsyncInterval, seconds).
	FsyncInterval time.Duration
}

// Flume's defaults and limits.
const (
	DefaultCapacity             = 1000000
	DefaultTransactionCapacity  = 10000
	DefaultCheckpointInterval   = 30 * time.Second
	DefaultMaxFileSize          = 2146435071
	DefaultMinimumRequiredSpace = 524288000
	minimumRequiredSpaceFloor   = 1048576
	DefaultKeepAlive            = 3 * time.Second
	DefaultFsyncInterval        = 5 * time.Second
)

// DefaultConfig returns Flume's defaults; the directories are under the
// user's home, ~/.flume/file-channel/{checkpoint,data}, as in Flume.
func DefaultConfig() Config {
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	base := filepath.Join(home, ".flume", "file-channel")
	return Config{
		CheckpointDir:        filepath.Join(base, "checkpoint"),
		DataDirs:             []string{filepath.Join(base, "data")},
		Capacity:             DefaultCapacity,
		TransactionCapacity:  DefaultTransactionCapacity,
		CheckpointInterval:   DefaultCheckpointInterval,
		MaxFileSize:          DefaultMaxFileSize,
		MinimumRequiredSpace: DefaultMinimumRequiredSpace,
		KeepAlive:            DefaultKeepAlive,
		CheckpointOnClose:    true,
		FsyncPerTransaction:  true,
		FsyncInterval:        DefaultFsyncInterval,
	}
}

// ParseConfig reads the channel's properties with Flume's names, defaults
// and leniency (a non-positive capacity falls back to the default with a
// warning, as Flume does). Problems are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	c := DefaultConfig()
	positive := func(v int) bool { return v > 0 }
	c.CheckpointDir = cfg.String("checkpointDir", c.CheckpointDir)
	c.UseDualCheckpoints = cfg.Bool("useDualCheckpoints", false)
	c.BackupCheckpointDir = cfg.String("backupCheckpointDir", "")
	if p, ok := cfg.Lookup("dataDirs"); ok {
		c.DataDirs = nil
		for _, d := range strings.Split(p.Value, ",") {
			if d = strings.TrimSpace(d); d != "" {
				c.DataDirs = append(c.DataDirs, d)
			}
		}
		if len(c.DataDirs) == 0 {
			cfg.Errorf("dataDirs", "no data directory given")
		}
	}
	c.Capacity = cfg.IntOrDefault("capacity", c.Capacity, positive, "must be greater than 0")
	c.TransactionCapacity = cfg.IntOrDefault("transactionCapacity", c.TransactionCapacity, positive, "must be greater than 0")
	if ms := cfg.Int64("checkpointInterval", int64(c.CheckpointInterval/time.Millisecond)); ms > 0 {
		c.CheckpointInterval = time.Duration(ms) * time.Millisecond
	} else {
		cfg.Warnf("checkpointInterval", "must be greater than 0; using the default %d", DefaultCheckpointInterval/time.Millisecond)
	}
	c.MaxFileSize = cfg.Int64("maxFileSize", c.MaxFileSize)
	if c.MaxFileSize > DefaultMaxFileSize {
		c.MaxFileSize = DefaultMaxFileSize // Flume clamps it
	}
	if c.MaxFileSize <= 0 {
		cfg.Warnf("maxFileSize", "must be greater than 0; using the default %d", int64(DefaultMaxFileSize))
		c.MaxFileSize = DefaultMaxFileSize
	}
	c.MinimumRequiredSpace = cfg.Int64("minimumRequiredSpace", c.MinimumRequiredSpace)
	if c.MinimumRequiredSpace < minimumRequiredSpaceFloor {
		cfg.Warnf("minimumRequiredSpace", "below the floor of %d bytes; using %d, as Flume does", minimumRequiredSpaceFloor, minimumRequiredSpaceFloor)
		c.MinimumRequiredSpace = minimumRequiredSpaceFloor
	}
	c.KeepAlive = time.Duration(cfg.IntOrDefault("keep-alive", int(c.KeepAlive/time.Second),
		func(v int) bool { return v >= 0 }, "must not be negative")) * time.Second
	c.CheckpointOnClose = cfg.Bool("checkpointOnClose", true)
	c.FsyncPerTransaction = cfg.Bool("fsyncPerTransaction", true)
	c.FsyncInterval = time.Duration(cfg.IntOrDefault("fsyncInterval", int(c.FsyncInterval/time.Second),
		positive, "must be greater than 0")) * time.Second
	for _, k := range []string{"use-log-replay-v1", "use-fast-replay"} {
		if cfg.Bool(k, false) {
			cfg.Warnf(k, "not needed by flumego: replay always reads each log once from the checkpoint position; ignored")
		}
	}
	if cfg.Bool("compressBackupCheckpoint", false) {
		cfg.Warnf("compressBackupCheckpoint", "not supported; the backup checkpoint is written uncompressed")
	}
	if c.UseDualCheckpoints && c.BackupCheckpointDir == "" {
		cfg.Errorf("backupCheckpointDir", "required when useDualCheckpoints is true")
	}
	cfg.Need(flume.NeedWritableDir, "checkpointDir", c.CheckpointDir)
	for _, d := range c.DataDirs {
		cfg.Need(flume.NeedWritableDir, "dataDirs", d)
	}
	if c.UseDualCheckpoints {
		cfg.Need(flume.NeedWritableDir, "backupCheckpointDir", c.BackupCheckpointDir)
	}
	if c.TransactionCapacity > c.Capacity {
		cfg.Errorf("transactionCapacity", "transactionCapacity (%d) must not exceed capacity (%d)", c.TransactionCapacity, c.Capacity)
	}
	if err := c.checkDirs(); err != nil {
		cfg.Errorf("backupCheckpointDir", "%v", err)
	}
	if !c.FsyncPerTransaction {
		cfg.Warnf("fsyncPerTransaction", "false: commits are acknowledged before fsync; a power failure or kernel crash can lose up to fsyncInterval (%s) of acknowledged events (counted in UnsyncedCommitCount)", c.FsyncInterval)
	}
	return c
}

// checkDirs verifies that the checkpoint, backup and data directories are
// distinct.
func (c Config) checkDirs() error {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		return a
	}
	cp := abs(c.CheckpointDir)
	data := make([]string, len(c.DataDirs))
	for i, d := range c.DataDirs {
		data[i] = abs(d)
		if slices.Contains(data[:i], data[i]) {
			return fmt.Errorf("data directory %s is listed twice", d)
		}
		if data[i] == cp {
			return fmt.Errorf("data directory %s must differ from checkpointDir", d)
		}
	}
	if c.UseDualCheckpoints && c.BackupCheckpointDir != "" {
		b := abs(c.BackupCheckpointDir)
		if b == cp {
			return errors.New("backupCheckpointDir must differ from checkpointDir")
		}
		if slices.Contains(data, b) {
			return errors.New("backupCheckpointDir must differ from every data directory")
		}
	}
	return nil
}

// validate checks a Config built in code.
func (c Config) validate() error {
	switch {
	case c.CheckpointDir == "":
		return errors.New("checkpointDir is empty")
	case len(c.DataDirs) == 0:
		return errors.New("no data directory")
	case c.Capacity <= 0 || c.TransactionCapacity <= 0:
		return errors.New("capacity and transactionCapacity must be positive")
	case c.TransactionCapacity > c.Capacity:
		return fmt.Errorf("transactionCapacity (%d) must not exceed capacity (%d)", c.TransactionCapacity, c.Capacity)
	case c.UseDualCheckpoints && c.BackupCheckpointDir == "":
		return errors.New("backupCheckpointDir is required with useDualCheckpoints")
	case c.MaxFileSize <= 0 || c.MaxFileSize > DefaultMaxFileSize:
		return fmt.Errorf("maxFileSize must be from 1 to %d", int64(DefaultMaxFileSize))
	case c.CheckpointInterval <= 0:
		return errors.New("checkpointInterval must be positive")
	case !c.FsyncPerTransaction && c.FsyncInterval <= 0:
		return errors.New("fsyncInterval must be positive")
	}
	return c.checkDirs()
}

// Factory builds a file channel from its properties. Encryption properties
// are rejected: encrypted logs are not supported yet.
func Factory(set flume.Settings, cfg *flume.Context) (flume.Channel, error) {
	enc := cfg.Sub("encryption.").Keys()
	cfg.MarkPrefixUsed("encryption.")
	c := ParseConfig(cfg)
	var unsupported error
	if len(enc) > 0 {
		unsupported = fmt.Errorf("file channel %q: encryption (encryption.%s) is not supported yet: %w",
			set.Name, strings.Join(enc, ", encryption."), flume.ErrUnsupported)
	}
	if err := cfg.Err(); err != nil {
		if unsupported != nil {
			return nil, fmt.Errorf("%w; %w", unsupported, err)
		}
		return nil, err
	}
	if unsupported != nil {
		return nil, unsupported
	}
	return New(set, c)
}

// Register adds the file channel to r under Flume's alias and class name.
func Register(r *flume.Registry) error {
	return r.RegisterChannel("file", Factory, "org.apache.flume.channel.file.FileChannel")
}
