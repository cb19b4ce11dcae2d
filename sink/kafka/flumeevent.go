package kafka

import (
	"fmt"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
)

// AppendFlumeEvent appends e to dst as one Avro binary datum of Flume's
// AvroFlumeEvent record, the value format of useFlumeEventFormat = true
// (and of the Kafka channel's parseAsFlumeEvent):
//
//	{"type":"record","name":"AvroFlumeEvent","fields":[
//	  {"name":"headers","type":{"type":"map","values":"string"}},
//	  {"name":"body","type":"bytes"}]}
//
// No container, schema or length prefix: the header map as one block
// (count, then key and value strings, then 0) or a single 0 when empty, then
// the body as bytes; the encoding of avrorpc, whose appendBatch carries the
// same record. Headers are written in sorted order, so equal events encode
// equally. keys is scratch space (may be nil) and is returned for reuse.
func AppendFlumeEvent(dst []byte, e flume.Event, keys []string) ([]byte, []string) {
	return avroevent.AppendEventSorted(dst, e, keys)
}

// DecodeFlumeEvent decodes one Avro binary AvroFlumeEvent datum, as
// Flume's Kafka source and channel read the values this sink writes with
// useFlumeEventFormat. It accepts every block layout Avro allows (several
// blocks, negative counts with byte sizes) and is bounded by the input: no
// count or length may claim more than the bytes left. Trailing bytes are an
// error. The event does not share data's memory.
func DecodeFlumeEvent(data []byte) (flume.Event, error) {
	e, rest, err := avroevent.DecodeEvent(data)
	if err != nil {
		return flume.Event{}, fmt.Errorf("AvroFlumeEvent: %w", err)
	}
	if len(rest) != 0 {
		return flume.Event{}, fmt.Errorf("AvroFlumeEvent: %d bytes after the event", len(rest))
	}
	// DecodeEvent shares data's memory; the caller may reuse data.
	out := flume.Event{Body: append([]byte{}, e.Body...)}
	if e.Headers != nil {
		out.Headers = make(map[string]string, len(e.Headers))
		for k, v := range e.Headers {
			out.Headers[strings.Clone(k)] = strings.Clone(v)
		}
	}
	return out, nil
}
