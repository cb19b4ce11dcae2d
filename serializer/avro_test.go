package serializer_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/serializer"
	"github.com/linkedin/goavro/v2"
)

// readContainer reads an avro_event file with goavro's reader and returns
// its events, its metadata and the number of datums per block.
func readContainer(t *testing.T, data []byte) ([]flume.Event, map[string][]byte, []int) {
	t.Helper()
	r, err := goavro.NewOCFReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var events []flume.Event
	var blocks []int
	var left int64 // datums left in the current block
	for r.Scan() {
		if left == 0 { // Scan loaded a new block
			blocks = append(blocks, int(r.RemainingBlockItems()))
		}
		rec, err := r.Read()
		left = r.RemainingBlockItems()
		if err != nil {
			t.Fatal(err)
		}
		m := rec.(map[string]any)
		e := flume.NewEvent(m["body"].([]byte))
		for k, v := range m["headers"].(map[string]any) {
			e.SetHeader(k, v.(string))
		}
		events = append(events, e)
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return events, r.MetaData(), blocks
}

func sameEvents(t *testing.T, got, want []flume.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Body, want[i].Body) || got[i].HeaderCount() != want[i].HeaderCount() {
			t.Fatalf("event %d: %q with %d headers, want %q with %d", i, got[i].Body, got[i].HeaderCount(), want[i].Body, want[i].HeaderCount())
		}
		for k, v := range want[i].AllHeaders() {
			if g, ok := got[i].Header(k); !ok || g != v {
				t.Fatalf("event %d: header %q = %q, want %q", i, k, g, v)
			}
		}
	}
}

func avroEvents(n int) []flume.Event {
	var out []flume.Event
	for i := range n {
		e := flume.NewEvent([]byte(fmt.Sprintf("event %d %s", i, strings.Repeat("x", i%7))))
		if i%3 != 0 {
			e.SetHeader("seq", fmt.Sprint(i))
			e.SetHeader("host", "web-1")
		}
		out = append(out, e)
	}
	return out
}

// TestAvroEventFile writes avro_event files with each codec Flume's Avro
// offers, reads them back with goavro, and checks the metadata and where
// blocks are cut: at each Flush (a sink's commit) and whenever the
// uncompressed block reaches syncIntervalBytes, as Java's DataFileWriter.
func TestAvroEventFile(t *testing.T) {
	for _, codec := range []string{"", "null", "deflate", "snappy"} {
		t.Run("codec="+codec, func(t *testing.T) {
			props := map[string]string{"sink.serializer": "avro_event", "sink.serializer.syncIntervalBytes": "200"}
			if codec != "" {
				props["sink.serializer.compressionCodec"] = codec
			}
			b, _, cfg := build(t, props)
			if u := cfg.Unused(); len(u) != 0 {
				t.Fatalf("unread keys %v", u)
			}
			var out bytes.Buffer
			s := b(&out)
			if err := s.AfterCreate(); err != nil {
				t.Fatal(err)
			}
			want := avroEvents(60)
			size, cut := 0, []int{}
			count := 0
			for i, e := range want {
				if err := s.Write(e); err != nil {
					t.Fatal(err)
				}
				size += avroevent.EncodedSize(e)
				count++
				if size >= 200 {
					cut, size, count = append(cut, count), 0, 0
				}
				if i == 4 || i == 40 { // two commits
					if err := s.Flush(); err != nil {
						t.Fatal(err)
					}
					if count > 0 {
						cut, size, count = append(cut, count), 0, 0
					}
				}
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			if count > 0 {
				cut = append(cut, count)
			}
			if err := s.BeforeClose(); err != nil {
				t.Fatal(err)
			}
			got, meta, blocks := readContainer(t, out.Bytes())
			sameEvents(t, got, want)
			if string(meta["avro.schema"]) != serializer.EventSchema {
				t.Fatalf("schema %q", meta["avro.schema"])
			}
			wantCodec := codec
			if codec == "" {
				wantCodec = "null" // Flume's default, written explicitly
			}
			if string(meta["avro.codec"]) != wantCodec {
				t.Fatalf("avro.codec %q, want %q", meta["avro.codec"], wantCodec)
			}
			if fmt.Sprint(blocks) != fmt.Sprint(cut) {
				t.Fatalf("blocks of %v datums, want %v", blocks, cut)
			}
		})
	}
}

func TestAvroEventConfig(t *testing.T) {
	for _, tc := range []struct {
		codec, interval string
		want            string // error substring; "" for a warning only
		unsupported     bool
	}{
		{codec: "bzip2", want: "bzip2 Avro codec", unsupported: true},
		{codec: "zstandard", want: "zstandard Avro codec", unsupported: true},
		{interval: "31", want: "syncIntervalBytes"},
		{interval: "1073741825", want: "syncIntervalBytes"},
		{interval: "2k", want: "syncIntervalBytes"},
		{codec: "Snappy"}, // Avro's names are case-sensitive: unknown, so uncompressed with a warning
		{codec: "gzip"},
	} {
		props := map[string]string{"sink.serializer": "avro_event"}
		if tc.codec != "" {
			props["sink.serializer.compressionCodec"] = tc.codec
		}
		if tc.interval != "" {
			props["sink.serializer.syncIntervalBytes"] = tc.interval
		}
		cfg := flume.ContextFromMap(props)
		b, _, err := serializer.FromConfig(flume.Settings{Registry: registry(t)}, cfg, "sink.serializer")
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, flume.ErrUnsupported) != tc.unsupported {
				t.Errorf("%v: err = %v", props, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", props, err)
			continue
		}
		var warned bool
		for _, p := range cfg.Problems() {
			warned = warned || p.Severity == flume.Warning && p.Key == "sink.serializer.compressionCodec"
		}
		if !warned {
			t.Errorf("%v: no warning about the codec: %v", props, cfg.Problems())
		}
		// No avro.codec entry: readers take the blocks as uncompressed.
		_, meta, _ := readContainer(t, serialize(t, b, avroEvents(3)...))
		if _, has := meta["avro.codec"]; has {
			t.Errorf("%v: avro.codec %q written for an unknown codec", props, meta["avro.codec"])
		}
	}
}

func TestAvroEventEmptyFile(t *testing.T) {
	b, _, _ := build(t, map[string]string{"sink.serializer": "avro_event"})
	got, _, blocks := readContainer(t, serialize(t, b))
	if len(got) != 0 || len(blocks) != 0 {
		t.Fatalf("%d events in %d blocks", len(got), len(blocks))
	}
}
