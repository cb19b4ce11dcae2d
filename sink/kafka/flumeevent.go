package kafka

import (
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
// equally. scratch (may be nil) is returned for reuse. Readers decode such
// values with avroevent.Unmarshal.
func AppendFlumeEvent(dst []byte, e flume.Event, scratch []flume.Header) ([]byte, []flume.Header) {
	return avroevent.AppendEventSorted(dst, e, scratch)
}
