package serializer

import (
	"errors"
	"fmt"
	"io"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/avrofile"
)

// EventSchema is the writer schema of the avro_event serializer, as Java's
// Avro prints Flume's (the record Event; its binary encoding is the one of
// AvroFlumeEvent, which package avroevent writes).
const EventSchema = `{"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}`

// DefaultSyncIntervalBytes is Flume's syncIntervalBytes default.
const DefaultSyncIntervalBytes = 2048000

func newAvroEvent(set flume.Settings, cfg *flume.Context) (flume.EventSerializerBuilder, error) {
	opts := containerOptions(cfg)
	opts.Schema = EventSchema
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	if _, err := avrofile.NewWriter(io.Discard, opts); err != nil { // the options are valid: building per file cannot fail
		return nil, err
	}
	return func(w io.Writer) flume.EventSerializer {
		f, err := avrofile.NewWriter(w, opts)
		return &avroEvent{f: f, err: err}
	}, nil
}

// containerOptions reads the container options the Avro serializers
// share: syncIntervalBytes and compressionCodec.
func containerOptions(cfg *flume.Context) avrofile.Options {
	opts := avrofile.Options{
		SyncInterval: cfg.IntRange("syncIntervalBytes", DefaultSyncIntervalBytes, avrofile.MinSyncInterval, avrofile.MaxSyncInterval),
	}
	// Avro's CodecFactory.fromString matches names exactly; Flume warns
	// about a name it does not know and writes without compression.
	switch codec := cfg.String("compressionCodec", avrofile.CodecNull); codec {
	case avrofile.CodecNull, avrofile.CodecDeflate, avrofile.CodecSnappy:
		opts.Codec = codec
	case "bzip2", "xz", "zstandard":
		cfg.Unsupportedf("compressionCodec", "the %s Avro codec (use null, deflate or snappy)", codec)
	default:
		cfg.Warnf("compressionCodec", "not an Avro codec (null, deflate, snappy): the files are written uncompressed, as Flume does")
	}
	return opts
}

// avroEvent is Flume's FlumeEventAvroEventSerializer: an Avro object
// container file of Event records. Events are encoded straight into the
// current block, which is written when it reaches syncIntervalBytes and on
// Flush.
type avroEvent struct {
	f   *avrofile.Writer
	err error // from NewWriter (a failed sync marker read)
}

// AfterCreate writes the container header.
func (a *avroEvent) AfterCreate() error {
	if a.err != nil {
		return a.err
	}
	return a.f.WriteHeader()
}

// errNoReopen is AfterReopen's error, Flume's UnsupportedOperationException.
var errNoReopen = errors.New("avro_event serializer: an Avro container file cannot be reopened for append")

// AfterReopen fails: the file's sync marker is not known.
func (*avroEvent) AfterReopen() error { return errNoReopen }

// Write adds e to the current block.
func (a *avroEvent) Write(e flume.Event) error {
	if a.err != nil {
		return a.err
	}
	if err := a.f.Append(func(dst []byte) []byte { return avroevent.AppendEvent(dst, e) }); err != nil {
		return fmt.Errorf("avro_event serializer: %w", err)
	}
	return nil
}

// Flush writes the current block.
func (a *avroEvent) Flush() error {
	if a.err != nil {
		return a.err
	}
	if err := a.f.Flush(); err != nil {
		return fmt.Errorf("avro_event serializer: %w", err)
	}
	return nil
}

// BeforeClose writes nothing: a container file has no trailer.
func (*avroEvent) BeforeClose() error { return nil }

// SupportsReopen is false.
func (*avroEvent) SupportsReopen() bool { return false }
