package avrobin

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestLongRoundTrip checks the varint fast paths against the encoder on
// boundaries and random values.
func TestLongRoundTrip(t *testing.T) {
	vals := []int64{0, 1, -1, 2, 63, -64, 64, -65, 8191, -8192, 8192, -8193, math.MaxInt64, math.MinInt64, math.MaxInt32}
	for range 10000 {
		vals = append(vals, rand.Int64()>>rand.IntN(64))
	}
	for _, v := range vals {
		enc := AppendLong(nil, v)
		got, rest, err := ReadLong(append(enc, 0xaa))
		if err != nil || got != v || len(rest) != 1 {
			t.Fatalf("%d: encoded % x, decoded %d rest %d err %v", v, enc, got, len(rest), err)
		}
	}
	for _, bad := range [][]byte{{}, {0x80}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}} {
		if _, _, err := ReadLong(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: %v", bad, err)
		}
	}
}
