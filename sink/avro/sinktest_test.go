package avro

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc/avrorpc"
	"github.com/flumego/flume/sink/sinktest"
)

// avroDest is an Avro RPC server that records what it accepts and answers
// FAILED while failing.
type avroDest struct {
	mu      sync.Mutex
	got     []flume.Event
	failing bool
}

func (d *avroDest) handle(_ context.Context, _ bool, evs []flume.Event) (avrorpc.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failing {
		return avrorpc.Failed, nil
	}
	d.got = append(d.got, evs...)
	return avrorpc.OK, nil
}

func (d *avroDest) Received(testing.TB) []flume.Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]flume.Event(nil), d.got...)
}

func (d *avroDest) Fail(_ testing.TB, failing bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failing = failing
	return true
}

func TestSinkTest(t *testing.T) {
	sinktest.Run(t, sinktest.Options{
		BatchSize: 10,
		Headers:   true,
		New: func(t testing.TB, in flume.Channel) (flume.Sink, sinktest.Destination) {
			d := &avroDest{}
			srv := avrorpc.NewServer(avrorpc.ServerConfig{}, d.handle)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv.Start(ln)
			t.Cleanup(func() { _ = srv.Close() })
			port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			return newSink(t, in, map[string]string{"hostname": "127.0.0.1", "port": port, "batch-size": "10"}), d
		},
	})
}
