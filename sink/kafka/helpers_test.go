package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// newCluster starts an in-process Kafka cluster (franz-go's kfake, a real
// implementation of the wire protocol) on 127.0.0.1 and closes it with the
// test.
func newCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// newChannel returns a started memory channel holding events.
func newChannel(t testing.TB, capacity, txCapacity int, events []flume.Event) *memory.Channel {
	t.Helper()
	ch := flumetest.MemoryChannel(t, capacity, txCapacity, 10*time.Millisecond)
	for i := 0; i < len(events); i += txCapacity {
		flumetest.Put(t, ch, events[i:min(i+txCapacity, len(events))]...)
	}
	return ch
}

// newSinkFrom builds and starts a sink from properties.
func newSinkFrom(t testing.TB, props map[string]string, ch flume.Channel) *Sink {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	s, err := Factory(flume.Settings{Name: "k1"}, cfg, ch)
	if err != nil {
		t.Fatalf("factory: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s.(*Sink)
}

// drainAll calls Process until n events were committed, failing on any
// error.
func drainAll(t testing.TB, s *Sink, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for s.counter.EventDrainSuccessCount.Load() < int64(n) {
		if _, err := s.Process(ctx); err != nil {
			t.Fatalf("process after %d events: %v", s.counter.EventDrainSuccessCount.Load(), err)
		}
	}
}

// problems returns the problems recorded in cfg as lines.
func problems(cfg *flume.Context) string {
	var b strings.Builder
	for _, p := range cfg.Problems() {
		b.WriteString(p.Severity.String() + ": " + p.Error() + "\n")
	}
	return b.String()
}
