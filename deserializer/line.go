package deserializer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/charset"
	"github.com/flumego/flume/internal/ratelog"
)

// DefaultMaxLineLength is LINE's maxLineLength default, in Java chars.
const DefaultMaxLineLength = 2048

// lineConfig is LINE's configuration.
type lineConfig struct {
	maxLineLength int
	out           *charset.Charset
}

func parseLineConfig(cfg *flume.Context) lineConfig {
	c := lineConfig{maxLineLength: cfg.Positive("maxLineLength", DefaultMaxLineLength), out: charset.UTF8}
	if name, ok := cfg.Lookup("outputCharset"); ok {
		cs, err := charset.Lookup(name.Value)
		if err != nil {
			cfg.Errorf("outputCharset", "%v", err)
		} else {
			c.out = cs
		}
	}
	return c
}

func newLine(set flume.Settings, cfg *flume.Context) (flume.EventDeserializerBuilder, error) {
	c := parseLineConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return c.builder(set), nil
}

func (c lineConfig) builder(set flume.Settings) flume.EventDeserializerBuilder {
	log := set.Log()
	truncated := &ratelog.Limiter{}
	return func(in flume.DeserializerInput) (flume.EventDeserializer, error) {
		return newLineDeserializer(in, c, log, truncated)
	}
}

// lineDeserializer cuts its input into lines on the raw bytes of the
// charset's newline, then decodes each line.
type lineDeserializer struct {
	in   io.ReadSeeker
	name string
	dec  *charset.Decoder
	enc  *charset.Encoder // nil when bodies are UTF-8
	nl   []byte
	unit int
	max  int
	// longLine is how many bytes without a newline surely hold more than
	// max chars: the reader then emits a cut line without waiting for its
	// end.
	longLine int

	buf    []byte
	r, w   int   // buf[r:w] is read but not returned
	bufPos int64 // the input position of buf[0]
	eof    bool
	mark   int64
	err    error // sticky: a read or decode failure, until Reset

	bodies, lines int64 // body bytes and events so far: the size of the next batch

	text      []byte // scratch: a decoded line, when bodies are not UTF-8
	log       *slog.Logger
	truncated *ratelog.Limiter
}

