package hdfs

import (
	"errors"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/bucketpath"
	"github.com/flumego/flume/internal/dfs"
	"github.com/flumego/flume/internal/hadoopcodec"
	"github.com/flumego/flume/internal/seqfile"
	"github.com/flumego/flume/serializer"
)

// ClassName is Flume's class name of the HDFS sink.
const ClassName = "org.apache.flume.sink.hdfs.HDFSEventSink"

// File types (hdfs.fileType), as Flume spells them.
const (
	SequenceFile     = "SequenceFile"
	DataStream       = "DataStream"
	CompressedStream = "CompressedStream"
)

// Sequence file value formats (hdfs.writeFormat).
const (
	Writable = "Writable"
	Text     = "Text"
)

// Config holds the sink's settings, with Flume's defaults.
type Config struct {
	// Path is hdfs.path as written: an optional scheme and authority
	// (hdfs://namenode:8020, file://), then a path with escapes.
	Path string
	// FilePrefix (hdfs.filePrefix, with escapes), FileSuffix, InUsePrefix
	// and InUseSuffix make the file names.
	FilePrefix, FileSuffix, InUsePrefix, InUseSuffix string

	// RollInterval, RollSize (body bytes) and RollCount (events) close a
	// file and start the next; IdleTimeout closes a file nothing was
	// written to for that long. Zero disables each.
	RollInterval time.Duration
	RollSize     int64
	RollCount    int64
	IdleTimeout  time.Duration
	// BatchSize is the number of events per transaction.
	BatchSize int
	// MaxOpenFiles bounds the open buckets; the least recently used one is
	// closed first.
	MaxOpenFiles int
	// MinBlockReplicas, when positive, rolls a file whose block has fewer
	// replicas (HDFS files that report it); 0 when unset.
	MinBlockReplicas int

	// FileType is SequenceFile, DataStream or CompressedStream; Codec the
	// compression (nil: none); WriteFormat the SequenceFile values
	// (Writable: BytesWritable, Text: Text); SeqCompression how
	// SequenceFiles are compressed (Flume: BLOCK).
	FileType       string
	Codec          *hadoopcodec.Codec
	WriteFormat    string
	SeqCompression seqfile.Compression
	// Serializer is the canonical type of the event serializer of
	// DataStream and CompressedStream files; NewSerializer its builder.
	Serializer    string
	NewSerializer flume.EventSerializerBuilder

	// Time: how escapes and rounding read an event's time.
	Time bucketpath.Options

	// CallTimeout bounds every file-system call (0: none); ThreadsPoolSize
	// bounds the calls in flight; CloseTries (0: unlimited) and
	// RetryInterval govern retrying a failed close or rename.
	CallTimeout       time.Duration
	ThreadsPoolSize   int
	RollTimerPoolSize int
	CloseTries        int
	RetryInterval     time.Duration

	// KerberosPrincipal, KerberosKeytab and ProxyUser are handed to the
	// hdfs:// client.
	KerberosPrincipal, KerberosKeytab, ProxyUser string

	// RecoveryDir holds the record of the files the sink has open, read
	// at the next start to close and rename what a crash left in use.
	RecoveryDir string
}

// Flume's keys.
const (
	keyPath              = "hdfs.path"
	keyFilePrefix        = "hdfs.filePrefix"
	keyFileSuffix        = "hdfs.fileSuffix"
	keyInUsePrefix       = "hdfs.inUsePrefix"
	keyInUseSuffix       = "hdfs.inUseSuffix"
	keyEmptyInUseSuffix  = "hdfs.emptyInUseSuffix"
	keyRollInterval      = "hdfs.rollInterval"
	keyRollSize          = "hdfs.rollSize"
	keyRollCount         = "hdfs.rollCount"
	keyIdleTimeout       = "hdfs.idleTimeout"
	keyBatchSize         = "hdfs.batchSize"
	keyCodec             = "hdfs.codeC"
	keyFileType          = "hdfs.fileType"
	keyMaxOpenFiles      = "hdfs.maxOpenFiles"
	keyMinBlockReplicas  = "hdfs.minBlockReplicas"
	keyWriteFormat       = "hdfs.writeFormat"
	keyCallTimeout       = "hdfs.callTimeout"
	keyThreadsPoolSize   = "hdfs.threadsPoolSize"
	keyRollTimerPoolSize = "hdfs.rollTimerPoolSize"
	keyPrincipal         = "hdfs.kerberosPrincipal"
	keyKeytab            = "hdfs.kerberosKeytab"
	keyProxyUser         = "hdfs.proxyUser"
	keyRound             = "hdfs.round"
	keyRoundValue        = "hdfs.roundValue"
	keyRoundUnit         = "hdfs.roundUnit"
	keyTimeZone          = "hdfs.timeZone"
	keyUseLocalTimeStamp = "hdfs.useLocalTimeStamp"
	keyCloseTries        = "hdfs.closeTries"
	keyRetryInterval     = "hdfs.retryInterval"
	keyUseRawLocalFS     = "hdfs.useRawLocalFileSystem"
	keySerializer        = "serializer"

	// flumego additions.
	keyCompressionType = "hdfs.compressionType"
	keyRecoveryDir     = "hdfs.recoveryDir"
)

