package source

import (
	"slices"
	"strings"

	"github.com/flumego/flume"
)

// DefaultMultiplexHeader is the header the multiplexing selector reads when
// selector.header is not set.
const DefaultMultiplexHeader = "flume.selector.header"

// Multiplexing is Flume's MultiplexingChannelSelector: the value of one
// event header picks the channels.
//
//   - selector.mapping.<value> lists the required channels for events whose
//     header equals <value> exactly (case-sensitive);
//   - selector.default lists the required channels for events whose header
//     is missing, blank, or has no mapping;
//   - selector.optional.<value> lists optional channels for <value>, minus
//     those already required for it (or, without a mapping, the default
//     ones).
//
// Lists are split on single spaces, as Flume splits them. An event whose
// header matches no mapping while no default is configured goes to no
// required channel: it is dropped (after any optional channels), as in
// Flume, and the configuration gets a warning about it. Channel names
// listed twice are used once (Flume would put the event twice).
type Multiplexing struct {
	header   string
	mapping  map[string][]flume.NamedChannel
	optional map[string][]flume.NamedChannel
	def      []flume.NamedChannel
}

var _ flume.ChannelSelector = (*Multiplexing)(nil)

// Select returns the channels for e's header value.
func (m *Multiplexing) Select(e flume.Event) (required, optional []flume.NamedChannel) {
	v, ok := e.Header(m.header)
	if !ok || strings.TrimSpace(v) == "" {
		required = m.def
	} else if chs, ok := m.mapping[v]; ok {
		required = chs
	} else {
		required = m.def
	}
	if ok {
		optional = m.optional[v]
	}
	return required, optional
}

// Header returns the header the selector reads.
func (m *Multiplexing) Header() string { return m.header }

func newMultiplexingFromConfig(_ flume.Settings, cfg *flume.Context, channels []flume.NamedChannel) (flume.ChannelSelector, error) {
	byName := make(map[string]flume.NamedChannel, len(channels))
	for _, ch := range channels {
		byName[ch.Name] = ch
	}
	m := &Multiplexing{
		header:   cfg.String("header", DefaultMultiplexHeader),
		mapping:  map[string][]flume.NamedChannel{},
		optional: map[string][]flume.NamedChannel{},
	}
	m.def = channelList(cfg, "default", byName)
	for _, v := range cfg.Sub("mapping.").Keys() {
		key := "mapping." + v
		chs := channelList(cfg, key, byName)
		if len(chs) == 0 && cfg.Err() == nil {
			cfg.Errorf(key, "no channel configured for header value %q", v)
		}
		m.mapping[v] = chs
	}
	for _, v := range cfg.Sub("optional.").Keys() {
		key := "optional." + v
		chs := channelList(cfg, key, byName)
		req, ok := m.mapping[v]
		if !ok || len(req) == 0 {
			req = m.def
		}
		chs = slices.DeleteFunc(chs, func(c flume.NamedChannel) bool {
			return slices.ContainsFunc(req, func(r flume.NamedChannel) bool { return r.Name == c.Name })
		})
		if len(chs) > 0 {
			m.optional[v] = chs
		}
	}
	if !cfg.Has("default") {
		cfg.Warnf("default", "no default channels: events whose %q header is missing or matches no mapping are dropped (as in Flume)", m.header)
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// channelList reads key as a list of channel names split on single spaces,
// as Flume does, checking each against the source's channels. Duplicates
// are dropped with a warning.
func channelList(cfg *flume.Context, key string, byName map[string]flume.NamedChannel) []flume.NamedChannel {
	p, ok := cfg.Lookup(key)
	if !ok {
		return nil
	}
	var out []flume.NamedChannel
	for _, name := range strings.Split(p.Value, " ") {
		ch, found := byName[name]
		switch {
		case name == "":
			cfg.Errorf(key, "empty channel name: Flume splits this list on single spaces, so two spaces in a row are an error")
			continue
		case !found:
			cfg.Errorf(key, "selector channel %q is not one of the source's channels", name)
			continue
		case slices.ContainsFunc(out, func(c flume.NamedChannel) bool { return c.Name == name }):
			cfg.Warnf(key, "channel %q is listed twice; it gets the events once", name)
			continue
		}
		out = append(out, ch)
	}
	return out
}
