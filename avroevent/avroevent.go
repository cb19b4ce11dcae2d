package avroevent

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/avrobin"
)

// AppendEvent appends the Avro binary encoding of e as an AvroFlumeEvent:
// map<string> headers, then bytes body. The headers are kept in Avro's
// encoding (see flume.Event) and copied as they are.
func AppendEvent(dst []byte, e flume.Event) []byte {
	if items, n := e.EncodedHeaders(); n > 0 {
		dst = avrobin.AppendLong(dst, int64(n))
		dst = append(dst, items...)
	}
	dst = append(dst, 0)
	return avrobin.AppendBytes(dst, e.Body)
}

// AppendEventSorted is AppendEvent with the headers written in sorted
// order of their names, so that equal events encode to equal bytes
// whatever order their headers were set in (the Kafka sink's
// useFlumeEventFormat values). scratch (may be nil) is returned for reuse.
func AppendEventSorted(dst []byte, e flume.Event, scratch []flume.Header) ([]byte, []flume.Header) {
	if n := e.HeaderCount(); n > 0 {
		scratch = scratch[:0]
		for k, v := range e.AllHeaders() {
			scratch = append(scratch, flume.Header{Name: k, Value: v})
		}
		slices.SortFunc(scratch, func(a, b flume.Header) int { return strings.Compare(a.Name, b.Name) })
		dst = avrobin.AppendLong(dst, int64(n))
		for _, h := range scratch {
			dst = avrobin.AppendString(dst, h.Name)
			dst = avrobin.AppendString(dst, h.Value)
		}
		clear(scratch) // keep no strings alive
	}
	dst = append(dst, 0)
	return avrobin.AppendBytes(dst, e.Body), scratch
}

// AppendEvents appends events as an array<AvroFlumeEvent> (one block, then
// the end marker), the parameter of appendBatch.
func AppendEvents(dst []byte, events []flume.Event) []byte {
	if len(events) > 0 {
		dst = avrobin.AppendLong(dst, int64(len(events)))
		for _, e := range events {
			dst = AppendEvent(dst, e)
		}
	}
	return append(dst, 0)
}

// EncodedSize returns the length of AppendEvent's output for e.
func EncodedSize(e flume.Event) int {
	n := 1 + avrobin.VarintSize(len(e.Body)) + len(e.Body)
	if items, c := e.EncodedHeaders(); c > 0 {
		n += avrobin.VarintSize(c) + len(items)
	}
	return n
}

// DecodeEvent decodes one AvroFlumeEvent from the head of b and returns the
// rest. The event shares b's memory (the body and, unless the map is split
// into blocks or names a header twice, the headers are not copied): b must
// never be modified afterwards. A header name the map carries twice gets
// its last value, as in Java's HashMap.
func DecodeEvent(b []byte) (flume.Event, []byte, error) {
	var hb flume.HeaderBuffer
	return decodeEvent(b, &hb)
}

// decodeEvent decodes one event. The headers of a map sent as one block
// without duplicate names, as every Avro writer sends it, stay in b where
// they are; other maps are decoded into hb.
func decodeEvent(b []byte, hb *flume.HeaderBuffer) (flume.Event, []byte, error) {
	var e flume.Event
	n, items, err := avrobin.ReadBlockCount(b, 2, "headers")
	if err != nil {
		return e, nil, err
	}
	rest := items
	if n > 0 {
		var ok bool
		if rest, ok = flume.AttachEncodedHeaders(&e, items, n); ok && len(rest) > 0 && rest[0] == 0 {
			rest = rest[1:] // the end of the map
		} else if rest, err = decodeHeaders(b, &e, hb); err != nil {
			return e, nil, err
		}
	}
	body, rest, err := avrobin.ReadBytes(rest, "body")
	if err != nil {
		return e, nil, err
	}
	e.Body = body
	return e, rest, nil
}

