package avroevent

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/avrobin"
	"github.com/flumego/flume/internal/flumetest"
)

// TestAppendEventSorted: the sorted encoding does not depend on the order
// the headers were set in, has the size EncodedSize predicts and decodes
// back to the event.
func TestAppendEventSorted(t *testing.T) {
	e, reversed := flume.NewEvent([]byte("body")), flume.NewEvent([]byte("body"))
	for i := range 20 {
		e.SetHeader(string(rune('a'+i)), strings.Repeat("v", i))
		reversed.SetHeader(string(rune('a'+19-i)), strings.Repeat("v", 19-i))
	}
	first, scratch := AppendEventSorted(nil, e, nil)
	for range 10 {
		var again []byte
		again, scratch = AppendEventSorted(nil, reversed, scratch)
		if !bytes.Equal(again, first) {
			t.Fatal("the encodings of the same headers set in different orders differ")
		}
	}
	if len(first) != EncodedSize(e) {
		t.Fatalf("encoded %d bytes, EncodedSize says %d", len(first), EncodedSize(e))
	}
	back, rest, err := DecodeEvent(first)
	if err != nil || len(rest) != 0 || !maps.Equal(flumetest.Headers(back), flumetest.Headers(e)) || !bytes.Equal(back.Body, e.Body) {
		t.Fatalf("decoded %v, %d bytes left, %v", back, len(rest), err)
	}
}

// FuzzEventDecoder: batches decode or fail cleanly; what decodes
// round-trips through the encoder.
func FuzzEventDecoder(f *testing.F) {
	f.Add(AppendEvents(nil, []flume.Event{flumetest.Event("hi", "a", "b"), {Body: nil}}))
	f.Add(AppendEvent(nil, flume.Event{Body: []byte("x")}))
	f.Add([]byte{0x01, 0x02, 0x00, 0x00}) // negative block count with a size
	f.Add([]byte{0xfe, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, rest, err := DecodeEvents(data, nil, 0)
		if err != nil {
			if !errors.Is(err, avrobin.ErrMalformed) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		enc := AppendEvents(nil, evs)
		again, rest2, err := DecodeEvents(enc, nil, 0)
		if err != nil || len(rest2) != 0 || len(again) != len(evs) {
			t.Fatalf("re-decoding: %v (%d vs %d events)", err, len(again), len(evs))
		}
		for i := range evs {
			if !bytes.Equal(evs[i].Body, again[i].Body) || evs[i].HeaderCount() != again[i].HeaderCount() {
				t.Fatalf("event %d changed in the round trip", i)
			}
		}
		_ = rest
	})
}
