package rpc_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/source"
	avrosource "github.com/flumego/flume/source/avro"
)

// An application ships events to an agent's avro source with the SDK,
// configured with the same properties as Flume's RpcClientFactory.
func Example() {
	// Stand-in for an agent: an avro source on a free port feeding a
	// memory channel.
	ch, _ := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: 100, TransactionCapacity: 100, KeepAlive: time.Second})
	_ = ch.Start(context.Background())
	proc := source.NewChannelProcessor(source.NewReplicating([]flume.NamedChannel{{Name: "c1", Channel: ch}}, nil), nil, nil)
	src, _ := avrosource.Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), proc)
	_ = src.Start(context.Background())
	defer src.Stop(context.Background())

	// The application side.
	client, err := rpc.NewClient(map[string]string{
		"client.type": "default",
		"hosts":       "h1",
		"hosts.h1":    src.(*avrosource.Source).Addr().String(),
		"batch-size":  "2",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	var events []flume.Event
	for _, body := range []string{"order 1 placed", "order 2 placed"} {
		e := flume.NewEvent([]byte(body))
		e.SetHeader("app", "shop")
		events = append(events, e)
	}
	events = append(events, flume.NewEvent([]byte("order 1 shipped")))
	// AppendBatch splits into calls of batch-size events and returns nil
	// only when the agent committed all of them.
	if err := client.AppendBatch(context.Background(), events); err != nil {
		log.Fatal(err)
	}
	if err := client.Append(context.Background(), flume.Event{Body: []byte("order 2 shipped")}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("events in the agent's channel:", ch.Len())
	// Output: events in the agent's channel: 4
}
