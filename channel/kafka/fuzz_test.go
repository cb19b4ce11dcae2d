package kafka

import (
	"bytes"
	"github.com/flumego/flume/internal/flumetest"
	"maps"
	"testing"
)

// FuzzValue: any record value either fails to decode or decodes to an event
// that the encoder writes back in one block, which decodes to the same
// event; decoding never panics and takes time linear in the value.
func FuzzValue(f *testing.F) {
	for _, v := range []string{"000231", "0006313031", "0406656e760874657374066b6579046b31000231"} {
		b := make([]byte, len(v)/2)
		for i := range b {
			var x byte
			for _, c := range v[2*i : 2*i+2] {
				x <<= 4
				if c >= 'a' {
					x |= byte(c-'a') + 10
				} else {
					x |= byte(c - '0')
				}
			}
			b[i] = x
		}
		f.Add(b)
	}
	f.Add([]byte{0x03, 0x0a, 0x02, 'a', 0x02, 'b', 0x00, 0x00}) // a negative block count with its byte size
	f.Fuzz(func(t *testing.T, value []byte) {
		e, err := decode(value)
		if err != nil {
			return
		}
		var enc encoder
		again, err := decode(enc.append(nil, e))
		if err != nil {
			t.Fatalf("re-encoded event does not decode: %v", err)
		}
		if !bytes.Equal(again.Body, e.Body) || !maps.Equal(flumetest.Headers(again), flumetest.Headers(e)) {
			t.Fatalf("round trip changed the event: %v %q -> %v %q", flumetest.Headers(e), e.Body, flumetest.Headers(again), again.Body)
		}
	})
}
