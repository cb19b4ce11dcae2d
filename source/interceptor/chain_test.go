package interceptor_test

import (
	"context"
	"errors"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/channel/memory"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/source"
	"github.com/flumego/flume/source/interceptor"
)

// TestChainThroughChannelProcessor configures a source's interceptor chain
// the way the agent does and checks what reaches a real memory channel.
func TestChainThroughChannelProcessor(t *testing.T) {
	reg := flume.NewRegistry()
	if err := errors.Join(interceptor.Register(reg), source.Register(reg)); err != nil {
		t.Fatal(err)
	}
	ch, err := memory.New(flume.Settings{Name: "c1"}, memory.Config{Capacity: 1000, TransactionCapacity: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer ch.Stop(context.Background())
	cfg := flume.ContextFromMap(map[string]string{
		"interceptors":                    "ts host dc drop",
		"interceptors.ts.type":            "timestamp",
		"interceptors.host.type":          "org.apache.flume.interceptor.HostInterceptor$Builder",
		"interceptors.dc.type":            "static",
		"interceptors.dc.key":             "datacenter",
		"interceptors.dc.value":           "NYC_01",
		"interceptors.drop.type":          "regex_filter",
		"interceptors.drop.regex":         `e\d*5$`, // drop events whose number ends in 5
		"interceptors.drop.excludeEvents": "true",
	})
	p, err := source.NewProcessorFromConfig(flume.Settings{Name: "r1"}, cfg, []flume.NamedChannel{{Name: "c1", Channel: ch}}, reg)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Fatalf("unused keys: %v", u)
	}
	if err := p.Process(context.Background(), channeltest.Events(0, 100)); err != nil {
		t.Fatal(err)
	}
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		evs, err := tx.Take(context.Background(), 1000)
		if err != nil {
			return err
		}
		if len(evs) != 90 {
			t.Fatalf("%d events reached the channel, want 90", len(evs))
		}
		for _, e := range evs {
			if channeltest.Seq(e)%10 == 5 {
				t.Fatalf("event %d should have been filtered", channeltest.Seq(e))
			}
			if flumetest.Headers(e)["timestamp"] == "" || flumetest.Headers(e)["host"] == "" || flumetest.Headers(e)["datacenter"] != "NYC_01" {
				t.Fatalf("event %d headers %v", channeltest.Seq(e), flumetest.Headers(e))
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
