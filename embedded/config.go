package embedded

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
)

// The embedded agent's keys, as Flume's EmbeddedAgentConfiguration names
// them.
const (
	keySinks         = "sinks"
	keyChannelType   = "channel.type"
	keyProcessorType = "processor.type"
	keySourceType    = "source.type"
	prefixChannel    = "channel."
	prefixProcessor  = "processor."
	prefixSource     = "source."
	keyInterceptors  = "source.interceptors"
)

// SourceType is the type of the embedded agent's source, the only one it
// takes (source.type may be omitted); SourceClass is Flume's class name
// for it. The type is registered only in the registry of an embedded
// agent: a flume-ng agent has no use for it.
const (
	SourceType  = "embedded"
	SourceClass = "org.apache.flume.agent.embedded.EmbeddedSource"
)

// Types an embedded agent allows, by canonical registry name. Flume 1.11
// allows avro sinks only; thrift sinks are a flumego addition.
var (
	allowedChannels   = []string{"memory", "file"}
	allowedSinks      = []string{"avro", "thrift"}
	allowedProcessors = []string{"default", "failover", "load_balance"}
	// reservedSinkNames are Flume's DISALLOWED_SINK_NAMES: the prefixes of
	// the agent's other parts.
	reservedSinkNames = []string{"source", "channel", "processor"}
)

// Names returns the names an embedded agent called name gives its source,
// channel and sink group, as Flume does: "source-", "channel-" and
// "sink-group-" followed by name without its whitespace. The counters are
// published under them (SOURCE.source-app, CHANNEL.channel-app); the sinks
// keep the names listed in the sinks property.
func Names(name string) (source, channel, sinkGroup string) {
	stripped := strings.Join(strings.Fields(name), "")
	return "source-" + stripped, "channel-" + stripped, "sink-group-" + stripped
}

// translation collects the problems of an embedded configuration.
type translation struct {
	reg      *flume.Registry
	problems flume.Problems
}

func (t *translation) add(sev flume.Severity, at flume.Property, withValue bool, format string, args ...any) {
	var cause error
	for _, a := range args {
		if err, ok := a.(error); ok {
			cause = err
			break
		}
	}
	t.problems = append(t.problems, flume.Problem{Severity: sev, File: at.File, Line: at.Line, Key: at.Key,
		Value: at.Value, HasValue: withValue, Message: fmt.Sprintf(format, args...), Err: cause})
}

// checkType resolves typ in the registry with lookup and reports an error
// unless its canonical name is one of allowed.
func (t *translation) checkType(at flume.Property, what string, allowed []string, lookup func(string) (string, error)) {
	canonical, err := lookup(at.Value)
	switch {
	case err != nil:
		t.add(flume.Error, at, false, "%v; an embedded agent's %s is %s", err, what, strings.Join(allowed, " or "))
	case !slices.Contains(allowed, canonical):
		t.add(flume.Error, at, true, "an embedded agent's %s is %s, not %s", what, strings.Join(allowed, " or "), canonical)
	}
}

