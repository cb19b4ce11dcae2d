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
// The event shares the record's memory, which kgo never reuses.
func (s *Source) event(rec *kgo.Record) (flume.Event, error) {
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
