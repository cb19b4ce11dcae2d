package kafka

import (
	"cmp"
	"slices"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/avrobin"
	"github.com/flumego/flume/internal/javamap"
)

// encoder writes events as Java Flume's Kafka channel does with
// parseAsFlumeEvent = true: one bare Avro binary datum of AvroFlumeEvent
// per record, the header map as one block in the iteration order of the
// java.util.HashMap Flume copies the headers into (internal/javamap), so
// that an event encodes to the very bytes Java writes. It is not safe for
// concurrent use; each transaction has its own.
type encoder struct {
	hdrs []header
}

type header struct {
	bucket int
	k, v   string
}

// append appends the datum of e to dst.
func (enc *encoder) append(dst []byte, e flume.Event) []byte {
	if n := e.HeaderCount(); n > 0 {
		size := javamap.TableSize(n)
		enc.hdrs = enc.hdrs[:0]
		for k, v := range e.AllHeaders() {
			enc.hdrs = append(enc.hdrs, header{javamap.Bucket(k, size), k, v})
		}
		// Keys sharing a bucket come in insertion order in Java, which Go's
		// maps do not keep: javamap breaks those ties by sorting too.
		slices.SortFunc(enc.hdrs, func(a, b header) int {
			if a.bucket != b.bucket {
				return a.bucket - b.bucket
			}
			return cmp.Compare(a.k, b.k)
		})
		dst = avrobin.AppendLong(dst, int64(n))
		for _, h := range enc.hdrs {
			dst = avrobin.AppendString(dst, h.k)
			dst = avrobin.AppendString(dst, h.v)
		}
		clear(enc.hdrs) // drop the references to the strings
	}
	dst = append(dst, 0)
	return avrobin.AppendBytes(dst, e.Body)
}

// decode reads a record value written by a Kafka channel (Java's or
// flumego's) or by a Kafka sink with useFlumeEventFormat: exactly one
// AvroFlumeEvent datum, in any block layout Avro allows. The event shares
// value's memory.
func decode(value []byte) (flume.Event, error) {
	return avroevent.Unmarshal(value)
}
