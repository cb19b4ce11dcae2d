package source

import (
	"fmt"
	"slices"

	"github.com/flumego/flume"
)

// Replicating is Flume's default selector: every event goes to every
// channel of the source; the channels listed in selector.optional are
// optional, the rest required.
type Replicating struct {
	required, optional []Channel
}

// NewReplicating returns a replicating selector over channels, with the
// named ones optional.
func NewReplicating(channels []Channel, optional []string) *Replicating {
	r := &Replicating{}
	for _, ch := range channels {
		if slices.Contains(optional, ch.Name) {
			r.optional = append(r.optional, ch)
		} else {
			r.required = append(r.required, ch)
		}
	}
	return r
}

// Select returns every channel.
func (r *Replicating) Select(flume.Event) (required, optional []Channel) {
	return r.required, r.optional
}

// Channels returns every channel, split into required and optional.
func (r *Replicating) Channels() (required, optional []Channel) { return r.required, r.optional }

// SelectorFactory builds a channel selector from the source's "selector."
// configuration and the source's channels (in configuration order).
type SelectorFactory func(cfg *flume.Context, channels []Channel) (Selector, error)

// selectors maps selector types (lower case) and class names to factories.
var selectors = map[string]SelectorFactory{
	"replicating": newReplicatingFromConfig,
	"org.apache.flume.channel.ReplicatingChannelSelector": newReplicatingFromConfig,
	"multiplexing": newMultiplexingFromConfig,
	"org.apache.flume.channel.MultiplexingChannelSelector": newMultiplexingFromConfig,
	"load_balancing": newLoadBalancingFromConfig,
	"org.apache.flume.channel.LoadBalancingChannelSelector": newLoadBalancingFromConfig,
}

// RegisterSelector adds a channel selector type (a class name, matched
// exactly, or a lower-case alias, matched in any case), for plugins that
// implement their own selector. replicating, multiplexing and load_balancing
// are built in.
func RegisterSelector(typ string, f SelectorFactory) error {
	if _, dup := selectors[typ]; dup {
		return fmt.Errorf("channel selector %q is already registered", typ)
	}
	selectors[typ] = f
	return nil
}

func newReplicatingFromConfig(cfg *flume.Context, channels []Channel) (Selector, error) {
	optional := cfg.Fields("optional")
	for _, name := range optional {
		if !slices.ContainsFunc(channels, func(c Channel) bool { return c.Name == name }) {
			cfg.Errorf("optional", "selector channel %q is not one of the source's channels", name)
		}
	}
	return NewReplicating(channels, optional), nil
}

// NewSelector builds the selector a source's "selector." configuration asks
// for; replicating when selector.type is absent.
func NewSelector(cfg *flume.Context, channels []Channel) (Selector, error) {
	typ := cfg.String("type", "replicating")
	f, ok := selectors[typ]
	if !ok {
		f, ok = selectors[lower(typ)]
	}
	if !ok {
		cfg.Errorf("type", "unknown channel selector type (expected replicating, multiplexing, load_balancing or a registered selector class name)")
		return nil, cfg.Err()
	}
	return f(cfg, channels)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
