package datahub

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javaregex"
)

// Defaults of the two generations of the Java plugin.
const (
	defaultEndpoint      = "http://dh.odps.aliyun.com"
	defaultBatchSize     = 1000 // 2.x datahub.batchSize
	legacyBatchSize      = 100  // 1.x batchSize
	defaultMaxBufferSize = 2 << 20
	defaultBatchTimeout  = 5 * time.Second
	defaultRetryTimes    = 3  // 2.x: datahub.retryTimes
	legacyRetryTimes     = -1 // 1.x: retry forever
	defaultRetryInterval = 5 * time.Second
	defaultDirtyFile     = "DataHub-Flume-dirty-file"
	defaultNullValue     = "null"
	defaultDateFormat    = "yyyy-MM-dd HH:mm:ss"
)

// serializer kinds.
const (
	serDelimited = "DELIMITED"
	serJSON      = "JSON"
	serRegex     = "REGEX"
)

// The plugin's serializer class names, accepted besides the aliases.
var serializerClasses = map[string]string{
	"com.aliyun.datahub.flume.sink.serializer.DelimitedTextSerializer":     serDelimited,
	"com.aliyun.datahub.flume.sink.serializer.OdpsDelimitedTextSerializer": serDelimited,
	"com.aliyun.datahub.flume.sink.serializer.RegexEventSerializer":        serRegex,
	"com.aliyun.datahub.flume.sink.serializer.OdpsRegexEventSerializer":    serRegex,
	"com.aliyun.datahub.flume.sink.serializer.JsonTextSerializer":          serJSON,
}

// Config is the sink's configuration, read from either generation of the
// Java plugin's properties.
type Config struct {
	// Legacy is set when the properties spell the access id the 1.x way
	// (datahub.accessID); it selects the 1.x defaults (batchSize 100,
	// retryTimes -1, no batch timeout, blank values as null, no null text).
	Legacy bool

	AccessID, AccessKey, Endpoint, Project, Topic string

	// ShardIDs are the shards to write to; empty means every ACTIVE shard.
	ShardIDs []string
	// ShardColumns (1.x datahub.shard.columns) route each record by the
	// Java hash of these columns' values instead of spreading batches.
	ShardColumns []string

	Protobuf bool
	Compress string // "", "deflate", "lz4"

	BatchSize int
	// BatchSizeKey is the key BatchSize is read from: datahub.batchSize,
	// or the 1.x batchSize.
	BatchSizeKey  string
	MaxBufferSize int
	BatchTimeout  time.Duration
	// RetryTimes is the number of retries after a failed put; negative
	// means retry until the put succeeds or the sink stops.
	RetryTimes    int
	RetryInterval time.Duration

	DirtyDataContinue bool
	DirtyDataFile     string
	// NullValue is the text (compared ignoring case) read as null; HasNull
	// is false when no text means null.
	NullValue string
	HasNull   bool
	// BlankAsNull reads an empty value as null (1.x isBlankValueAsNull).
	BlankAsNull bool
	// DateFormat and DateColumns (1.x dateFormat, dateformat.columns) parse
	// these TIMESTAMP columns as dates.
	DateFormat  string
	DateColumns []string

	Serializer SerializerConfig
}

// SerializerConfig is the "serializer" part of the configuration.
type SerializerConfig struct {
	// Kind is DELIMITED, JSON, REGEX, or "" (only valid for a BLOB topic).
	Kind       string
	Delimiter  *javaregex.Regexp
	Literal    string // the delimiter when it is a plain string (fast path)
	FieldNames []string
	Charset    string // "UTF-8", "ISO-8859-1", "US-ASCII" or another IANA name
	// Decoder decodes the other charsets (GBK, GB18030, UTF-16, ...).
	Decoder encoding.Encoding
	Regex   *javaregex.Regexp
}

