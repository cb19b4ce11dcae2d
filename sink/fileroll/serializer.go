package fileroll

import (
	"bufio"
	"fmt"
	"sort"

	"github.com/flumego/flume"
	"github.com/linkedin/goavro/v2"
)

// serializer turns events into bytes in an output file.
type serializer interface {
	write(w *bufio.Writer, e flume.Event) error
	// flush writes anything buffered; called before every commit.
	flush(w *bufio.Writer) error
}

func newSerializer(c Config, w *bufio.Writer) (serializer, error) {
	switch c.Serializer {
	case "header_and_text":
		return headerAndText{newline: c.Serializing.AppendNewline}, nil
	case "avro_event":
		return newAvroEvent(c.Serializing, w)
	default:
		return text{newline: c.Serializing.AppendNewline}, nil
	}
}

// text is Flume's TEXT serializer: the body, then a newline.
type text struct{ newline bool }

func (t text) write(w *bufio.Writer, e flume.Event) error {
	if _, err := w.Write(e.Body); err != nil {
		return err
	}
	if t.newline {
		return w.WriteByte('\n')
	}
	return nil
}

func (text) flush(*bufio.Writer) error { return nil }

// headerAndText is Flume's HEADER_AND_TEXT serializer: the headers in Java
// Map syntax ({k1=v1, k2=v2}; sorted here), a space, the body, a newline.
type headerAndText struct{ newline bool }

func (h headerAndText) write(w *bufio.Writer, e flume.Event) error {
	keys := make([]string, 0, len(e.Headers))
	for k := range e.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(k)
		w.WriteByte('=')
		w.WriteString(e.Headers[k])
	}
	w.WriteString("} ")
	return text(h).write(w, e)
}

func (headerAndText) flush(*bufio.Writer) error { return nil }

// EventSchema is the writer schema of Flume's avro_event serializer.
const EventSchema = `{"type":"record","name":"Event","fields":[{"name":"headers","type":{"type":"map","values":"string"}},{"name":"body","type":"bytes"}]}`

// avroEvent is Flume's AVRO_EVENT serializer: an Avro object container file
// of Event records, one block per commit or per syncIntervalBytes.
type avroEvent struct {
	ocf     *goavro.OCFWriter
	pending []any
	size    int
	sync    int
}

func newAvroEvent(c serializerConfig, w *bufio.Writer) (*avroEvent, error) {
	codec := goavro.CompressionNullLabel
	switch c.Codec {
	case "deflate":
		codec = goavro.CompressionDeflateLabel
	case "snappy":
		codec = goavro.CompressionSnappyLabel
	}
	ocf, err := goavro.NewOCFWriter(goavro.OCFConfig{W: w, Schema: EventSchema, CompressionName: codec})
	if err != nil {
		return nil, fmt.Errorf("avro_event serializer: %w", err)
	}
	return &avroEvent{ocf: ocf, sync: c.SyncIntervalBytes}, nil
}

func (a *avroEvent) write(w *bufio.Writer, e flume.Event) error {
	headers := make(map[string]any, len(e.Headers))
	for k, v := range e.Headers {
		headers[k] = v
	}
	a.pending = append(a.pending, map[string]any{"headers": headers, "body": e.Body})
	a.size += e.Size()
	if a.size >= a.sync {
		return a.flush(w)
	}
	return nil
}

func (a *avroEvent) flush(*bufio.Writer) error {
	if len(a.pending) == 0 {
		return nil
	}
	err := a.ocf.Append(a.pending)
	a.pending, a.size = a.pending[:0], 0
	return err
}
