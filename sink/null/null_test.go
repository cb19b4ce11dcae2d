package null

import (
	"context"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/internal/flumetest"
)

func TestDiscardsInBatches(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, 0)
	flumetest.Put(t, ch, channeltest.Events(0, 25)...)
	s, err := Factory(flume.Settings{}, flume.ContextFromMap(map[string]string{"batchSize": "10"}), ch)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []flume.Status{flume.Ready, flume.Ready, flume.Backoff} {
		if st, err := s.Process(context.Background()); st != want || err != nil {
			t.Fatalf("call %d: %v %v, want %v", i, st, err, want)
		}
	}
	if ch.Len() != 0 || s.(*Sink).counter.EventDrainSuccessCount.Load() != 25 {
		t.Fatalf("channel holds %d", ch.Len())
	}
	if _, err := Factory(flume.Settings{}, flume.ContextFromMap(map[string]string{"batchSize": "0"}), ch); err == nil {
		t.Fatal("batchSize 0 accepted")
	}
}