// ParseConfig reads the sink's properties. Problems are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{Protobuf: true, DirtyDataContinue: true, DirtyDataFile: defaultDirtyFile}
	c.Legacy = isLegacy(cfg)

	c.AccessID = either(cfg, "datahub.accessId", "datahub.accessID", true)
	c.AccessKey = cfg.Required("datahub.accessKey")
	if cfg.Has("datahub.endPoint") {
		c.Endpoint = cfg.String("datahub.endPoint", "")
	} else {
		c.Endpoint = defaultEndpoint
		cfg.Warnf("datahub.endPoint", "not set; using the plugin's old default %s (set your region's endpoint, e.g. https://dh-cn-hangzhou.aliyuncs.com)", defaultEndpoint)
	}
	if u, err := url.Parse(c.Endpoint); err == nil && u.Hostname() != "" {
		cfg.Need(flume.NeedPeerHost, "datahub.endPoint", u.Hostname())
	}
	c.Project = cfg.Required("datahub.project")
	c.Topic = cfg.Required("datahub.topic")

	// Shards: 2.x datahub.shard.ids (a list), 1.x datahub.shard.id (one).
	switch {
	case cfg.Has("datahub.shard.ids"):
		for _, id := range strings.Split(cfg.String("datahub.shard.ids", ""), ",") {
			if id = strings.TrimSpace(id); id != "" {
				c.ShardIDs = append(c.ShardIDs, id)
			}
		}
		for _, k := range []string{"datahub.shard.id", "shard.id"} {
			if cfg.Has(k) {
				cfg.MarkUsed(k)
				cfg.Warnf(k, "ignored: datahub.shard.ids is set")
			}
		}
	case cfg.Has("datahub.shard.id"):
		c.ShardIDs = []string{cfg.String("datahub.shard.id", "")}
		if cfg.Has("shard.id") {
			cfg.MarkUsed("shard.id")
			cfg.Warnf("shard.id", "ignored: datahub.shard.id is set")
		}
	case cfg.Has("shard.id"):
		c.ShardIDs = []string{cfg.String("shard.id", "")}
		cfg.Warnf("shard.id", "read as datahub.shard.id, the plugin's name for it")
	}
	if cfg.Has("datahub.shard.columns") {
		c.ShardColumns = splitNames(cfg.String("datahub.shard.columns", ""), false)
		if len(c.ShardIDs) > 0 && len(c.ShardColumns) > 0 {
			cfg.Warnf("datahub.shard.columns", "ignored: the records go to the configured shard ids")
			c.ShardColumns = nil
		}
	}

	c.Protobuf = cfg.Bool("datahub.enablePb", true)
	if cfg.Has("datahub.compressType") {
		switch v := strings.ToUpper(cfg.String("datahub.compressType", "")); v {
		case "", "NONE":
		case "DEFLATE", "LZ4":
			c.Compress = strings.ToLower(v)
		default:
			cfg.Errorf("datahub.compressType", "expected LZ4 or DEFLATE")
		}
	}

	if c.Legacy {
		c.BatchSize = legacyBatchSize
		c.RetryTimes = legacyRetryTimes
		c.BlankAsNull = true
	} else {
		c.BatchSize = defaultBatchSize
		c.RetryTimes = defaultRetryTimes
		c.BatchTimeout = defaultBatchTimeout
		c.NullValue, c.HasNull = defaultNullValue, true
	}
	c.BatchSizeKey = "datahub.batchSize"
	if c.Legacy {
		c.BatchSizeKey = "batchSize"
	}
	if key := pick(cfg, "datahub.batchSize", "batchSize"); key != "" {
		c.BatchSize = cfg.LenientIntAtLeast(key, c.BatchSize, 1)
		c.BatchSizeKey = key
	}
	c.MaxBufferSize = cfg.LenientIntAtLeast("datahub.maxBufferSize", defaultMaxBufferSize, 1)
	if cfg.Has("datahub.batchTimeout") {
		c.BatchTimeout = time.Duration(cfg.LenientIntAtLeast("datahub.batchTimeout", int(defaultBatchTimeout/time.Second), 0)) * time.Second
	}
	switch key := pick(cfg, "datahub.retryTimes", "retryTimes"); key {
	case "datahub.retryTimes":
		// 2.x: a negative value means no retry.
		c.RetryTimes = max(cfg.Int(key, c.RetryTimes), 0)
	case "retryTimes":
		// 1.x: a negative value means retry until the put succeeds.
		c.RetryTimes = cfg.Int(key, c.RetryTimes)
		if c.RetryTimes < 0 {
			c.RetryTimes = -1
		}
	}
	if key := pick(cfg, "datahub.retryInterval", "retryInterval"); key != "" {
		c.RetryInterval = time.Duration(cfg.LenientIntAtLeast(key, int(defaultRetryInterval/time.Second), 0)) * time.Second
	} else {
		c.RetryInterval = defaultRetryInterval
	}
	c.DirtyDataContinue = cfg.Bool("datahub.dirtyDataContinue", true)
	c.DirtyDataFile = cfg.String("datahub.dirtyDataFile", defaultDirtyFile)
	if c.DirtyDataFile == "" {
		cfg.Errorf("datahub.dirtyDataFile", "must not be empty")
	}
	if cfg.Has("datahub.nullValue") {
		c.NullValue, c.HasNull = cfg.String("datahub.nullValue", ""), true
	}
	c.BlankAsNull = cfg.Bool("isBlankValueAsNull", c.BlankAsNull)
	if cfg.Has("dateformat.columns") {
		c.DateColumns = splitNames(cfg.String("dateformat.columns", ""), false)
	}
	c.DateFormat = cfg.String("dateFormat", defaultDateFormat)
	if len(c.DateColumns) > 0 {
		if _, err := compileDateFormat(c.DateFormat); err != nil {
			cfg.Errorf("dateFormat", "%v", err)
		}
	}

	c.Serializer = parseSerializer(cfg)
	ignoredKeys(cfg)
	return c
}

