package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
	avrosource "github.com/flumego/flume/source/avro"
)

// An application sends its events through an embedded agent: Put returns
// once they are in the agent's channel, and the agent's avro sink delivers
// them to the collector in batches, with the header the static interceptor
// adds.
func Example() {
	ctx := context.Background()
	// The collector, for the example an avro source in this process that
	// prints what it receives; in production a flume-ng (or Java Flume)
	// agent with an avro source.
	collector, received := startCollector()
	defer func() { _ = collector.Stop(ctx) }()

	props := conf.FromMap(map[string]string{
		"channel.type":                  "memory",
		"channel.capacity":              "10000",
		"sinks":                         "k1",
		"k1.type":                       "avro",
		"k1.hostname":                   "127.0.0.1",
		"k1.port":                       strconv.Itoa(collector.Addr().(*net.TCPAddr).Port),
		"processor.type":                "default",
		"source.interceptors":           "env",
		"source.interceptors.env.type":  "static",
		"source.interceptors.env.key":   "env",
		"source.interceptors.env.value": "prod",
	})
	a, err := embedded.New(ctx, embedded.Config{Name: "shop", Properties: props, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = a.Close(ctx) }()

	for i := 1; i <= 3; i++ {
		e := flume.NewEvent(fmt.Appendf(nil, "order %d paid", i))
		e.SetHeader("type", "order")
		if err := a.Put(ctx, e); err != nil {
			fmt.Println(err)
			return
		}
	}
	for range 3 {
		e := <-received
		typ, _ := e.Header("type")
		env, _ := e.Header("env")
		fmt.Printf("%s (type=%s, env=%s)\n", e.Body, typ, env)
	}
	fmt.Println("accepted:", a.Counters().Accepted)
	// Output:
	// order 1 paid (type=order, env=prod)
	// order 2 paid (type=order, env=prod)
	// order 3 paid (type=order, env=prod)
	// accepted: 3
}

// startCollector starts an avro source on a free loopback port and returns
// it with the events it receives.
func startCollector() (*avrosource.Source, <-chan flume.Event) {
	received := make(chan flume.Event, 100)
	out := flume.ChannelProcessorFunc(func(_ context.Context, events []flume.Event) error {
		for _, e := range events {
			received <- e
		}
		return nil
	})
	cfg := flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"})
	src, err := avrosource.Factory(flume.Settings{Name: "collector"}, cfg, out)
	if err != nil {
		panic(err)
	}
	if err := src.Start(context.Background()); err != nil {
		panic(err)
	}
	return src.(*avrosource.Source), received
}

// When the collectors are down and the channel is full, Put pushes back:
// it waits for room until its context ends, then returns an error matching
// flume.ErrChannelFull, and the events it was given are still the
// application's. Nothing is dropped.
func ExampleAgent_Put_backPressure() {
	ctx := context.Background()
	props := conf.FromMap(map[string]string{
		"channel.type":                "memory",
		"channel.capacity":            "2",
		"channel.transactionCapacity": "2",
		"sinks":                       "k1",
		"k1.type":                     "avro",
		"k1.hostname":                 "127.0.0.1",
		"k1.port":                     "1", // nothing listens there
		"k1.batch-size":               "2",
		"processor.type":              "default",
	})
	// DrainTimeout -1: Close does not wait for a collector that is down.
	a, err := embedded.New(ctx, embedded.Config{Properties: props, DrainTimeout: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = a.Close(ctx) }()

	err = a.Put(ctx, flume.NewEvent([]byte("1")), flume.NewEvent([]byte("2")))
	fmt.Println("first two:", err)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err = a.Put(short, flume.NewEvent([]byte("3")))
	fmt.Println("third: channel full:", errors.Is(err, flume.ErrChannelFull), "deadline:", errors.Is(err, context.DeadlineExceeded))
	fmt.Println("pending:", a.Counters().Pending)
	// Output:
	// first two: <nil>
	// third: channel full: true deadline: true
	// pending: 2
}

// The configuration from a properties file, with a durable file channel
// and a failover pair of collectors: an event Put acknowledged is on disk,
// and is delivered after a restart if the application dies before the
// collectors took it. Problems are located in the file.
func Example_propertiesFile() {
	dir, err := os.MkdirTemp("", "embedded-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.properties")
	err = os.WriteFile(path, []byte(`# The application's embedded agent
channel.type = file
channel.checkpointDir = `+filepath.Join(dir, "checkpoint")+`
channel.dataDirs = `+filepath.Join(dir, "data")+`
channel.minimumRequiredSpace = 1048576
sinks = c1 c2
c1.type = avro
c1.hostname = 127.0.0.1
c1.port = 1
c2.type = thrift
c2.hostname = 127.0.0.1
c2.port = 2
processor.type = failover
processor.priority.c1 = 10
processor.priority.c2 = 5
source.selector.type = multiplexing
`), 0o644)
	if err != nil {
		fmt.Println(err)
		return
	}
	props, err := conf.LoadFiles(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	a, err := embedded.New(ctx, embedded.Config{Name: "app", Properties: props, DrainTimeout: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range a.Problems() {
		fmt.Printf("line %d: %s: %s\n", p.Line, p.Key, p.Message)
	}
	if err := a.Put(ctx, flume.NewEvent([]byte("kept on disk"))); err != nil {
		fmt.Println(err)
	}
	fmt.Println("pending:", a.Counters().Pending)
	if err := a.Close(ctx); err != nil {
		fmt.Println(err)
	}

	// The next start replays the file channel: the event is still there.
	a, err = embedded.New(ctx, embedded.Config{Name: "app", Properties: props, DrainTimeout: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pending after a restart:", a.Counters().Pending)
	_ = a.Close(ctx)
	// Output:
	// line 16: source.selector.type: unknown property: the embedded source takes source.type and source.interceptors only; it is ignored
	// pending: 1
	// pending after a restart: 1
}
