package thrift

import (
	"testing"
	"time"

	"github.com/flumego/flume/internal/flumetest"

	"github.com/flumego/flume/internal/thrifttest"
)

// The client generated from Flume's IDL by Debian's thrift-compiler, on
// Debian's python3-thrift, sends to our source in both protocols, with
// append and appendBatch: every event arrives with its headers and body.
func TestPythonClient(t *testing.T) {
	for _, proto := range []string{"compact", "binary"} {
		t.Run(proto, func(t *testing.T) {
			ch := flumetest.MemoryChannel(t, 1000, 200, 50*time.Millisecond)
			s := startSource(t, map[string]string{"protocol": proto}, flumetest.Processor(ch))
			py := thrifttest.StartClient(t, s.Addr().String(), proto)
			evs := testEvents(0, 123)
			for _, e := range evs[:3] {
				if st, err := py.Append(e); err != nil || st != "OK" {
					t.Fatalf("append: %q %v", st, err)
				}
			}
			if st, err := py.AppendBatch(evs[3:103]); err != nil || st != "OK" {
				t.Fatalf("appendBatch: %q %v", st, err)
			}
			if st, err := py.AppendBatch(evs[103:]); err != nil || st != "OK" {
				t.Fatalf("appendBatch: %q %v", st, err)
			}
			flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 123))
			k := &s.counter
			if k.AppendAcceptedCount.Load() != 3 || k.AppendBatchAcceptedCount.Load() != 2 || k.EventAcceptedCount.Load() != 123 {
				t.Fatalf("counters: append %d, batch %d, events %d", k.AppendAcceptedCount.Load(), k.AppendBatchAcceptedCount.Load(), k.EventAcceptedCount.Load())
			}
		})
	}
}

// A full channel answers FAILED to the Python client, which keeps its
// events; once the channel drains, the retried batch is accepted and
// nothing is lost.
func TestPythonClientFullChannel(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 20, 20, 20*time.Millisecond)
	s := startSource(t, nil, flumetest.Processor(ch))
	py := thrifttest.StartClient(t, s.Addr().String(), "compact")
	if st, err := py.AppendBatch(testEvents(0, 20)); err != nil || st != "OK" {
		t.Fatalf("filling batch: %q %v", st, err)
	}
	if st, err := py.AppendBatch(testEvents(20, 30)); err != nil || st != "FAILED" {
		t.Fatalf("batch into a full channel: %q %v", st, err)
	}
	if st, err := py.Append(testEvents(20, 21)[0]); err != nil || st != "FAILED" {
		t.Fatalf("append into a full channel: %q %v", st, err)
	}
	got := flumetest.TakeAll(t, ch)
	if st, err := py.AppendBatch(testEvents(20, 30)); err != nil || st != "OK" {
		t.Fatalf("retry after draining: %q %v", st, err)
	}
	flumetest.SameEvents(t, append(got, flumetest.TakeAll(t, ch)...), testEvents(0, 30))
	if n := s.counter.ChannelWriteFail.Load(); n != 2 {
		t.Fatalf("ChannelWriteFail = %d, want 2", n)
	}
}

// A Python client speaking the wrong protocol (binary to a compact source)
// costs only its own connection.
func TestPythonClientWrongProtocol(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
	s := startSource(t, nil, flumetest.Processor(ch))
	wrong := thrifttest.StartClient(t, s.Addr().String(), "binary")
	if st, err := wrong.Append(testEvents(0, 1)[0]); err == nil {
		t.Fatalf("binary client answered %q by a compact source", st)
	}
	right := thrifttest.StartClient(t, s.Addr().String(), "compact")
	if st, err := right.Append(testEvents(0, 1)[0]); err != nil || st != "OK" {
		t.Fatalf("compact client after a bad one: %q %v", st, err)
	}
	flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 1))
	if s.counter.EventReadFail.Load() != 1 {
		t.Fatalf("EventReadFail = %d", s.counter.EventReadFail.Load())
	}
}
