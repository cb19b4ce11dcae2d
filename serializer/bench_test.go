package serializer_test

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/serializer"
	"github.com/linkedin/goavro/v2"
)

func benchEvents() []flume.Event {
	var out []flume.Event
	body := []byte(strings.Repeat("x", 100))
	for i := range 100 {
		e := flume.NewEvent(body)
		e.SetHeader("timestamp", strconv.Itoa(1700000000000+i))
		e.SetHeader("host", "web-1")
		out = append(out, e)
	}
	return out
}

// BenchmarkSerializers writes batches of 100 events (100-byte body, two
// headers) and flushes after each, as a sink does per commit. goavro-maps
// is how file_roll wrote avro_event before: a map[string]any per event
// handed to goavro's container writer.
func BenchmarkSerializers(b *testing.B) {
	events := benchEvents()
	for _, typ := range []string{"text", "header_and_text", "avro_event"} {
		b.Run(typ, func(b *testing.B) {
			bld, _, _ := build(b, map[string]string{"sink.serializer": typ})
			s := bld(io.Discard)
			if err := s.AfterCreate(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, e := range events {
					if err := s.Write(e); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
		})
	}
	b.Run("goavro-maps", func(b *testing.B) {
		w, err := goavro.NewOCFWriter(goavro.OCFConfig{W: io.Discard, Schema: serializer.EventSchema})
		if err != nil {
			b.Fatal(err)
		}
		var pending []any
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range events {
				headers := make(map[string]any, e.HeaderCount())
				for k, v := range e.AllHeaders() {
					headers[k] = v
				}
				pending = append(pending, map[string]any{"headers": headers, "body": e.Body})
			}
			if err := w.Append(pending); err != nil {
				b.Fatal(err)
			}
			pending = pending[:0]
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	})
}