// ParseConfig reads the sink's properties; problems are recorded in cfg.
// The serializer type is looked up in set.Lookup().
func ParseConfig(set flume.Settings, cfg *flume.Context) Config {
	c := Config{
		Path:        cfg.Required(keyPath),
		FilePrefix:  cfg.String(keyFilePrefix, "FlumeData"),
		FileSuffix:  cfg.String(keyFileSuffix, ""),
		InUsePrefix: cfg.String(keyInUsePrefix, ""),
		InUseSuffix: cfg.String(keyInUseSuffix, ".tmp"),
	}
	if cfg.Bool(keyEmptyInUseSuffix, false) {
		if cfg.Has(keyInUseSuffix) {
			cfg.Warnf(keyInUseSuffix, "ignored: hdfs.emptyInUseSuffix is true")
		}
		c.InUseSuffix = ""
	}
	if c.Path != "" {
		t, err := parseTarget(c.Path)
		var unsupported *unsupportedScheme
		switch {
		case errors.As(err, &unsupported):
			cfg.Unsupportedf(keyPath, "the %s:// file system (flumego writes to hdfs:// and to local or mounted paths)", unsupported.scheme)
		case err != nil:
			cfg.Errorf(keyPath, "%v", err)
		default:
			if _, err := bucketpath.Parse(t.path); err != nil {
				cfg.Errorf(keyPath, "%v", err)
			}
			needTarget(cfg, t)
		}
	}
	for _, k := range []string{keyFilePrefix, keyInUsePrefix, keyInUseSuffix, keyFileSuffix} {
		if v := cfg.String(k, ""); strings.ContainsRune(v, 0) {
			cfg.Errorf(k, "contains a NUL character")
		}
	}
	if _, err := bucketpath.Parse(c.FilePrefix); err != nil {
		cfg.Errorf(keyFilePrefix, "%v", err)
	}

	c.RollInterval = nonNegativeSeconds(cfg, keyRollInterval, 30)
	c.RollSize = nonNegative(cfg, keyRollSize, 1024)
	c.RollCount = nonNegative(cfg, keyRollCount, 10)
	c.IdleTimeout = time.Duration(max(cfg.Int(keyIdleTimeout, 0), 0)) * time.Second
	c.BatchSize = cfg.Positive(keyBatchSize, 100)
	c.MaxOpenFiles = cfg.LenientIntAtLeast(keyMaxOpenFiles, 5000, 1)
	c.MinBlockReplicas = cfg.IntAtLeast(keyMinBlockReplicas, 0, 0)

	c.FileType = cfg.OneOf(keyFileType, SequenceFile, SequenceFile, DataStream, CompressedStream)
	parseCodec(cfg, &c)
	parseFormat(set, cfg, &c)
	parseTime(cfg, &c)

	c.CallTimeout = cfg.MillisAtLeast(keyCallTimeout, 30*time.Second, 0)
	c.ThreadsPoolSize = cfg.Positive(keyThreadsPoolSize, 10)
	c.RollTimerPoolSize = cfg.IntAtLeast(keyRollTimerPoolSize, 1, 0)
	c.CloseTries = cfg.Int(keyCloseTries, 0)
	if c.CloseTries < 0 {
		cfg.Warnf(keyCloseTries, "not a number of tries: closing is retried until it succeeds, as Flume does")
		c.CloseTries = 0
	}
	c.RetryInterval = time.Duration(cfg.Int64(keyRetryInterval, 180)) * time.Second
	if c.RetryInterval <= 0 {
		cfg.Warnf(keyRetryInterval, "not positive: a file whose close fails is closed once, then recovered at the next start")
		c.RetryInterval, c.CloseTries = 0, 1
	}

	c.KerberosPrincipal = cfg.String(keyPrincipal, "")
	c.KerberosKeytab = cfg.String(keyKeytab, "")
	c.ProxyUser = cfg.String(keyProxyUser, "")
	if (c.KerberosPrincipal == "") != (c.KerberosKeytab == "") {
		cfg.Errorf(keyPrincipal, "hdfs.kerberosPrincipal and hdfs.kerberosKeytab go together: set both or neither")
	} else if t, err := parseTarget(c.Path); err == nil && t.scheme == "hdfs" {
		// What the configuration alone settles is an error; what depends
		// on this machine's Hadoop configuration or keytab, a warning: the
		// sink then fails to open the file system, with this message.
		err := checkHDFS(t, c.fsOptions(nil))
		var unsupported *dfs.UnsupportedError
		switch {
		case errors.As(err, &unsupported):
			key := keyPath
			if strings.HasPrefix(unsupported.Key, "hdfs.") {
				key = unsupported.Key
			}
			cfg.Unsupportedf(key, "%s", unsupported.Msg)
		case err != nil:
			cfg.Warnf(keyPath, "%v (checked against this machine's Hadoop configuration)", err)
		}
	}
	cfg.Bool(keyUseRawLocalFS, false) // the local file system writes no checksum files anyway

	c.RecoveryDir = cfg.String(keyRecoveryDir, "")
	if c.RecoveryDir == "" {
		c.RecoveryDir = defaultRecoveryDir(set.Agent)
	}
	cfg.Need(flume.NeedWritableDir, keyRecoveryDir, c.RecoveryDir)
	return c
}

