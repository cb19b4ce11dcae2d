package thriftrpc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The byte sequences of the Flume reference (§3.2.3 and §3.2.4): what Java
// Flume's ThriftRpcClient sends for append({"a":"b"}, "hi") with seqid 1,
// and what its source answers.
var golden = []struct {
	proto        Protocol
	call, reply  string
	replyFailed  string
	replyMessage string
}{
	{
		proto:       Compact,
		call:        `00 00 00 18  82 21 01 06 61 70 70 65 6e 64  1c  1b 01 88 01 61 01 62  18 02 68 69  00  00`,
		reply:       `00 00 00 0e  82 41 01 06 61 70 70 65 6e 64  05 00 00  00`,
		replyFailed: `00 00 00 0e  82 41 01 06 61 70 70 65 6e 64  05 00 02  00`,
	},
	{
		proto: Binary,
		call: `00 00 00 33  80 01 00 01  00 00 00 06 61 70 70 65 6e 64  00 00 00 01
			0c 00 01
			0d 00 01 0b 0b 00 00 00 01  00 00 00 01 61  00 00 00 01 62
			0b 00 02 00 00 00 02 68 69
			00
			00`,
		reply:       `00 00 00 1a  80 01 00 02  00 00 00 06 61 70 70 65 6e 64  00 00 00 01  08 00 00 00 00 00 00  00`,
		replyFailed: `00 00 00 1a  80 01 00 02  00 00 00 06 61 70 70 65 6e 64  00 00 00 01  08 00 00 00 00 00 01  00`,
	},
}

func TestGoldenBytes(t *testing.T) {
	for _, g := range golden {
		t.Run(g.proto.String(), func(t *testing.T) {
			c := NewCodec(g.proto, 0)
			e := flumetest.Event("hi", "a", "b")
			frame, err := c.EncodeCall(MethodAppend, 1, []flume.Event{e})
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, g.call); !bytes.Equal(frame, want) {
				t.Fatalf("append frame\n got % x\nwant % x", frame, want)
			}
			call, err := c.DecodeCall(unhex(t, g.call)[4:])
			if err != nil {
				t.Fatal(err)
			}
			if call.Method != MethodAppend || call.SeqID != 1 || !sameEvents(call.Events, []flume.Event{e}) {
				t.Fatalf("decoded %+v", call)
			}
			if got, want := c.EncodeReply(MethodAppend, 1, OK), unhex(t, g.reply); !bytes.Equal(got, want) {
				t.Fatalf("OK reply\n got % x\nwant % x", got, want)
			}
			if got, want := c.EncodeReply(MethodAppend, 1, Failed), unhex(t, g.replyFailed); !bytes.Equal(got, want) {
				t.Fatalf("FAILED reply\n got % x\nwant % x", got, want)
			}
			r, err := c.DecodeReply(unhex(t, g.replyFailed)[4:])
			if err != nil || r != (Reply{Method: MethodAppend, SeqID: 1, Status: Failed}) {
				t.Fatalf("decoded reply %+v, %v", r, err)
			}
		})
	}
}

// The reference's appendBatch of two events starts with "19 2c": field 1,
// a list of 2 structs.
func TestCompactAppendBatchHeader(t *testing.T) {
	c := NewCodec(Compact, 0)
	frame, err := c.EncodeCall(MethodAppendBatch, 1, []flume.Event{{Body: []byte("x")}, {Body: []byte("y")}})
	if err != nil {
		t.Fatal(err)
	}
	prefix := unhex(t, "82 21 01 0b 61 70 70 65 6e 64 42 61 74 63 68 19 2c")
	if !bytes.HasPrefix(frame[4:], prefix) {
		t.Fatalf("appendBatch frame % x does not start with % x", frame[4:], prefix)
	}
}