// isLegacy reports whether the properties are written for the 1.x plugin,
// which the spelling of the one key every configuration has tells:
// datahub.accessID (1.x) rather than datahub.accessId (2.x).
func isLegacy(cfg *flume.Context) bool {
	return cfg.Has("datahub.accessID") && !cfg.Has("datahub.accessId")
}

// pick returns the key to read among a 2.x name and its 1.x name (the 2.x
// one wins, with a warning), or "" when neither is set.
func pick(cfg *flume.Context, modern, legacy string) string {
	switch {
	case cfg.Has(modern) && cfg.Has(legacy):
		cfg.MarkUsed(legacy)
		cfg.Warnf(legacy, "ignored: %s is set", modern)
		return modern
	case cfg.Has(modern):
		return modern
	case cfg.Has(legacy):
		return legacy
	}
	return ""
}

// either reads a value under its 2.x or 1.x name.
func either(cfg *flume.Context, modern, legacy string, required bool) string {
	if key := pick(cfg, modern, legacy); key != "" {
		return cfg.String(key, "")
	}
	if required {
		cfg.Errorf(modern, "required property is missing (%s in the 1.x plugin)", legacy)
	}
	return ""
}

// splitNames splits a comma list; keepEmpty keeps empty entries (a skipped
// column in serializer.fieldnames). Names are trimmed.
func splitNames(s string, keepEmpty bool) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if n != "" || keepEmpty {
			out = append(out, n)
		}
	}
	return out
}

