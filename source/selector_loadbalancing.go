package source

import (
	"math/rand/v2"
	"strings"
	"sync/atomic"

	"github.com/flumego/flume"
)

// LoadBalancing is Flume's LoadBalancingChannelSelector: each event goes to
// exactly one of the source's channels, chosen round-robin (the default) or
// at random (selector.policy = random). That channel is required; there are
// no optional channels. It is safe for concurrent use.
type LoadBalancing struct {
	channels []flume.NamedChannel
	random   bool
	next     atomic.Uint64
}

var _ flume.ChannelSelector = (*LoadBalancing)(nil)

// Select returns the one channel for the next event.
func (l *LoadBalancing) Select(flume.Event) (required, optional []flume.NamedChannel) {
	var i int
	if l.random {
		i = rand.IntN(len(l.channels))
	} else {
		i = int((l.next.Add(1) - 1) % uint64(len(l.channels)))
	}
	return l.channels[i : i+1], nil
}

func newLoadBalancingFromConfig(_ flume.Settings, cfg *flume.Context, channels []flume.NamedChannel) (flume.ChannelSelector, error) {
	policy := cfg.String("policy", "round_robin")
	l := &LoadBalancing{channels: channels}
	switch strings.ToLower(policy) {
	case "round_robin":
	case "random":
		l.random = true
	default:
		cfg.Errorf("policy", "invalid policy (expected round_robin or random)")
	}
	if len(channels) == 0 {
		cfg.Errorf("", "the load_balancing selector needs at least one channel")
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return l, nil
}