func sampleEvents(n int) []flume.Event {
	evs := make([]flume.Event, n)
	for i := range evs {
		evs[i] = flume.Event{Body: []byte(fmt.Sprintf("event %d \x00\xff", i))}
		if i%3 != 0 {
			evs[i] = flumetest.EventWithHeaders(evs[i].Body, map[string]string{"seq": fmt.Sprint(i), "State": "CA", "ünïcode": "✓"})
		}
	}
	evs = append(evs, flume.Event{Body: nil}, flumetest.EventWithHeaders(bytes.Repeat([]byte("z"), 5000), map[string]string{"": ""}))
	return evs
}

// sameEvents reports whether a and b hold the same events in the same
// order, ignoring what a round trip cannot preserve: nil and empty bodies
// are the same, and so is the order of headers.
func sameEvents(a, b []flume.Event) bool {
	return slices.EqualFunc(a, b, flumetest.SameEvent)
}

func TestRoundTrip(t *testing.T) {
	for _, p := range []Protocol{Compact, Binary} {
		t.Run(p.String(), func(t *testing.T) {
			c := NewCodec(p, 0)
			evs := sampleEvents(40)
			frame, err := c.EncodeCall(MethodAppendBatch, 77, evs)
			if err != nil {
				t.Fatal(err)
			}
			call, err := c.DecodeCall(frame[4:])
			if err != nil {
				t.Fatal(err)
			}
			if call.Method != MethodAppendBatch || call.SeqID != 77 {
				t.Fatalf("header %q %d", call.Method, call.SeqID)
			}
			if !sameEvents(call.Events, evs) {
				t.Fatalf("events differ after a round trip")
			}
			// Decoded events share no memory with the frame.
			for i := range frame {
				frame[i] = 0xAA
			}
			if !sameEvents(call.Events, evs) {
				t.Fatalf("decoded events alias the frame")
			}
		})
	}
}

func TestEncodeRefusesOversizedBatch(t *testing.T) {
	c := NewCodec(Compact, 1024)
	_, err := c.EncodeCall(MethodAppendBatch, 1, []flume.Event{{Body: make([]byte, 2000)}})
	if !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.EncodeCall(MethodAppend, 1, nil); err == nil {
		t.Fatal("append without an event was encoded")
	}
}

// encodeRaw builds a message with the thrift library's own protocol, for
// shapes our encoder never produces.
func encodeRaw(t testing.TB, p Protocol, write func(tp thrift.TProtocol)) []byte {
	t.Helper()
	var tr memTransport
	tp := newProtocol(p, &tr, &thrift.TConfiguration{})
	write(tp)
	return tr.w
}

func TestDecodeRejects(t *testing.T) {
	ctx := t.Context()
	for _, p := range []Protocol{Compact, Binary} {
		c := NewCodec(p, 0)
		cases := []struct {
			name        string
			write       func(tp thrift.TProtocol)
			replyable   bool
			wantErrText string
		}{
			{"missing body", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, MethodAppend, thrift.CALL, 3)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldBegin(ctx, "", thrift.STRUCT, 1)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldBegin(ctx, "", thrift.MAP, 1)
				_ = tp.WriteMapBegin(ctx, thrift.STRING, thrift.STRING, 0)
				_ = tp.WriteFieldStop(ctx)
				_ = tp.WriteFieldStop(ctx)
			}, true, "'body'"},
			{"missing event", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, MethodAppend, thrift.CALL, 3)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldStop(ctx)
			}, true, "'event'"},
			{"missing events", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, MethodAppendBatch, thrift.CALL, 3)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldBegin(ctx, "", thrift.I32, 1) // wrong type: skipped
				_ = tp.WriteI32(ctx, 5)
				_ = tp.WriteFieldStop(ctx)
			}, true, "'events'"},
			{"headers not strings", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, MethodAppendBatch, thrift.CALL, 3)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldBegin(ctx, "", thrift.LIST, 1)
				_ = tp.WriteListBegin(ctx, thrift.STRUCT, 1)
				_ = tp.WriteFieldBegin(ctx, "", thrift.MAP, 1)
				_ = tp.WriteMapBegin(ctx, thrift.I32, thrift.I32, 1)
				_ = tp.WriteI32(ctx, 1)
				_ = tp.WriteI32(ctx, 2)
			}, true, "map<string,string>"},
			{"unknown method", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, "getStatus", thrift.CALL, 9)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldStop(ctx)
			}, true, "unknown method"},
			{"a reply instead of a call", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, MethodAppend, thrift.REPLY, 9)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldStop(ctx)
			}, false, "not CALL"},
			{"truncated", func(tp thrift.TProtocol) {
				_ = tp.WriteMessageBegin(ctx, MethodAppendBatch, thrift.CALL, 3)
				_ = tp.WriteStructBegin(ctx, "")
				_ = tp.WriteFieldBegin(ctx, "", thrift.LIST, 1)
				_ = tp.WriteListBegin(ctx, thrift.STRUCT, 1000)
			}, true, ""},
		}
		for _, tc := range cases {
			t.Run(p.String()+"/"+tc.name, func(t *testing.T) {
				call, err := c.DecodeCall(encodeRaw(t, p, tc.write))
				if err == nil {
					t.Fatalf("decoded %+v", call)
				}
				if (call.Method != "") != tc.replyable {
					t.Fatalf("replyable = %v, want %v (err %v)", call.Method != "", tc.replyable, err)
				}
				if !strings.Contains(err.Error(), tc.wantErrText) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErrText)
				}
				if call.Events != nil {
					t.Fatal("events returned with an error")
				}
			})
		}
	}
}