// needTarget declares what hdfs.path needs from the machine: for file://,
// its directory up to the first escape; for hdfs://namenode:port, the
// NameNode's address. A path without a scheme may be on HDFS or local
// (fs.defaultFS decides when the sink starts), and an authority without a
// port may be an HA name service: neither is declared.
func needTarget(cfg *flume.Context, t target) {
	switch {
	case t.scheme == "file":
		dir := t.path
		if i := strings.IndexByte(dir, '%'); i >= 0 {
			dir = dir[:i]
			dir = dir[:strings.LastIndexByte(dir, '/')+1]
		}
		cfg.Need(flume.NeedWritableDir, keyPath, path.Clean(dir))
	case t.scheme == "hdfs" && strings.Contains(t.authority, ":"):
		cfg.Need(flume.NeedPeerAddress, keyPath, t.authority)
	}
}

// fsOptions are the options of an hdfs:// file system.
func (c *Config) fsOptions(log *slog.Logger) fsOptions {
	return fsOptions{ProxyUser: c.ProxyUser, KerberosPrincipal: c.KerberosPrincipal, KerberosKeytab: c.KerberosKeytab,
		Timeout: c.CallTimeout, Logger: log}
}

// defaultRecoveryDir is ~/.flume/hdfs-sink/<agent>, beside the file
// channel's ~/.flume/file-channel.
func defaultRecoveryDir(agent string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		home = os.TempDir()
	}
	if agent == "" {
		agent = "_"
	}
	return filepath.Join(home, ".flume", "hdfs-sink", agent)
}

// nonNegative reads a Java long that Flume treats as "off" when not
// positive; a negative value is warned about.
func nonNegative(cfg *flume.Context, key string, def int64) int64 {
	v := cfg.Int64(key, def)
	if v < 0 {
		cfg.Warnf(key, "negative: read as 0 (never), as Flume does")
		return 0
	}
	return v
}

func nonNegativeSeconds(cfg *flume.Context, key string, def int64) time.Duration {
	return time.Duration(nonNegative(cfg, key, def)) * time.Second
}

