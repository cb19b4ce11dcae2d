package embedded_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
	avrosource "github.com/flumego/flume/source/avro"
)

// BenchmarkPut measures Put from 1 and 8 goroutines into a memory or file
// channel, 1 or 100 events of 200 bytes per Put, with an avro sink
// delivering to a collector (an avro source in this process that counts
// what it receives). A memory channel of 10000 events fills up, so its
// figure is the rate the sink delivers at; a file channel's is bounded by
// its fsyncs. embedded/internal/putbench measures the same against a
// separate flume-ng collector, with the application's peak RSS.
//
//	go test -run '^$' -bench BenchmarkPut -count 5 ./embedded
func BenchmarkPut(b *testing.B) {
	for _, channel := range []string{"memory", "file"} {
		for _, goroutines := range []int{1, 8} {
			for _, batch := range []int{1, 100} {
				b.Run(fmt.Sprintf("%s/goroutines=%d/batch=%d", channel, goroutines, batch), func(b *testing.B) {
					benchmarkPut(b, channel, goroutines, batch)
				})
			}
		}
	}
}

func benchmarkPut(b *testing.B, channel string, goroutines, batch int) {
	var received atomic.Int64
	src, err := avrosource.Factory(flume.Settings{Name: "collector"},
		flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}),
		flume.ChannelProcessorFunc(func(_ context.Context, events []flume.Event) error {
			received.Add(int64(len(events)))
			return nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := src.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = src.Stop(ctx) }()
	kv := map[string]string{
		"channel.type": channel, "channel.capacity": "10000", "channel.transactionCapacity": "1000",
		"sinks": "k1", "k1.type": "avro", "k1.hostname": "127.0.0.1", "k1.batch-size": "1000",
		"k1.port":        strconv.Itoa(src.(*avrosource.Source).Addr().(*net.TCPAddr).Port),
		"processor.type": "default",
	}
	if channel == "file" {
		dir := b.TempDir()
		kv["channel.capacity"] = "1000000"
		kv["channel.checkpointDir"] = filepath.Join(dir, "checkpoint")
		kv["channel.dataDirs"] = filepath.Join(dir, "data")
		kv["channel.minimumRequiredSpace"] = "10485760"
	}
	a, err := embedded.New(ctx, embedded.Config{Name: "bench", Properties: conf.FromMap(kv), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = a.Close(ctx) }()
	body := make([]byte, 200)
	per := (b.N + goroutines - 1) / goroutines
	b.SetBytes(200)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done := 0; done < per; {
				n := min(batch, per-done)
				events := make([]flume.Event, n)
				for i := range events {
					events[i] = flume.NewEvent(body)
				}
				if err := a.Put(ctx, events...); err != nil {
					b.Error(err)
					return
				}
				done += n
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(per*goroutines)/elapsed.Seconds(), "events/s")
	for received.Load() < int64(per*goroutines) {
		time.Sleep(time.Millisecond)
	}
}