// TestDecodeHeadersAsJava: a header name the map carries twice keeps its
// last value (Java's HashMap), a headers field sent twice keeps the last
// map, fields the IDL does not define are skipped, and an event with
// 100,000 headers decodes in linear time.
func TestDecodeHeadersAsJava(t *testing.T) {
	ctx := t.Context()
	const many = 100_000
	for _, p := range []Protocol{Compact, Binary} {
		msg := encodeRaw(t, p, func(tp thrift.TProtocol) {
			headers := func(kv ...string) {
				_ = tp.WriteFieldBegin(ctx, "", thrift.MAP, 1)
				_ = tp.WriteMapBegin(ctx, thrift.STRING, thrift.STRING, len(kv)/2)
				for _, s := range kv {
					_ = tp.WriteString(ctx, s)
				}
			}
			body := func(b string) {
				_ = tp.WriteFieldBegin(ctx, "", thrift.STRING, 2)
				_ = tp.WriteBinary(ctx, []byte(b))
			}
			_ = tp.WriteMessageBegin(ctx, MethodAppendBatch, thrift.CALL, 3)
			_ = tp.WriteStructBegin(ctx, "")
			_ = tp.WriteFieldBegin(ctx, "", thrift.LIST, 1)
			_ = tp.WriteListBegin(ctx, thrift.STRUCT, 3)
			// 1: duplicates and unknown fields of every kind around them.
			_ = tp.WriteStructBegin(ctx, "")
			_ = tp.WriteFieldBegin(ctx, "", thrift.BOOL, 7)
			_ = tp.WriteBool(ctx, true)
			headers("a", "1", "b", "2", "a", "3")
			_ = tp.WriteFieldBegin(ctx, "", thrift.STRUCT, 20) // a long field id delta
			_ = tp.WriteStructBegin(ctx, "")
			_ = tp.WriteFieldBegin(ctx, "", thrift.STRING, 1)
			_ = tp.WriteString(ctx, "nested")
			_ = tp.WriteFieldStop(ctx)
			_ = tp.WriteFieldBegin(ctx, "", thrift.LIST, 21)
			_ = tp.WriteListBegin(ctx, thrift.I32, 2)
			_ = tp.WriteI32(ctx, 1)
			_ = tp.WriteI32(ctx, 2)
			body("x")
			_ = tp.WriteFieldBegin(ctx, "", thrift.BOOL, 22)
			_ = tp.WriteBool(ctx, false)
			_ = tp.WriteFieldStop(ctx)
			// 2: two headers fields and two bodies: the last ones count.
			_ = tp.WriteStructBegin(ctx, "")
			headers("old", "1")
			body("old")
			headers("new", "2", "new", "3")
			body("y")
			_ = tp.WriteFieldStop(ctx)
			// 3: many headers, half of them repeated.
			_ = tp.WriteStructBegin(ctx, "")
			kv := make([]string, 0, 2*many)
			for i := range many {
				kv = append(kv, strconv.Itoa(i%(many/2)), strconv.Itoa(i))
			}
			headers(kv...)
			body("z")
			_ = tp.WriteFieldStop(ctx)
			_ = tp.WriteFieldStop(ctx)
		})
		c := NewCodec(p, 0)
		call, err := c.DecodeCall(msg)
		if err != nil {
			t.Fatalf("%v: %v", p, err)
		}
		if len(call.Events) != 3 {
			t.Fatalf("%v: %d events", p, len(call.Events))
		}
		e := call.Events
		var order []string
		for k := range e[0].AllHeaders() {
			order = append(order, k)
		}
		if h := flumetest.Headers(e[0]); string(e[0].Body) != "x" || h["a"] != "3" || h["b"] != "2" || !slices.Equal(order, []string{"a", "b"}) {
			t.Errorf("%v: event 1: %v (order %v) %q", p, h, order, e[0].Body)
		}
		if h := flumetest.Headers(e[1]); string(e[1].Body) != "y" || len(h) != 1 || h["new"] != "3" {
			t.Errorf("%v: event 2: %v %q", p, h, e[1].Body)
		}
		if v, _ := e[2].Header("7"); e[2].HeaderCount() != many/2 || v != strconv.Itoa(many/2+7) || string(e[2].Body) != "z" {
			t.Errorf("%v: event 3: %d headers, header 7 = %q", p, e[2].HeaderCount(), v)
		}
		msg[len(msg)/2] ^= 0xff // the events share no memory with the frame
		if v, _ := e[0].Header("a"); v != "3" || string(e[1].Body) != "y" {
			t.Errorf("%v: events changed with the frame", p)
		}
	}
}

