package deserializer

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
)

// DefaultMaxBlobLength is BLOB's maxBlobLength default, in bytes.
const DefaultMaxBlobLength = 100 * 1000 * 1000

// blobBatchBytes bounds the bytes of one ReadEvents of BLOB: a batch of
// large files is not read into memory at once.
const blobBatchBytes = 16 << 20

func newBlob(set flume.Settings, cfg *flume.Context) (flume.EventDeserializerBuilder, error) {
	maxLen := cfg.Positive("maxBlobLength", DefaultMaxBlobLength)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	log := set.Log()
	truncated := &ratelog.Limiter{}
	return func(in flume.DeserializerInput) (flume.EventDeserializer, error) {
		return &blobDeserializer{in: in.File, name: in.Name, max: maxLen, pos: in.Start, mark: in.Start,
			log: log, truncated: truncated}, nil
	}, nil
}

// blobDeserializer returns its input in events of up to max bytes.
type blobDeserializer struct {
	in        io.ReadSeeker
	name      string
	max       int
	pos, mark int64
	eof       bool
	err       error
	log       *slog.Logger
	truncated *ratelog.Limiter
}

// ReadEvents returns the next chunks, up to n of them and about 16 MiB.
func (d *blobDeserializer) ReadEvents(n int) ([]flume.Event, error) {
	if d.err != nil {
		return nil, d.err
	}
	var events []flume.Event
	total := 0
	for len(events) < n && total < blobBatchBytes && !d.eof {
		body, err := d.readBlob()
		if len(body) > 0 {
			events = append(events, flume.Event{Body: body})
			total += len(body)
		}
		if err != nil {
			d.err = fmt.Errorf("%s: read at byte %d: %w", d.name, d.pos, err)
			return events, d.err
		}
	}
	if len(events) == 0 {
		return nil, io.EOF
	}
	return events, nil
}

// readBlob reads up to max bytes, growing its buffer as data comes (a
// small file does not cost max bytes).
func (d *blobDeserializer) readBlob() ([]byte, error) {
	buf := make([]byte, 0, min(d.max, 64<<10))
	for len(buf) < d.max {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, min(cap(buf), d.max-len(buf)))...)[:len(buf)]
		}
		n, err := d.in.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		d.pos += int64(n)
		if err == io.EOF {
			d.eof = true
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	d.truncated.Warn(d.log, "file longer than maxBlobLength: cut into several events", "file", d.name,
		"byte", d.pos, "maxBlobLength", d.max)
	return buf, nil
}

// Mark returns the position after the last chunk returned.
func (d *blobDeserializer) Mark() (int64, error) {
	d.mark = d.pos
	return d.mark, nil
}

// Reset returns to the last mark.
func (d *blobDeserializer) Reset() error {
	if _, err := d.in.Seek(d.mark, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	d.pos, d.eof, d.err = d.mark, false, nil
	return nil
}

// Close releases nothing: the input is the source's.
func (d *blobDeserializer) Close() error {
	d.err = errors.New("deserializer closed")
	return nil
}
