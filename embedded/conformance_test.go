package embedded_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/componenttest"
	"github.com/flumego/flume/embedded"
	"github.com/flumego/flume/internal/flumetest"
)

// The embedded agent honours flume.Lifecycle as every component does: Stop
// without Start, Stop twice, Start after Stop (a file channel reopens its
// directories and replays), Stop with an ended context; no goroutine is
// left after a Stop that returned nil. Between Start and Stop it delivers
// events to a collector.
func TestLifecycleConformance(t *testing.T) {
	for _, channel := range []string{"memory", "file"} {
		t.Run(channel, func(t *testing.T) {
			c := newCollector(t, "avro")
			componenttest.Lifecycle(t, componenttest.Subject{
				Build: func(t testing.TB) flume.Lifecycle {
					kv := append([]string{"channel.type", channel, "sinks", "k1", "processor.type", "default"}, sinkTo("k1", c)...)
					if channel == "file" {
						dir := t.TempDir()
						kv = append(kv, "channel.checkpointDir", filepath.Join(dir, "checkpoint"),
							"channel.dataDirs", filepath.Join(dir, "data"), "channel.minimumRequiredSpace", "1048576")
					}
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					a, err := embedded.New(ctx, embedded.Config{Properties: props(kv...), Logger: testLogger(t), RunnerBackoff: fastBackoff})
					if err != nil {
						t.Fatal(err)
					}
					// New starts the agent; the suite starts it itself.
					if err := a.Stop(ctx); err != nil {
						t.Fatal(err)
					}
					return a
				},
				Exercise: func(t testing.TB, l flume.Lifecycle) {
					a := l.(*embedded.Agent)
					before := c.Received()
					n := 1 + before
					if err := a.Put(context.Background(), numbered(n, n+2)...); err != nil {
						t.Fatal(err)
					}
					flumetest.WaitFor(t, 10*time.Second, "the events at the collector", func() bool { return c.Received() == before+3 })
				},
			})
		})
	}
}