func TestDecodeReplyException(t *testing.T) {
	for _, p := range []Protocol{Compact, Binary} {
		c := NewCodec(p, 0)
		frame := c.EncodeException(MethodAppendBatch, 4, thrift.INTERNAL_ERROR, "Internal error processing appendBatch")
		r, err := c.DecodeReply(frame[4:])
		var appErr thrift.TApplicationException
		if !errors.As(err, &appErr) || appErr.TypeId() != thrift.INTERNAL_ERROR || appErr.Error() != "Internal error processing appendBatch" {
			t.Fatalf("%v: err = %v", p, err)
		}
		if r.SeqID != 4 || r.Method != MethodAppendBatch {
			t.Fatalf("%v: reply %+v", p, r)
		}
	}
}

// A length that claims more elements than the frame holds is refused
// before anything is allocated for them.
func TestDecodeBoundsCounts(t *testing.T) {
	ctx := t.Context()
	for _, p := range []Protocol{Compact, Binary} {
		c := NewCodec(p, 0)
		msg := encodeRaw(t, p, func(tp thrift.TProtocol) {
			_ = tp.WriteMessageBegin(ctx, MethodAppendBatch, thrift.CALL, 3)
			_ = tp.WriteStructBegin(ctx, "")
			_ = tp.WriteFieldBegin(ctx, "", thrift.LIST, 1)
			_ = tp.WriteListBegin(ctx, thrift.STRUCT, 1<<30)
		})
		allocs := testing.AllocsPerRun(10, func() {
			if _, err := c.DecodeCall(msg); err == nil {
				t.Fatal("a list of 2^30 events in a few bytes was accepted")
			}
		})
		if allocs > 20 {
			t.Fatalf("%v: %v allocations to refuse a bogus count", p, allocs)
		}
	}
}