// Translate turns the embedded agent properties of agent name into the
// configuration of an ordinary agent, as Flume's
// EmbeddedAgentConfiguration does: one source of type embedded (with the
// interceptors of source.interceptors) writing to one channel (channel.*),
// drained by the sinks listed in sinks (<sink>.*) in one sink group
// (processor.*). See the package documentation for the keys.
//
// Problems are located at the properties as written. A missing or
// disallowed type is an error, and then the configuration is nil; a key the
// embedded agent does not take is a warning and is left out. The
// components' own keys (channel.capacity, sink1.batch-size, ...) are checked
// when the agent builds them, like any agent's.
func Translate(name string, props *conf.Properties, reg *flume.Registry) (*conf.AgentConfig, flume.Problems) {
	t := &translation{reg: reg}
	t.problems = append(t.problems, props.Problems...)
	srcName, chName, groupName := Names(name)

	sinksProp, hasSinks := props.Get(keySinks)
	var sinkNames []string
	if hasSinks {
		for _, s := range strings.Fields(sinksProp.Value) {
			if slices.Contains(reservedSinkNames, strings.ToLower(s)) {
				t.add(flume.Error, sinksProp, true, "sink name %q is reserved: %s name the other parts of an embedded agent",
					s, strings.Join(reservedSinkNames, ", "))
				continue
			}
			if !slices.Contains(sinkNames, s) {
				sinkNames = append(sinkNames, s)
			}
		}
	} else {
		t.add(flume.Error, flume.Property{Key: keySinks}, false, "required: the names of the embedded agent's sinks, separated by spaces")
	}

	// Sort every key into its component, as Flume does: a listed sink's
	// prefix first, then channel., processor. and source.
	sinkProps := map[string][]flume.Property{}
	var chProps, procProps, srcProps []flume.Property
	for _, p := range props.All() {
		key := p.Key
		if key == keySinks {
			continue
		}
		if i := slices.IndexFunc(sinkNames, func(s string) bool { return strings.HasPrefix(key, s+".") }); i >= 0 {
			if key == sinkNames[i]+".channel" {
				t.add(flume.Warning, p, false, "unknown property: an embedded agent's sinks take events from its one channel; it is ignored")
				continue
			}
			sinkProps[sinkNames[i]] = append(sinkProps[sinkNames[i]], p)
			continue
		}
		switch {
		case strings.HasPrefix(key, prefixChannel):
			chProps = append(chProps, p)
		case strings.HasPrefix(key, prefixProcessor):
			procProps = append(procProps, p)
		case key == keySourceType || key == keyInterceptors || strings.HasPrefix(key, keyInterceptors+"."):
			srcProps = append(srcProps, p)
		case strings.HasPrefix(key, prefixSource):
			t.add(flume.Warning, p, false, "unknown property: the embedded source takes %s and %s only; it is ignored", keySourceType, keyInterceptors)
		default:
			t.add(flume.Warning, p, false, "unknown property: an embedded agent takes %s*, %s, <sink>.* for each sink listed in %s, %s* and %s; it is ignored",
				prefixChannel, keySinks, keySinks, prefixProcessor, keyInterceptors)
		}
	}

	// Types: required and allowed, as in Flume.
	chType, ok := props.Get(keyChannelType)
	if ok {
		t.checkType(chType, "channel", allowedChannels, func(s string) (string, error) { _, c, err := reg.Channel(s); return c, err })
	} else {
		t.add(flume.Error, flume.Property{Key: keyChannelType}, false, "required: memory or file")
	}
	var sinks []*conf.Sink
	for _, s := range sinkNames {
		typ, ok := props.Get(s + ".type")
		if !ok {
			at := flume.Property{Key: s + ".type", File: sinksProp.File, Line: sinksProp.Line}
			t.add(flume.Error, at, false, "required: sink %q is listed in %s and needs a type: avro or thrift", s, keySinks)
			continue
		}
		t.checkType(typ, "sink", allowedSinks, func(s string) (string, error) { _, c, err := reg.Sink(s); return c, err })
		sinks = append(sinks, &conf.Sink{Component: conf.Component{Kind: flume.KindSink, Name: s, Type: typ.Value,
			Prefix: s + ".", Anchor: typ, Props: sinkProps[s]}, Channel: chName})
	}
	procType, ok := props.Get(keyProcessorType)
	if ok {
		t.checkType(procType, "sink processor", allowedProcessors, func(s string) (string, error) { _, c, err := reg.SinkProcessor(s); return c, err })
	} else {
		t.add(flume.Error, flume.Property{Key: keyProcessorType}, false, "required: default (one sink), failover or load_balance")
	}
	srcType, ok := props.Get(keySourceType)
	if ok {
		t.checkType(srcType, "source", []string{SourceType}, func(s string) (string, error) { _, c, err := reg.Source(s); return c, err })
	} else {
		srcType = flume.Property{Key: keySourceType, Value: SourceType}
	}
	if len(t.problems.Errors()) > 0 {
		return nil, t.problems
	}

	src := &conf.Source{Component: conf.Component{Kind: flume.KindSource, Name: srcName, Type: srcType.Value,
		Prefix: prefixSource, Anchor: srcType, Props: srcProps}, Channels: []string{chName}}
	ch := &conf.Component{Kind: flume.KindChannel, Name: chName, Type: chType.Value, Prefix: prefixChannel,
		Anchor: chType, Props: chProps}
	group := &conf.SinkGroup{Component: conf.Component{Name: groupName, Anchor: procType, Props: procProps},
		Sinks: sinkNames}
	return &conf.AgentConfig{Name: name, Sources: []*conf.Source{src}, Channels: []*conf.Component{ch}, Sinks: sinks,
		SinkGroups: []*conf.SinkGroup{group}, Problems: t.problems}, t.problems
}

// hasInterceptors reports whether a configuration lists interceptors.
func hasInterceptors(cfg *conf.AgentConfig) bool {
	return len(cfg.Sources[0].Context().Fields("interceptors")) > 0
}
