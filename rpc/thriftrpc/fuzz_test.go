package thriftrpc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/flumego/flume"
)

// fuzzSeeds are messages (without frame length) of every shape the
// decoder meets: the reference's golden calls, batches from our encoder,
// replies, exceptions and junk.
func fuzzSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, g := range golden {
		out = append(out, unhex(t, g.call)[4:], unhex(t, g.reply)[4:])
	}
	for _, p := range []Protocol{Compact, Binary} {
		c := NewCodec(p, 0)
		for _, evs := range [][]flume.Event{sampleEvents(3), nil, {{}}} {
			f, err := c.EncodeCall(MethodAppendBatch, 2, evs)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, bytes.Clone(f[4:]))
		}
		out = append(out, bytes.Clone(c.EncodeException(MethodAppend, 1, 6, "Internal error processing append")[4:]))
	}
	return append(out, nil, []byte("GET / HTTP/1.1\r\n"), []byte{0x82, 0x21, 0xff, 0xff, 0xff, 0xff, 0x0f})
}

// FuzzDecodeCall feeds arbitrary messages to the server's decoder in both
// protocols. It must never panic nor allocate without bound; whatever it
// accepts must survive a round trip unchanged.
func FuzzDecodeCall(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	codecs := []*Codec{NewCodec(Compact, 1<<16), NewCodec(Binary, 1<<16)}
	f.Fuzz(func(t *testing.T, msg []byte) {
		for _, c := range codecs {
			call, err := c.DecodeCall(msg)
			if err != nil {
				if call.Events != nil {
					t.Fatal("events returned with an error")
				}
				c.DecodeReply(msg) // the client's decoder must not panic either
				continue
			}
			if call.Method != MethodAppend && call.Method != MethodAppendBatch {
				t.Fatalf("accepted method %q", call.Method)
			}
			frame, err := c.EncodeCall(call.Method, call.SeqID, call.Events)
			if err != nil {
				// Re-encoding can only grow a message by map-header
				// normalisation; anything else is a bug.
				if len(msg) < c.MaxFrameSize()/2 {
					t.Fatalf("re-encoding an accepted call failed: %v", err)
				}
				continue
			}
			again, err := c.DecodeCall(frame[4:])
			if err != nil {
				t.Fatalf("re-encoded call does not decode: %v", err)
			}
			if again.Method != call.Method || again.SeqID != call.SeqID || !sameEvents(again.Events, call.Events) {
				t.Fatalf("round trip changed the call: %+v -> %+v", call, again)
			}
		}
	})
}

// FuzzFrames feeds an arbitrary byte stream, in chunks of arbitrary sizes,
// to the frame reader and decoder as a server connection does: it must end
// with a clean error (never a panic, never a frame above the limit).
func FuzzFrames(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		framed := binary.BigEndian.AppendUint32(nil, uint32(len(s)))
		f.Add(append(framed, s...), uint8(1))
		f.Add(append(append([]byte(nil), framed...), append(s, framed...)...), uint8(3))
	}
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		const max = 4096
		fr := newFrameReader(&chunkReader{b: stream, n: int(chunk)%7 + 1}, max)
		c := NewCodec(Compact, max)
		for range 1000 {
			msg, err := fr.readFrame()
			if err != nil {
				var fe *FrameError
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &fe) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if len(msg) == 0 || len(msg) > max {
				t.Fatalf("frame of %d bytes accepted", len(msg))
			}
			_, _ = c.DecodeCall(msg)
		}
	})
}

// chunkReader returns at most n bytes per Read, to exercise partial reads.
type chunkReader struct {
	b []byte
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[n:]
	return n, nil
}
