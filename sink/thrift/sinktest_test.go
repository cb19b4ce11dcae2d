package thrift

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc/thriftrpc"
	"github.com/flumego/flume/sink/sinktest"
)

// thriftDest is a Thrift RPC server that records what it accepts and
// answers FAILED while failing.
type thriftDest struct {
	mu      sync.Mutex
	got     []flume.Event
	failing bool
}

func (d *thriftDest) handle(_ context.Context, call *thriftrpc.Call) (thriftrpc.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failing {
		return thriftrpc.Failed, nil
	}
	d.got = append(d.got, call.Events...)
	return thriftrpc.OK, nil
}

func (d *thriftDest) Received(testing.TB) []flume.Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]flume.Event(nil), d.got...)
}

func (d *thriftDest) Fail(_ testing.TB, failing bool) bool {
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
			d := &thriftDest{}
			srv := thriftrpc.NewServer(thriftrpc.ServerConfig{}, d.handle)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv.Start(ln)
			t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
			port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			s, err := Factory(flume.Settings{Name: "k1"}, flume.ContextFromMap(map[string]string{
				"hostname": "127.0.0.1", "port": port, "batch-size": "10"}), in)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			return s, d
		},
	})
}
