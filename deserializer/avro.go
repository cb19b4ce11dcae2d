package deserializer

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/avrofile"
	"github.com/linkedin/goavro/v2"
)

// The headers AVRO puts on its events, as Flume names them.
const (
	HeaderSchemaHash    = "flume.avro.schema.hash"
	HeaderSchemaLiteral = "flume.avro.schema.literal"
)

func newAvro(set flume.Settings, cfg *flume.Context) (flume.EventDeserializerBuilder, error) {
	literal := cfg.OneOf("schemaType", "HASH", "HASH", "LITERAL") == "LITERAL"
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	if literal {
		set.Log().Warn("schemaType LITERAL stores the whole Avro schema in the header of each event, which may be inefficient; HASH stores its fingerprint")
	}
	return func(in flume.DeserializerInput) (flume.EventDeserializer, error) {
		return newAvroDeserializer(in, literal)
	}, nil
}

// avroDeserializer returns the records of an Avro container file, block by
// block.
type avroDeserializer struct {
	name   string
	r      *avrofile.Reader
	codec  *goavro.Codec
	header string // HeaderSchemaHash or HeaderSchemaLiteral
	value  string

	loaded bool
	block  avrofile.Block
	data   []byte // the block's unread datums
	done   int64  // datums of the block returned
	skip   int64  // datums to skip in the next block loaded (after Reset)

	markBlock int64 // the block to read from at the mark
	markSkip  int64 // its datums returned at the mark
	err       error
}

func newAvroDeserializer(in flume.DeserializerInput, literal bool) (*avroDeserializer, error) {
	r, err := avrofile.NewReader(in.File, in.Size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	h := r.Header()
	codec, err := goavro.NewCodec(h.Schema)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: the file's schema: %w", in.Name, err)
	}
	d := &avroDeserializer{name: in.Name, r: r, codec: codec}
	if literal {
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(h.Schema)) == nil {
			d.header, d.value = HeaderSchemaLiteral, buf.String()
		} else {
			d.header, d.value = HeaderSchemaLiteral, strings.TrimSpace(h.Schema)
		}
	} else {
		d.header, d.value = HeaderSchemaHash, SchemaHash(codec)
	}
	if in.Start > 0 {
		if err := r.Sync(in.Start); err != nil {
			r.Close()
			return nil, fmt.Errorf("%s: resume at byte %d: %w", in.Name, in.Start, err)
		}
	}
	d.markBlock = r.Offset()
	return d, nil
}

// SchemaHash returns what Flume's AvroEventDeserializer puts in header
// flume.avro.schema.hash: the CRC-64-AVRO (Rabin) fingerprint of the
// schema's parsing canonical form, its 8 bytes little endian, in hex.
func SchemaHash(codec *goavro.Codec) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], codec.Rabin)
	return hex.EncodeToString(b[:])
}

// ReadEvents returns the next records, up to n.
func (d *avroDeserializer) ReadEvents(n int) ([]flume.Event, error) {
	if d.err != nil {
		return nil, d.err
	}
	var events []flume.Event
	for len(events) < n {
		if !d.loaded || d.done == d.block.Count {
			b, err := d.r.Next()
			if err == io.EOF {
				d.loaded = false
				break
			}
			if err != nil {
				d.err = fmt.Errorf("%s: %w", d.name, err)
				return d.withHeader(events), d.err
			}
			d.block, d.data, d.done, d.loaded = b, b.Data, 0, true
			for ; d.skip > 0 && d.done < d.block.Count; d.skip-- {
				if _, err := d.datum(); err != nil {
					return d.withHeader(events), err
				}
			}
			d.skip = 0
			continue
		}
		body, err := d.datum()
		if err != nil {
			return d.withHeader(events), err
		}
		events = append(events, flume.Event{Body: body})
	}
	if len(events) == 0 {
		return nil, io.EOF
	}
	return d.withHeader(events), nil
}

// withHeader gives the events the schema header, with one allocation for
// the batch.
func (d *avroDeserializer) withHeader(events []flume.Event) []flume.Event {
	flume.ReserveHeaders(events, len(d.header)+len(d.value)+2*binary.MaxVarintLen32)
	for i := range events {
		events[i].SetHeader(d.header, d.value)
	}
	return events
}

// datum returns the next datum of the block, as its bytes in the file.
func (d *avroDeserializer) datum() ([]byte, error) {
	_, rest, err := d.codec.NativeFromBinary(d.data)
	if err != nil {
		d.err = fmt.Errorf("%s: record %d of the block at byte %d: %w", d.name, d.done, d.block.Offset, err)
		return nil, d.err
	}
	n := len(d.data) - len(rest)
	body := d.data[:n:n]
	d.data = rest
	d.done++
	return body, nil
}

// Mark returns the position Flume persists: the sync marker before the
// block being read, or before the next one when this one is done.
func (d *avroDeserializer) Mark() (int64, error) {
	if !d.loaded || d.done == d.block.Count {
		d.markBlock, d.markSkip = d.r.Offset(), 0
	} else {
		d.markBlock, d.markSkip = d.block.Offset, d.done
	}
	return max(d.markBlock-int64(len(d.r.Header().Sync)), 0), nil
}

// Reset returns to the record after the last mark.
func (d *avroDeserializer) Reset() error {
	if err := d.r.SeekBlock(d.markBlock); err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	d.loaded, d.data, d.done, d.skip, d.err = false, nil, 0, d.markSkip, nil
	return nil
}

// Close releases the reader.
func (d *avroDeserializer) Close() error {
	d.r.Close()
	d.err = errors.New("deserializer closed")
	return nil
}