func newLineDeserializer(in flume.DeserializerInput, c lineConfig, log *slog.Logger, truncated *ratelog.Limiter) (*lineDeserializer, error) {
	cs, err := charset.Lookup(orDefault(in.Charset, "UTF-8"))
	if err != nil {
		return nil, fmt.Errorf("%s: inputCharset: %w", in.Name, err)
	}
	policy, err := charset.ParsePolicy(orDefault(in.DecodeErrorPolicy, "FAIL"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Name, err)
	}
	start := in.Start
	if cs.Unit() > 1 { // UTF-16 and UTF-32 take their byte order from the file's BOM
		var head [4]byte
		if _, err := in.File.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		n, err := io.ReadFull(in.File, head[:])
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
		var bom int
		cs, bom = cs.ForInput(head[:n])
		start = max(start, int64(bom))
		if _, err := in.File.Seek(start, io.SeekStart); err != nil {
			return nil, fmt.Errorf("%s: %w", in.Name, err)
		}
	}
	d := &lineDeserializer{
		in: in.File, name: in.Name, dec: cs.NewDecoder(policy), nl: cs.Newline(), unit: cs.Unit(),
		max: c.maxLineLength, bufPos: start, mark: start, log: log, truncated: truncated,
	}
	if !c.out.IsUTF8() {
		d.enc = c.out.NewEncoder()
	}
	// A Java char takes at most 4 bytes in any charset (a UTF-32 unit, a
	// GB18030 sequence): 4 bytes per char, and room for one more character.
	d.longLine = 4*d.max + 16
	d.buf = make([]byte, max(64<<10, 2*d.longLine))
	return d, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ReadEvents returns the next lines, up to n.
func (d *lineDeserializer) ReadEvents(n int) ([]flume.Event, error) {
	if d.err != nil {
		return nil, d.err
	}
	var events []flume.Event
	var slab []byte // the bodies of this batch share allocations
	for len(events) < n {
		size, nl, err := d.nextLine()
		if err == io.EOF {
			if len(events) == 0 {
				return nil, io.EOF
			}
			break
		}
		if err != nil {
			d.err = fmt.Errorf("%s: read at byte %d: %w", d.name, d.pos(), err)
			return events, d.err
		}
		if events == nil {
			events = make([]flume.Event, 0, min(n, 1<<16))
		}
		raw := d.buf[d.r : d.r+size]
		if need := 3*len(raw) + 4; cap(slab)-len(slab) < need { // the most UTF-8 a line can decode to
			// Room for the rest of the batch at the average body size so far.
			slab = make([]byte, 0, max(need, min((n-len(events))*(d.avg()+1), 4<<20), 4<<10))
		}
		start := len(slab)
		var used int
		var derr error
		if d.enc == nil {
			slab, used, derr = d.dec.Decode(slab, raw, d.max)
		} else {
			d.text, used, derr = d.dec.Decode(d.text[:0], raw, d.max)
			slab = d.enc.Encode(slab, d.text)
		}
		if derr != nil {
			var de *charset.DecodeError
			at := d.pos() + int64(used)
			if errors.As(derr, &de) {
				at = d.pos() + int64(de.Offset)
			}
			d.err = fmt.Errorf("%s: byte %d (in the line at byte %d): %w", d.name, at, d.pos(), derr)
			return events, d.err
		}
		cut := used < len(raw) || nl == 0 && !d.eof
		if used == len(raw) {
			used += nl // the whole line: its newline too
		}
		if cut {
			d.truncated.Warn(d.log, "line longer than maxLineLength: cut into several events", "file", d.name,
				"byte", d.pos(), "maxLineLength", d.max)
		}
		d.r += used
		events = append(events, flume.Event{Body: slab[start:len(slab):len(slab)]})
		d.bodies, d.lines = d.bodies+int64(len(slab)-start), d.lines+1
	}
	return events, nil
}

// avg returns the average body size so far (64 bytes before the first).
func (d *lineDeserializer) avg() int {
	if d.lines == 0 {
		return 64
	}
	return int(d.bodies / d.lines)
}

// pos returns the input position of the next unread byte.
func (d *lineDeserializer) pos() int64 { return d.bufPos + int64(d.r) }

// nextLine finds the next line in buf[r:]: its length and the length of
// the newline after it (0 for the input's last, unterminated line, or for
// the first part of a line too long to wait for its end). It returns
// io.EOF when nothing is left.
func (d *lineDeserializer) nextLine() (int, int, error) {
	for {
		if i := d.indexNewline(d.buf[d.r:d.w]); i >= 0 {
			return i, len(d.nl), nil
		}
		left := d.w - d.r
		switch {
		case d.eof && left == 0:
			return 0, 0, io.EOF
		case d.eof:
			return left, 0, nil
		case left >= d.longLine:
			// More than max chars without a newline: hand over a part that
			// surely holds max chars but no character cut at its end.
			return (left - 16) / d.unit * d.unit, 0, nil
		}
		if err := d.fill(); err != nil {
			return 0, 0, err
		}
	}
}

// indexNewline returns the offset of the first newline in b that starts
// on a character boundary, or -1.
func (d *lineDeserializer) indexNewline(b []byte) int {
	if d.unit == 1 {
		return bytes.IndexByte(b, d.nl[0])
	}
	for off := 0; ; {
		i := bytes.Index(b[off:], d.nl)
		if i < 0 {
			return -1
		}
		if (off+i)%d.unit == 0 {
			return off + i
		}
		off += i + 1
	}
}

// fill reads more input after buf[w], moving the unread bytes to the
// front first.
func (d *lineDeserializer) fill() error {
	if d.r > 0 {
		d.w = copy(d.buf, d.buf[d.r:d.w])
		d.bufPos += int64(d.r)
		d.r = 0
	}
	if d.w == len(d.buf) { // cannot happen: buf holds two long lines
		d.buf = append(d.buf, make([]byte, len(d.buf))...)
	}
	n, err := d.in.Read(d.buf[d.w:])
	d.w += n
	if err == io.EOF {
		d.eof = true
		return nil
	}
	return err
}

// Mark returns the position after the last line returned.
func (d *lineDeserializer) Mark() (int64, error) {
	d.mark = d.pos()
	return d.mark, nil
}

// Reset returns to the last mark.
func (d *lineDeserializer) Reset() error {
	if _, err := d.in.Seek(d.mark, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	d.r, d.w, d.bufPos, d.eof, d.err = 0, 0, d.mark, false, nil
	return nil
}

// Close releases the buffer.
func (d *lineDeserializer) Close() error {
	d.buf, d.text = nil, nil
	d.err = errors.New("deserializer closed")
	return nil
}