// parseCodec reads hdfs.codeC and checks it against the file type, as
// Flume does: DataStream takes no codec (not even "none"),
// CompressedStream needs one, SequenceFile compresses in blocks.
func parseCodec(cfg *flume.Context, c *Config) {
	name, set := cfg.Lookup(keyCodec)
	if set {
		codec, err := hadoopcodec.Lookup(name.Value)
		var unsupported *hadoopcodec.UnsupportedError
		switch {
		case errors.As(err, &unsupported):
			cfg.Unsupportedf(keyCodec, "the Hadoop codec %s (flumego writes gzip, bzip2, snappy and deflate)", unsupported.Class)
		case err != nil:
			cfg.Errorf(keyCodec, "%v", err)
		}
		c.Codec = codec
	}
	switch c.FileType {
	case DataStream:
		if set {
			cfg.Errorf(keyCodec, "DataStream files are not compressed: remove hdfs.codeC or use hdfs.fileType = CompressedStream (Flume refuses this too)")
		}
	case CompressedStream:
		if c.Codec == nil && (!set || strings.EqualFold(name.Value, "none")) {
			cfg.Errorf(keyCodec, "required with hdfs.fileType = CompressedStream (gzip, bzip2, snappy or deflate)")
		}
	}
	c.SeqCompression = seqfile.None
	if c.Codec != nil {
		c.SeqCompression = seqfile.Block
	}
	if p, ok := cfg.Lookup(keyCompressionType); ok {
		switch {
		case strings.EqualFold(p.Value, "BLOCK"):
		case strings.EqualFold(p.Value, "RECORD"):
			if c.Codec != nil {
				c.SeqCompression = seqfile.Record
			}
		default:
			cfg.Errorf(keyCompressionType, "expected BLOCK or RECORD")
		}
		if c.FileType != SequenceFile || c.Codec == nil {
			cfg.Warnf(keyCompressionType, "applies to compressed SequenceFiles only: ignored")
		}
	}
}

// parseFormat reads what writes the records: hdfs.writeFormat for
// SequenceFiles, the serializer for the streams. Each is read only for
// the file types that use it, as in Flume, where the other is never
// looked at.
func parseFormat(set flume.Settings, cfg *flume.Context, c *Config) {
	c.WriteFormat = Writable
	if c.FileType == SequenceFile {
		if p, ok := cfg.Lookup(keyWriteFormat); ok {
			switch {
			case p.Value == Writable || p.Value == Text:
				c.WriteFormat = p.Value
			case strings.EqualFold(p.Value, Writable) || strings.EqualFold(p.Value, Text):
				c.WriteFormat = Writable
				if strings.EqualFold(p.Value, Text) {
					c.WriteFormat = Text
				}
				cfg.Warnf(keyWriteFormat, "read as %s; Flume matches writeFormat case-sensitively and fails to open SequenceFiles with this value", c.WriteFormat)
			case strings.Contains(p.Value, "."):
				cfg.Unsupportedf(keyWriteFormat, "a SequenceFileSerializer builder class (use Writable or Text)")
			default:
				cfg.Errorf(keyWriteFormat, "expected Writable or Text")
			}
		}
		if cfg.Has(keySerializer) {
			cfg.Warnf(keySerializer, "ignored with hdfs.fileType = SequenceFile, as in Flume (it applies to DataStream and CompressedStream)")
		}
		cfg.MarkUsed(keySerializer)
		cfg.MarkPrefixUsed(keySerializer + ".")
		c.Serializer = ""
		return
	}
	cfg.MarkUsed(keyWriteFormat)
	c.NewSerializer, c.Serializer, _ = serializer.FromConfig(set, cfg, keySerializer) // problems are in cfg
}

// parseTime reads what time escapes and rounding need.
func parseTime(cfg *flume.Context, c *Config) {
	if p, ok := cfg.Lookup(keyTimeZone); ok {
		loc, known := bucketpath.JavaLocation(p.Value)
		if !known {
			cfg.Warnf(keyTimeZone, "not a time zone Java knows: read as GMT, as Flume does")
		}
		c.Time.Location = loc
	}
	c.Time.UseLocalTimeStamp = cfg.Bool(keyUseLocalTimeStamp, false)
	if !cfg.Bool(keyRound, false) {
		cfg.MarkUsed(keyRoundUnit, keyRoundValue) // Flume reads them only when rounding
		return
	}
	unit := bucketpath.Second
	if p, ok := cfg.Lookup(keyRoundUnit); ok {
		u, err := bucketpath.ParseUnit(p.Value)
		if err != nil {
			cfg.Warnf(keyRoundUnit, "%v: rounding is disabled, as Flume does", err)
			cfg.MarkUsed(keyRoundValue)
			return
		}
		unit = u
	}
	top := 60
	if unit == bucketpath.Hour {
		top = 24
	}
	c.Time.Round = unit
	c.Time.RoundValue = cfg.IntRange(keyRoundValue, 1, 1, top)
}
