package avrorpc

import (
	"bytes"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

// TestLongRoundTrip checks the varint fast paths against the encoder on
// boundaries and random values.
func TestLongRoundTrip(t *testing.T) {
	vals := []int64{0, 1, -1, 2, 63, -64, 64, -65, 8191, -8192, 8192, -8193, math.MaxInt64, math.MinInt64, math.MaxInt32}
	for range 10000 {
		vals = append(vals, rand.Int64()>>rand.IntN(64))
	}
	for _, v := range vals {
		enc := appendLong(nil, v)
		got, rest, err := readLong(append(enc, 0xaa))
		if err != nil || got != v || len(rest) != 1 {
			t.Fatalf("%d: encoded % x, decoded %d rest %d err %v", v, enc, got, len(rest), err)
		}
	}
	for _, bad := range [][]byte{{}, {0x80}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}} {
		if _, _, err := readLong(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: %v", bad, err)
		}
	}
}

// TestAppendEventSorted: the sorted encoding does not depend on map order,
// has the size EncodedEventSize predicts and decodes back to the event.
func TestAppendEventSorted(t *testing.T) {
	e := flume.Event{Headers: map[string]string{}, Body: []byte("body")}
	for i := range 20 {
		e.Headers[string(rune('a'+i))] = strings.Repeat("v", i)
	}
	first, keys := AppendEventSorted(nil, e, nil)
	for range 10 {
		var again []byte
		again, keys = AppendEventSorted(nil, e, keys)
		if !bytes.Equal(again, first) {
			t.Fatal("two encodings of the same event differ")
		}
	}
	if len(first) != EncodedEventSize(e) {
		t.Fatalf("encoded %d bytes, EncodedEventSize says %d", len(first), EncodedEventSize(e))
	}
	back, rest, err := DecodeEvent(first)
	if err != nil || len(rest) != 0 || !maps.Equal(back.Headers, e.Headers) || !bytes.Equal(back.Body, e.Body) {
		t.Fatalf("decoded %v, %d bytes left, %v", back, len(rest), err)
	}
}
