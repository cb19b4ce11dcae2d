package file

import (
	"context"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
)

func TestConformance(t *testing.T) {
	channeltest.Run(t, channeltest.Options{
		New: func(t testing.TB, capacity, txCapacity int) flume.Channel {
			cfg := testConfig(t, capacity, txCapacity)
			cfg.KeepAlive = 0
			cfg.MaxFileSize = 32 << 10 // exercise rotation
			return openChannel(t, cfg)
		},
		Reopen: func(t testing.TB, ch flume.Channel) flume.Channel {
			old := ch.(*Channel)
			if err := old.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			// channeltest's Durability test takes all 25 remaining events
			// in one transaction of a channel built with transactionCapacity
			// 20, which a channel enforcing transactionCapacity must refuse;
			// the reopened channel gets a larger transactionCapacity (it is
			// not part of the stored state).
			cfg := old.cfg
			cfg.TransactionCapacity = cfg.Capacity
			return openChannel(t, cfg)
		},
	})
}
