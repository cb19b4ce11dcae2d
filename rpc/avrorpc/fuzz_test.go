package avrorpc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

func javaRequest(f *testing.F) []byte {
	data := `00 00 00 01 00 00 00 02 00 00 00 2b
86 aa da e2 c4 54 74 c0 fe 93 ff d0 f2 35 0a 65 00
86 aa da e2 c4 54 74 c0 fe 93 ff d0 f2 35 0a 65 02 00 00 0c 61 70 70 65 6e 64
00 00 00 09 02 02 61 02 62 00 04 68 69`
	b, err := hex.DecodeString(strings.Join(strings.Fields(data), ""))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzFrameDecoder: any byte stream yields packs or a clean error, never a
// panic or a payload over the limit.
func FuzzFrameDecoder(f *testing.F) {
	f.Add(javaRequest(f))
	f.Add(AppendFrame(nil, 2, EncodeAppendBatch([]flume.Event{{Body: []byte("x")}})))
	f.Add(AppendFrame(nil, 3, nil, []byte{}, []byte{1, 2, 3}))
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFrameReader(bytes.NewReader(data), 1<<16)
		for {
			_, p, err := fr.ReadFrame(nil)
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, ErrFrame) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				return
			}
			if len(p) > 1<<16 {
				t.Fatalf("payload of %d bytes over the limit", len(p))
			}
		}
	})
}

// FuzzHandshakeDecoder: requests and responses decode or fail cleanly, and
// what decodes re-encodes to the same bytes.
func FuzzHandshakeDecoder(f *testing.F) {
	req, _ := AppendHandshakeRequest(nil, HandshakeRequest{ClientHash: ProtocolHash, ServerHash: ProtocolHash, Meta: map[string][]byte{}})
	text := "{}"
	req2, _ := AppendHandshakeRequest(nil, HandshakeRequest{ClientHash: ProtocolHash, ClientProtocol: &text, Meta: map[string][]byte{"a": {1}}})
	h := ProtocolHash
	resp, _ := AppendHandshakeResponse(nil, HandshakeResponse{Match: MatchClient, ServerProtocol: &text, ServerHash: &h})
	f.Add(req)
	f.Add(req2)
	f.Add(resp)
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, rest, err := DecodeHandshakeRequest(data); err == nil {
			_ = rest
			again, err := AppendHandshakeRequest(nil, r)
			if err != nil {
				t.Fatal(err)
			}
			r2, rest2, err := DecodeHandshakeRequest(again)
			if err != nil || len(rest2) != 0 || describeReq(r2) != describeReq(r) {
				t.Fatalf("request %+v round-trips to %+v (%v)", r, r2, err)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if r, rest, err := DecodeHandshakeResponse(data); err == nil {
			_ = rest
			again, err := AppendHandshakeResponse(nil, r)
			if err != nil {
				t.Fatal(err)
			}
			r2, rest2, err := DecodeHandshakeResponse(again)
			if err != nil || len(rest2) != 0 || r2.Match != r.Match || fmt.Sprint(r2.ServerHash) != fmt.Sprint(r.ServerHash) ||
				deref(r2.ServerProtocol) != deref(r.ServerProtocol) || fmt.Sprint(r2.Meta) != fmt.Sprint(r.Meta) {
				t.Fatalf("response %+v round-trips to %+v (%v)", r, r2, err)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return "=" + *s
}

func describeReq(r HandshakeRequest) string {
	return fmt.Sprint(r.ClientHash, deref(r.ClientProtocol), r.ServerHash, r.Meta, r.Meta == nil)
}
