package source

import (
	"errors"
	"fmt"
	"slices"

	"github.com/flumego/flume"
)

// Channel selector type names, as Flume spells them in selector.type, and
// the Java class names that select the same selectors.
const (
	TypeReplicating   = "replicating"
	TypeMultiplexing  = "multiplexing"
	TypeLoadBalancing = "load_balancing"

	classReplicating   = "org.apache.flume.channel.ReplicatingChannelSelector"
	classMultiplexing  = "org.apache.flume.channel.MultiplexingChannelSelector"
	classLoadBalancing = "org.apache.flume.channel.LoadBalancingChannelSelector"
)

// Register adds Flume's channel selectors (replicating, multiplexing,
// load_balancing, and their class names) to r.
func Register(r *flume.Registry) error {
	return errors.Join(
		r.RegisterChannelSelector(TypeReplicating, newReplicatingFromConfig, classReplicating),
		r.RegisterChannelSelector(TypeMultiplexing, newMultiplexingFromConfig, classMultiplexing),
		r.RegisterChannelSelector(TypeLoadBalancing, newLoadBalancingFromConfig, classLoadBalancing),
	)
}

// Replicating is Flume's default selector: every event goes to every
// channel of the source; the channels listed in selector.optional are
// optional, the rest required.
type Replicating struct {
	required, optional []flume.NamedChannel
}

// NewReplicating returns a replicating selector over channels, with the
// named ones optional.
func NewReplicating(channels []flume.NamedChannel, optional []string) *Replicating {
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
func (r *Replicating) Select(flume.Event) (required, optional []flume.NamedChannel) {
	return r.required, r.optional
}

// Channels returns every channel, split into required and optional.
func (r *Replicating) Channels() (required, optional []flume.NamedChannel) {
	return r.required, r.optional
}

func newReplicatingFromConfig(_ flume.Settings, cfg *flume.Context, channels []flume.NamedChannel) (flume.ChannelSelector, error) {
	optional := cfg.Fields("optional")
	for _, name := range optional {
		if !slices.ContainsFunc(channels, func(c flume.NamedChannel) bool { return c.Name == name }) {
			cfg.Errorf("optional", "selector channel %q is not one of the source's channels", name)
		}
	}
	return NewReplicating(channels, optional), nil
}

// NewSelector builds the channel selector a source's "selector."
// configuration asks for, looking its type up in reg; replicating when
// selector.type is absent, as in Flume. set is the source's.
func NewSelector(set flume.Settings, cfg *flume.Context, channels []flume.NamedChannel, reg *flume.Registry) (flume.ChannelSelector, error) {
	typ := cfg.String("type", TypeReplicating)
	f, canonical, err := reg.ChannelSelector(typ)
	if err != nil {
		if !cfg.Has("type") {
			err = fmt.Errorf("%w: selector.type is absent and its default, replicating, is not registered (source.Register adds it)", err)
		}
		cfg.Errorf("type", "%v", err)
		return nil, cfg.Err()
	}
	set.Type = canonical
	sel, err := f(set, cfg, channels)
	if err == nil && sel == nil {
		err = fmt.Errorf("channel selector %q: the factory returned no selector", canonical)
	}
	if err != nil {
		if !errors.As(err, new(flume.Problems)) || cfg.Err() == nil { // problems are already recorded in cfg
			cfg.Errorf("type", "%v", err)
		}
		return nil, cfg.Err()
	}
	return sel, cfg.Err()
}
