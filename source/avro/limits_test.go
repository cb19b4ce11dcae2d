package avro

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/rpc/avrorpc"
)

func dialAvro(t *testing.T, s *Source) *avrorpc.Conn {
	t.Helper()
	c, err := avrorpc.Dial(context.Background(), s.Addr().String(), avrorpc.ClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func appendOK(t *testing.T, c *avrorpc.Conn, what string) {
	t.Helper()
	if st, err := c.Append(context.Background(), flume.Event{Body: []byte(what)}); err != nil || st != avrorpc.OK {
		t.Fatalf("%s: answered %v, %v", what, st, err)
	}
}

// TestHalfFramesAreClosed (issue 19, finding 3): 500 connections that send
// half a Netty frame and go silent are closed once request-read-timeout
// passes and counted as bad requests; the source holds no connection
// afterwards, and a client keeps being served throughout.
func TestHalfFramesAreClosed(t *testing.T) {
	const n = 500
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, ch, map[string]string{"request-read-timeout": "300"})
	good := dialAvro(t, s)
	appendOK(t, good, "before")
	half := binary.BigEndian.AppendUint32(nil, 1)  // serial
	half = binary.BigEndian.AppendUint32(half, 1)  // one buffer
	half = binary.BigEndian.AppendUint32(half, 64) // of 64 bytes, of which 10 come
	half = append(half, "0123456789"...)
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
	appendOK(t, good, "after")
	if cn.AppendReceivedCount.Load() != 2 || cn.AppendAcceptedCount.Load() != 2 {
		t.Fatalf("counters %+v", cn.Attributes())
	}
}

// TestIdleConnectionOutlivesRequestTimeout: a client idle between calls
// for longer than request-read-timeout keeps its connection.
func TestIdleConnectionOutlivesRequestTimeout(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, ch, map[string]string{"request-read-timeout": "200"})
	c := dialAvro(t, s)
	appendOK(t, c, "first")
	time.Sleep(600 * time.Millisecond) // the point of the test: idle for 3 timeouts
	appendOK(t, c, "after a pause")
	if got := s.counter.EventReadFail.Load(); got != 0 {
		t.Fatalf("EventReadFail = %d", got)
	}
}

// TestMaxConnections: connections over max-connections are refused and
// counted; the open ones keep working, and a freed slot is reused.
func TestMaxConnections(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, ch, map[string]string{"max-connections": "2"})
	a, b := dialAvro(t, s), dialAvro(t, s)
	appendOK(t, a, "a")
	appendOK(t, b, "b")
	extra := dialAvro(t, s)
	if st, err := extra.Append(context.Background(), flume.Event{Body: []byte("c")}); err == nil {
		t.Fatalf("a third connection was served: %v", st)
	}
	cn := &s.counter
	if cn.ConnectionRefusedCount.Load() != 1 || cn.OpenConnectionCount.Load() != 2 {
		t.Fatalf("counters %+v", cn.Attributes())
	}
	appendOK(t, a, "a again")
	appendOK(t, b, "b again")
	_ = a.Close()
	flumetest.WaitFor(t, 10*time.Second, "a's slot to free", func() bool { return cn.OpenConnectionCount.Load() == 1 })
	appendOK(t, dialAvro(t, s), "in a's slot")
	flumetest.SameEvents(t, flumetest.TakeAll(t, ch), []flume.Event{
		{Body: []byte("a")}, {Body: []byte("b")}, {Body: []byte("a again")}, {Body: []byte("b again")}, {Body: []byte("in a's slot")}})
}

// TestUndecodableCallIsEventReadFail: a call whose events cannot be decoded
// gets an Avro error answer and counts as EventReadFail only, as an
// unreadable request does on every network source.
func TestUndecodableCallIsEventReadFail(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, ch, nil)
	c := dialAvro(t, s)
	call := avrorpc.EncodeAppendBatch(sampleEvents(3, "cut"))
	if _, err := c.CallEncoded(context.Background(), call[:len(call)-3]); err == nil {
		t.Fatal("a cut batch was answered with a status")
	}
	cn := &s.counter
	if cn.EventReadFail.Load() != 1 || cn.AppendBatchReceivedCount.Load() != 0 || cn.EventReceivedCount.Load() != 0 ||
		cn.ChannelWriteFail.Load() != 0 || cn.GenericProcessingFail.Load() != 0 {
		t.Fatalf("counters %+v", cn.Attributes())
	}
	appendOK(t, c, "the connection goes on")
}

// TestStopDrainsCallsInProgress: Stop lets a call in progress commit and
// answer OK; when Stop's context ends first, the call is aborted unanswered
// (its sender resends) and Stop says so.
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
		c := dialAvro(t, s)
		answered := make(chan error, 1)
		go func() {
			st, err := c.Append(context.Background(), flume.Event{Body: []byte("in flight")})
			if err == nil && st != avrorpc.OK {
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
		flumetest.SameEvents(t, flumetest.TakeAll(t, ch), []flume.Event{{Body: []byte("in flight")}})
		if s.Addr() != nil {
			t.Fatal("a stopped source has an address")
		}
	}
}
