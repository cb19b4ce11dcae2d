package thrift

import (
	"context"
	"fmt"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/rpc/thriftrpc"
	"github.com/flumego/flume/source/sourcetest"
)

func TestSourceTest(t *testing.T) {
	sourcetest.Run(t, sourcetest.Options{
		Headers: true,
		New: func(t testing.TB, out flume.ChannelProcessor) flume.Source {
			src, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), out)
			if err != nil {
				t.Fatal(err)
			}
			if err := src.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			return src
		},
		Send: func(t testing.TB, src flume.Source, events []flume.Event) (int, error) {
			c, err := thriftrpc.Dial(context.Background(), src.(*Source).Addr().String(), thriftrpc.ClientConfig{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			st, err := c.AppendBatch(context.Background(), events)
			if err != nil {
				return 0, err
			}
			if st != thriftrpc.OK {
				return 0, fmt.Errorf("status %v", st)
			}
			return len(events), nil
		},
	})
}