// decodeHeaders decodes a header map of any shape (several blocks,
// duplicate names) from the head of b into e's headers, copied into hb,
// and returns the rest.
func decodeHeaders(b []byte, e *flume.Event, hb *flume.HeaderBuffer) ([]byte, error) {
	for {
		n, rest, err := avrobin.ReadBlockCount(b, 2, "headers")
		if err != nil {
			hb.Discard()
			return nil, err
		}
		b = rest
		if n == 0 {
			break
		}
		for range n {
			var k, v string
			if k, b, err = avrobin.ReadStringNoCopy(b, "header name"); err != nil {
				hb.Discard()
				return nil, err
			}
			if v, b, err = avrobin.ReadStringNoCopy(b, "header value"); err != nil {
				hb.Discard()
				return nil, err
			}
			hb.Add(k, v)
		}
	}
	hb.Attach(e)
	return b, nil
}

// Unmarshal decodes b, which must hold exactly one AvroFlumeEvent datum
// and nothing after it: a Kafka record value written with
// useFlumeEventFormat (the Kafka sink) or parseAsFlumeEvent (the Kafka
// channel), as Flume's Kafka source and channel read them. Any block layout
// Avro allows is accepted (several blocks, negative counts with byte
// sizes), and no count or length may claim more than the bytes left. Like
// DecodeEvent, the event shares b's memory: b must never be modified
// afterwards (a Kafka client's record values are not).
func Unmarshal(b []byte) (flume.Event, error) {
	e, rest, err := DecodeEvent(b)
	if err != nil {
		return flume.Event{}, fmt.Errorf("AvroFlumeEvent: %w", err)
	}
	if len(rest) != 0 {
		return flume.Event{}, fmt.Errorf("AvroFlumeEvent: %w", avrobin.Malformed("%d bytes after the event", len(rest)))
	}
	return e, nil
}

// ErrTooManyEvents matches the error DecodeEvents returns when a batch
// declares more events than its maxEvents allows (a *TooManyEventsError).
// It is found from the block counts, before the events of the block that
// passes the limit are decoded.
var ErrTooManyEvents = errors.New("avroevent: too many events in one batch")

// TooManyEventsError reports a batch over DecodeEvents' maxEvents.
type TooManyEventsError struct {
	// Limit is the maxEvents passed to DecodeEvents.
	Limit int
	// Declared is the number of events the batch's blocks declared up to
	// and including the block that passed the limit: a lower bound of the
	// batch's size.
	Declared int
}

// Error describes the refusal.
func (e *TooManyEventsError) Error() string {
	return fmt.Sprintf("avroevent: batch of at least %d events; at most %d are accepted", e.Declared, e.Limit)
}

// Is makes errors.Is(err, ErrTooManyEvents) true.
func (e *TooManyEventsError) Is(target error) bool { return target == ErrTooManyEvents }

// DecodeEvents decodes an array<AvroFlumeEvent> from the head of b,
// appending the events to dst, and returns the rest. The events share b's
// memory as with DecodeEvent. At most maxEvents are accepted (0: no limit
// besides the input size); more is ErrTooManyEvents. Decoding is linear in
// len(b) however the sender splits the array into blocks.
func DecodeEvents(b []byte, dst []flume.Event, maxEvents int) ([]flume.Event, []byte, error) {
	total := 0
	var hb flume.HeaderBuffer
	for {
		n, rest, err := avrobin.ReadBlockCount(b, 2, "events")
		if err != nil {
			return dst, nil, err
		}
		b = rest
		if n == 0 {
			return dst, b, nil
		}
		total += n
		if maxEvents > 0 && total > maxEvents {
			return dst, nil, &TooManyEventsError{Limit: maxEvents, Declared: total}
		}
		dst = growEvents(dst, n)
		for range n {
			var e flume.Event
			if e, b, err = decodeEvent(b, &hb); err != nil {
				return dst, nil, fmt.Errorf("event %d: %w", len(dst)+1, err)
			}
			dst = append(dst, e)
		}
	}
}

// growEvents makes room for n more events. It grows geometrically (as
// append does), so a sender that splits a batch into many one-item blocks
// costs linear time, not a copy of the whole slice per block; n itself is
// bounded by the bytes left in the request (readBlockCount).
func growEvents(s []flume.Event, n int) []flume.Event {
	return slices.Grow(s, n)
}
