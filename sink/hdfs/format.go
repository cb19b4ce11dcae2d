package hdfs

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/hadoopcodec"
	"github.com/flumego/flume/internal/seqfile"
)

// format lays events out in a file type. It writes into the file's
// pending buffer, which the sink hands to the file system at each flush:
// after flush the buffer ends at a point from which the file is complete
// (a record boundary, a finished compressed unit), so that a file closed
// there, with nothing more written, is valid.
type format interface {
	// write adds an event; now is the time of an event without a
	// timestamp, in epoch milliseconds.
	write(e *flume.Event, now int64) error
	// flush completes what write buffered (serializer flush, codec
	// finish, SequenceFile sync point).
	flush() error
	// finish writes what ends a file.
	finish() error
}

// newFormat returns the format of the configured file type, writing the
// file's header (if any) into buf.
func (c *Config) newFormat(buf *bytes.Buffer) (format, error) {
	switch c.FileType {
	case SequenceFile:
		value := seqfile.BytesWritable
		if c.WriteFormat == Text {
			value = seqfile.Text
		}
		w, err := seqfile.NewWriter(buf, seqfile.Options{
			KeyClass: seqfile.LongWritable, ValueClass: value,
			Compression: c.SeqCompression, Codec: c.Codec,
		})
		if err != nil {
			return nil, err
		}
		return &seqFormat{w: w, text: c.WriteFormat == Text}, nil
	case CompressedStream:
		cs := c.Codec.NewStream(buf)
		f := &streamFormat{ser: c.NewSerializer(cs), codec: cs}
		if err := f.ser.AfterCreate(); err != nil {
			return nil, fmt.Errorf("serializer %s: %w", c.Serializer, err)
		}
		return f, nil
	default:
		f := &streamFormat{ser: c.NewSerializer(buf)}
		if err := f.ser.AfterCreate(); err != nil {
			return nil, fmt.Errorf("serializer %s: %w", c.Serializer, err)
		}
		return f, nil
	}
}

// streamFormat is DataStream (codec nil) and CompressedStream: the event
// serializer's bytes, compressed for CompressedStream. Each flush
// finishes the compressed unit, as Flume's HDFSCompressedDataStream does.
type streamFormat struct {
	ser   flume.EventSerializer
	codec hadoopcodec.Stream
}

func (f *streamFormat) write(e *flume.Event, _ int64) error { return f.ser.Write(*e) }

func (f *streamFormat) flush() error {
	if err := f.ser.Flush(); err != nil {
		return err
	}
	if f.codec != nil {
		return f.codec.Finish()
	}
	return nil
}

func (f *streamFormat) finish() error {
	if err := f.ser.Flush(); err != nil {
		return err
	}
	if err := f.ser.BeforeClose(); err != nil {
		return err
	}
	if f.codec != nil {
		return f.codec.Finish()
	}
	return nil
}

// seqFormat is SequenceFile: LongWritable keys (the event's timestamp
// header, else now) and BytesWritable (Writable) or Text values (the
// body), as Flume's HDFSWritableSerializer and HDFSTextSerializer.
type seqFormat struct {
	w          *seqfile.Writer
	text       bool
	key, value []byte
}

func (f *seqFormat) write(e *flume.Event, now int64) error {
	ts := now
	if v, ok := e.Header("timestamp"); ok {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			ts = ms
		}
	}
	f.key = seqfile.AppendLong(f.key[:0], ts)
	if f.text {
		f.value = seqfile.AppendText(f.value[:0], e.Body)
	} else {
		f.value = seqfile.AppendBytes(f.value[:0], e.Body)
	}
	return f.w.Append(f.key, f.value)
}

func (f *seqFormat) flush() error { return f.w.Sync() }

func (f *seqFormat) finish() error { return f.w.Close() }
