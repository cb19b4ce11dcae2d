package avrorpc

import (
	"bytes"
	"testing"

	"github.com/flumego/flume/internal/loadevent"
)

// javaBuffers splits a request as Java's Requestor does: a small first
// buffer (handshake, metadata, message name), then the params in Avro's
// 8 KiB buffers, all full but the last.
func javaBuffers(header, params []byte) [][]byte {
	bufs := [][]byte{header}
	for len(params) > 0 {
		n := min(len(params), 8192)
		bufs = append(bufs, params[:n])
		params = params[n:]
	}
	return bufs
}

func appendBatchParams(events, headers int) []byte {
	return EncodeAppendBatch(loadevent.Batch(events, loadevent.Body(200), headers, 1))
}

// TestReadFrameSizesThePayload: however the sender splits a pack, the
// payload is the concatenation of its buffers, and a fresh payload has
// little unused capacity (the events decoded from it keep all of it
// alive): Java's layout gets room for the rest of the pack from its second
// buffer, and a pack whose later buffers are smaller than the estimate is
// copied down.
func TestReadFrameSizesThePayload(t *testing.T) {
	call := appendBatchParams(1000, 3)
	header, params := call[:20], call[20:]
	for _, tc := range []struct {
		name string
		bufs [][]byte
	}{
		{"one buffer", [][]byte{call}},
		{"java", javaBuffers(header, params)},
		{"shrinking buffers", [][]byte{header, params[:100000], params[100000:100100], params[100100:100200], params[100200:100300], params[100300:100400], params[100400:]}},
		{"growing buffers", [][]byte{header, params[:10], params[10:1000], params[1000:100000], params[100000:]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := AppendFrame(nil, 7, tc.bufs...)
			serial, payload, err := NewFrameReader(bytes.NewReader(frame), 0).ReadFrame(nil)
			if err != nil || serial != 7 || !bytes.Equal(payload, call) {
				t.Fatalf("serial %d, %d bytes, %v; want 7, the %d bytes sent", serial, len(payload), err, len(call))
			}
			if spare := cap(payload) - len(payload); spare > max(len(payload), 4<<10) || (tc.name == "java" && spare > 8192) {
				t.Fatalf("a payload of %d bytes has %d bytes of spare capacity", len(payload), spare)
			}
		})
	}
}

// BenchmarkReadFrame reads an appendBatch of 1000 events of 200 bytes with
// 3 headers split as Java splits it (8 KiB buffers) and as flumego's client
// sends it (one buffer). B/op is the allocation per pack: the payload, which
// the decoded events share, is its size at best.
func BenchmarkReadFrame(b *testing.B) {
	call := appendBatchParams(1000, 3)
	for _, tc := range []struct {
		name string
		bufs [][]byte
	}{
		{"java", javaBuffers(call[:20], call[20:])},
		{"one-buffer", [][]byte{call}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			frame := AppendFrame(nil, 1, tc.bufs...)
			r := bytes.NewReader(frame)
			fr := NewFrameReader(r, 0)
			b.SetBytes(int64(len(call)))
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(frame)
				if _, _, err := fr.ReadFrame(nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
