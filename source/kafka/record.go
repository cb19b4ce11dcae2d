package kafka

import (
	"strconv"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/twmb/franz-go/pkg/kgo"
)

// event turns a record into an event as Flume's source does: the value is
// the body (or, with useFlumeEventFormat, an AvroFlumeEvent giving headers
// and body); then the headers timestamp (the record's, in epoch
// milliseconds), the header.* mappings from the record's Kafka headers,
// the topic (setTopicHeader), partition and offset are set where the event
// lacks them, and key is set to the record key whenever there is one.
// The event shares the record's memory, which kgo never reuses. hb, when
// not nil, holds the headers of a plain record (the common case: no Avro
// event, no header.* mapping), so that a batch's headers share a few
// allocations.
func (s *Source) event(rec *kgo.Record, hb *flume.HeaderBuffer) (flume.Event, error) {
	if hb != nil && s.fastHeaders {
		e := flume.Event{Body: rec.Value}
		hb.Add(HeaderTimestamp, strconv.FormatInt(rec.Timestamp.UnixMilli(), 10))
		if s.cfg.SetTopicHeader {
			hb.Add(s.cfg.TopicHeader, rec.Topic)
		}
		hb.Add(HeaderPartition, strconv.FormatInt(int64(rec.Partition), 10))
		hb.Add(HeaderOffset, strconv.FormatInt(rec.Offset, 10))
		if rec.Key != nil {
			hb.Add(HeaderKey, string(rec.Key))
		}
		hb.Attach(&e)
		return e, nil
	}
	var e flume.Event
	if s.cfg.UseFlumeEventFormat {
		var err error
		if e, err = avroevent.Unmarshal(rec.Value); err != nil {
			return e, err
		}
	} else {
		e.Body = rec.Value
	}
	if _, ok := e.Header(HeaderTimestamp); !ok {
		e.SetHeader(HeaderTimestamp, strconv.FormatInt(rec.Timestamp.UnixMilli(), 10))
	}
	for flumeName, kafkaName := range s.cfg.HeaderMap {
		for _, h := range rec.Headers {
			if h.Key == kafkaName {
				e.SetHeader(flumeName, string(h.Value))
			}
		}
	}
	if s.cfg.SetTopicHeader {
		if _, ok := e.Header(s.cfg.TopicHeader); !ok {
			e.SetHeader(s.cfg.TopicHeader, rec.Topic)
		}
	}
	if _, ok := e.Header(HeaderPartition); !ok {
		e.SetHeader(HeaderPartition, strconv.FormatInt(int64(rec.Partition), 10))
	}
	if _, ok := e.Header(HeaderOffset); !ok {
		e.SetHeader(HeaderOffset, strconv.FormatInt(rec.Offset, 10))
	}
	if rec.Key != nil {
		e.SetHeader(HeaderKey, string(rec.Key))
	}
	return e, nil
}

// plainHeaders tells whether event may build a record's headers in one
// go: the value is the body (no Avro event brings headers of its own), no
// header.* mapping adds any, and the topic header is none of the others,
// so that each header is set once, in Flume's order.
func plainHeaders(c Config) bool {
	switch c.TopicHeader {
	case HeaderTimestamp, HeaderPartition, HeaderOffset, HeaderKey:
		return false
	}
	return !c.UseFlumeEventFormat && len(c.HeaderMap) == 0
}