func parseSerializer(cfg *flume.Context) SerializerConfig {
	var sc SerializerConfig
	sub := cfg.Sub("serializer.")
	if !cfg.Has("serializer") {
		// Only a BLOB topic can do without (checked when the topic is known).
		for _, k := range sub.Keys() {
			sub.MarkUsed(k)
			sub.Warnf(k, "ignored: no serializer is set")
		}
		return sc
	}
	name := cfg.String("serializer", "")
	if kind, ok := serializerClasses[name]; ok {
		sc.Kind = kind
	} else {
		switch strings.ToUpper(name) {
		case serDelimited, serJSON, serRegex:
			sc.Kind = strings.ToUpper(name)
		default:
			cfg.Unsupportedf("serializer", "expected DELIMITED, JSON or REGEX: custom Java serializer classes cannot be loaded")
			return sc
		}
	}
	name = sub.String("charset", "UTF-8")
	switch cs := strings.ToUpper(name); cs {
	case "UTF-8", "UTF8":
		sc.Charset = "UTF-8"
	case "ISO-8859-1", "ISO8859-1", "ISO_8859_1", "LATIN1":
		sc.Charset = "ISO-8859-1"
	case "US-ASCII", "ASCII":
		sc.Charset = "US-ASCII"
	default:
		enc, err := ianaindex.IANA.Encoding(name)
		switch {
		case err != nil:
			sub.Errorf("charset", "unknown charset")
		case enc == nil:
			sub.Unsupportedf("charset", "charset %s is known but has no decoder", name)
		default:
			sc.Charset, sc.Decoder = cs, enc
		}
	}
	switch sc.Kind {
	case serDelimited:
		if !sub.Has("fieldnames") {
			sub.Errorf("fieldnames", "required property is missing")
		}
		sc.FieldNames = splitNames(sub.String("fieldnames", ""), true)
		delim := sub.String("delimiter", ",")
		if len(delim) >= 2 && delim[0] == '"' && delim[len(delim)-1] == '"' {
			delim = delim[1 : len(delim)-1] // "\t" written with quotes, as the plugin allows
		}
		if delim == "" {
			sub.Errorf("delimiter", "must not be empty")
			break
		}
		if !strings.ContainsAny(delim, `\.[]{}()<>*+-=!?^$|`) {
			sc.Literal = delim
		}
		re, err := javaregex.Compile(delim)
		if err != nil {
			sub.Errorf("delimiter", "the delimiter is a Java regex: %v", err)
			break
		}
		sc.Delimiter = re
	case serJSON:
		if !sub.Has("fieldnames") {
			sub.Errorf("fieldnames", "required property is missing")
		}
		sc.FieldNames = splitNames(sub.String("fieldnames", ""), true)
	case serRegex:
		sc.FieldNames = splitNames(sub.String("fieldnames", "payload"), true)
		pattern := sub.String("regex", "(.*)")
		// The plugin compiles with DOTALL (and CASE_INSENSITIVE) and calls
		// Matcher.matches(): the whole line must match.
		re, err := javaregex.CompileOptions(pattern, javaregex.Options{
			DotAll: true, CaseInsensitive: sub.Bool("regexIgnoreCase", false), Whole: true})
		if err != nil {
			sub.Errorf("regex", "%v", err)
			break
		}
		if re.NumSubexp() != len(sc.FieldNames) {
			sub.Errorf("regex", "has %d capturing groups but serializer.fieldnames names %d columns: every line would be dirty",
				re.NumSubexp(), len(sc.FieldNames))
		}
		sc.Regex = re
	}
	if sc.Kind != "" && len(sc.FieldNames) > 0 {
		empty := true
		for _, n := range sc.FieldNames {
			empty = empty && n == ""
		}
		if empty {
			sub.Errorf("fieldnames", "names no column")
		}
	}
	for _, k := range sub.Keys() {
		switch k {
		case "charset", "fieldnames", "delimiter", "regex", "regexIgnoreCase":
			if !sub.Has(k) {
				continue
			}
			if (k == "delimiter" && sc.Kind != serDelimited) || ((k == "regex" || k == "regexIgnoreCase") && sc.Kind != serRegex) {
				sub.MarkUsed(k)
				sub.Warnf(k, "ignored by the %s serializer", sc.Kind)
			}
		}
	}
	return sc
}

// ignoredKeys accepts, with a warning, keys that tutorials and other
// versions of the plugin use but that change nothing in a sink, and rejects
// the 1.x MaxCompute partition feature.
func ignoredKeys(cfg *flume.Context) {
	for _, k := range []string{"shard.number", "shard.maxTimeOut", "datahub.topic.shardcount"} {
		if cfg.Has(k) {
			cfg.MarkUsed(k)
			cfg.Warnf(k, "has no effect (the DataHub plugin ignores it too); the sink writes to the configured or ACTIVE shards")
		}
	}
	for _, k := range []string{"datahub.subId", "datahub.startTime", "datahub.autoCommit", "datahub.offsetCommitInterval", "datahub.sessionTimeout"} {
		if cfg.Has(k) {
			cfg.MarkUsed(k)
			cfg.Warnf(k, "is a setting of the plugin's DataHub source; it has no effect on the sink")
		}
	}
	if cfg.Has("maxcompute.partition.columns") || cfg.Has("maxcompute.partition.values") {
		cfg.MarkPrefixUsed("maxcompute.")
		key := "maxcompute.partition.columns"
		if !cfg.Has(key) {
			key = "maxcompute.partition.values"
		}
		cfg.Unsupportedf(key, "MaxCompute partition columns filled from event headers")
	}
	for _, k := range []string{"useLocalTimeStamp", "timeZone", "round", "roundUnit", "roundValue"} {
		if cfg.Has(k) {
			cfg.MarkUsed(k)
			cfg.Warnf(k, "only applies to maxcompute.partition.values, which flumego does not support")
		}
	}
}

// String describes the configuration for the start-up log (no secrets).
func (c Config) String() string {
	gen := "2.x"
	if c.Legacy {
		gen = "1.x"
	}
	return fmt.Sprintf("endpoint=%s project=%s topic=%s properties=%s serializer=%s batchSize=%d batchTimeout=%s retryTimes=%d protobuf=%v",
		c.Endpoint, c.Project, c.Topic, gen, c.Serializer.Kind, c.BatchSize, c.BatchTimeout, c.RetryTimes, c.Protobuf)
}
