package sinkgroup

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/componenttest"
	"github.com/flumego/flume/rpc/avrorpc"
	avrosink "github.com/flumego/flume/sink/avro"
)

// TestConformance runs componenttest's lifecycle checks on the failover
// and load_balance processors over two avro sinks with a real Avro RPC
// server behind them: a group's Stop must stop its members' connections.
func TestConformance(t *testing.T) {
	srv := avrorpc.NewServer(avrorpc.ServerConfig{}, func(context.Context, bool, []flume.Event) (avrorpc.Status, error) {
		return avrorpc.OK, nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Start(ln)
	t.Cleanup(func() { _ = srv.Close() })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	for _, typ := range []string{TypeFailover, TypeLoadBalance} {
		t.Run(typ, func(t *testing.T) {
			componenttest.Lifecycle(t, componenttest.SinkSubject(func(t testing.TB, in flume.Channel) flume.Sink {
				var members []flume.NamedSink
				for _, name := range []string{"k1", "k2"} {
					s, err := avrosink.Factory(flume.Settings{Name: name}, flume.ContextFromMap(map[string]string{
						"hostname": "127.0.0.1", "port": port}), in)
					if err != nil {
						t.Fatal(err)
					}
					members = append(members, flume.NamedSink{Name: name, Sink: s})
				}
				g, err := New(flume.Settings{Name: "g1"}, flume.ContextFromMap(map[string]string{
					"sinks": "k1 k2", "processor.type": typ}), members, testRegistry(t, nil, nil))
				if err != nil {
					t.Fatal(err)
				}
				return g
			}))
		})
	}
}
