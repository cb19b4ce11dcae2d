package thrift

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// rawCall sends a frame on a new connection and returns the reply's
// message.
func rawCall(t *testing.T, s *Source, frame []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c, msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

func appendOK(t *testing.T, c *thriftrpc.Conn, evs ...flume.Event) {
	t.Helper()
	if st, err := c.AppendBatch(t.Context(), evs); err != nil || st != thriftrpc.OK {
		t.Fatalf("appendBatch: %v %v", st, err)
	}
}

// TestHalfFramesAreClosed (issue 19, finding 3): 500 connections that send
// half a frame and go silent are closed once request-read-timeout passes
// and counted as bad requests; the source holds no connection afterwards,
// and a client keeps being served throughout.
func TestHalfFramesAreClosed(t *testing.T) {
	const n = 500
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, map[string]string{"request-read-timeout": "300"}, flumetest.Processor(ch))
	good := dialSource(t, s, thriftrpc.Compact)
	appendOK(t, good, testEvents(0, 1)...)
	half := append(binary.BigEndian.AppendUint32(nil, 64), "0123456789"...) // 10 of 64 bytes
	conns := flumetest.Stalled(t, s.Addr().String(), n, half)
	cn := &s.counter
	flumetest.WaitFor(t, 30*time.Second, "the half frames' connections to be closed", func() bool {
		return cn.EventReadFail.Load() == n && cn.OpenConnectionCount.Load() == 1
	})
	for i, c := range conns {
		if !flumetest.ClosedByPeer(t, c) {
			t.Fatalf("connection %d is still open", i)
		}
	}
	appendOK(t, good, testEvents(1, 2)...)
	flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 2))
}

// TestIdleConnectionOutlivesRequestTimeout: a client idle between calls
// for longer than request-read-timeout keeps its connection.
func TestIdleConnectionOutlivesRequestTimeout(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, map[string]string{"request-read-timeout": "200"}, flumetest.Processor(ch))
	c := dialSource(t, s, thriftrpc.Compact)
	appendOK(t, c, testEvents(0, 1)...)
	time.Sleep(600 * time.Millisecond) // the point of the test: idle for 3 timeouts
	appendOK(t, c, testEvents(1, 2)...)
	if got := s.counter.EventReadFail.Load(); got != 0 {
		t.Fatalf("EventReadFail = %d", got)
	}
}

// TestMaxConnections: connections over max-connections are refused and
// counted; the open ones keep working, and a freed slot is reused.
func TestMaxConnections(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, map[string]string{"max-connections": "2"}, flumetest.Processor(ch))
	a, b := dialSource(t, s, thriftrpc.Compact), dialSource(t, s, thriftrpc.Compact)
	appendOK(t, a, testEvents(0, 1)...)
	appendOK(t, b, testEvents(1, 2)...)
	extra := dialSource(t, s, thriftrpc.Compact)
	if st, err := extra.AppendBatch(t.Context(), testEvents(9, 10)); err == nil {
		t.Fatalf("a third connection was served: %v", st)
	}
	cn := &s.counter
	if cn.ConnectionRefusedCount.Load() != 1 || cn.OpenConnectionCount.Load() != 2 {
		t.Fatalf("counters %+v", cn.Attributes())
	}
	appendOK(t, a, testEvents(2, 3)...)
	appendOK(t, b, testEvents(3, 4)...)
	_ = a.Close()
	flumetest.WaitFor(t, 10*time.Second, "a's slot to free", func() bool { return cn.OpenConnectionCount.Load() == 1 })
	appendOK(t, dialSource(t, s, thriftrpc.Compact), testEvents(4, 5)...)
	flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 5))
}

// TestOversizedBatchNotDecoded: as the avro source, a batch over the
// channel's transactionCapacity is answered FAILED from its list header
// alone, before its events are decoded (here the last one is garbage), and
// counted as Flume counts a batch its channel refused.
func TestOversizedBatchNotDecoded(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 10, 50*time.Millisecond)
	s := startSource(t, nil, flumetest.Processor(ch))
	codec := thriftrpc.NewCodec(thriftrpc.Compact, 0)
	frame, err := codec.EncodeCall(thriftrpc.MethodAppendBatch, 7, testEvents(0, 11))
	if err != nil {
		t.Fatal(err)
	}
	frame = append([]byte(nil), frame...)
	for i := len(frame) - 12; i < len(frame); i++ {
		frame[i] = 0xff // garbage where the last event ends
	}
	msg := rawCall(t, s, frame)
	r, err := codec.DecodeReply(msg)
	if err != nil || r.Status != thriftrpc.Failed || r.SeqID != 7 {
		t.Fatalf("reply %+v, %v; want FAILED to call 7", r, err)
	}
	if ch.Len() != 0 {
		t.Fatalf("channel holds %d events", ch.Len())
	}
	cn := &s.counter
	if cn.AppendBatchReceivedCount.Load() != 1 || cn.EventReceivedCount.Load() != 11 || cn.ChannelWriteFail.Load() != 1 ||
		cn.EventAcceptedCount.Load() != 0 || cn.EventReadFail.Load() != 0 {
		t.Fatalf("counters: %+v", cn.Attributes())
	}
}

// TestUndecodableCallIsEventReadFail: a call that cannot be decoded is
// answered with an exception and counted as EventReadFail only.
func TestUndecodableCallIsEventReadFail(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, nil, flumetest.Processor(ch))
	codec := thriftrpc.NewCodec(thriftrpc.Compact, 0)
	frame, err := codec.EncodeCall(thriftrpc.MethodAppendBatch, 3, testEvents(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	cut := frame[4 : len(frame)-6] // the call, cut inside its last event
	frame = append(binary.BigEndian.AppendUint32(nil, uint32(len(cut))), cut...)
	msg := rawCall(t, s, frame)
	if _, err := codec.DecodeReply(msg); err == nil {
		t.Fatal("an undecodable call was answered with a status")
	}
	cn := &s.counter
	if cn.EventReadFail.Load() != 1 || cn.AppendBatchReceivedCount.Load() != 0 || cn.EventReceivedCount.Load() != 0 {
		t.Fatalf("counters %+v", cn.Attributes())
	}
}

// TestStopDrainsCallsInProgress: Stop lets a call in progress commit and
// answer OK; when Stop's context ends first the call is aborted, its
// client gets no OK, and Stop says so.
func TestStopDrainsCallsInProgress(t *testing.T) {
	for _, expire := range []bool{false, true} {
		ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
		proc := flumetest.Gate(flumetest.Processor(ch))
		src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), proc)
		if err != nil {
			t.Fatal(err)
		}
		s := src.(*Source)
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		c := dialSource(t, s, thriftrpc.Compact)
		answered := make(chan error, 1)
		go func() {
			st, err := c.AppendBatch(context.Background(), testEvents(0, 1))
			if err == nil && st != thriftrpc.OK {
				err = errors.New(st.String())
			}
			answered <- err
		}()
		<-proc.Entered
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- s.Stop(ctx) }()
		if expire {
			cancel()
			if err := <-stopped; !errors.Is(err, context.Canceled) {
				t.Fatalf("Stop with an ended context = %v", err)
			}
			if err := <-answered; err == nil {
				t.Fatal("an aborted call was answered OK")
			}
			if ch.Len() != 0 {
				t.Fatal("the aborted call's event was committed")
			}
			continue
		}
		close(proc.Release)
		if err := <-answered; err != nil {
			t.Fatalf("the call in progress: %v", err)
		}
		if err := <-stopped; err != nil {
			t.Fatalf("Stop: %v", err)
		}
		cancel()
		flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 1))
	}
}
