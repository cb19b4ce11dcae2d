package flume

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
)

// Settings is what the agent hands every component it builds, besides the
// component's configuration: its identity, a logger already tagged with it,
// and where to publish its counters.
type Settings struct {
	// Agent is the agent name given with -n.
	Agent string
	// Name is the component name from the properties file (r1, c1, k1).
	Name string
	// Type is the type as written in the properties file.
	Type string
	// Logger is tagged with the component's kind, name and type. It may be
	// nil; use Log.
	Logger *slog.Logger
	// Publisher receives the component's counter group; nil discards it.
	Publisher func(CounterGroup)
}

// Log returns the component's logger, or a logger that discards everything
// when none was set.
func (s Settings) Log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Publish registers the component's counters for monitoring, under
// "<g.Type()>.<Name>". Components call it once, from their factory.
func (s Settings) Publish(g CounterGroup) {
	if s.Publisher != nil {
		s.Publisher(g)
	}
}

// SourceFactory builds a source that hands its events to out. It validates
// and allocates only: sockets are opened and processes started in Start.
// Bad settings are reported through cfg (its getters and Errorf) or as the
// returned error.
type SourceFactory func(set Settings, cfg *Context, out ChannelProcessor) (Source, error)

// ChannelFactory builds a channel. Files are opened in Start.
type ChannelFactory func(set Settings, cfg *Context) (Channel, error)

// SinkFactory builds a sink that drains in. Connections are opened in Start
// (or lazily in Process).
type SinkFactory func(set Settings, cfg *Context, in Channel) (Sink, error)

// InterceptorFactory builds an interceptor from its configuration (the keys
// under "<source>.interceptors.<name>.").
type InterceptorFactory func(set Settings, cfg *Context) (Interceptor, error)

// SinkSelectorFactory builds a load_balance sink selector from the group's
// "processor.selector." configuration (what Flume hands a custom selector).
type SinkSelectorFactory func(set Settings, cfg *Context) (SinkSelector, error)

// Kind names a kind of pluggable component.
type Kind string

// The kinds of components a Registry holds.
const (
	KindSource       Kind = "source"
	KindChannel      Kind = "channel"
	KindSink         Kind = "sink"
	KindInterceptor  Kind = "interceptor"
	KindSinkSelector Kind = "sink selector"
)

// Registry maps type names to factories, one table per kind of component.
//
// A name without a dot is a short alias and matches case-insensitively, as
// Flume's aliases do ("memory", "MEMORY", "TAILDIR"); a name with a dot is a
// class name and matches exactly ("org.apache.flume.channel.MemoryChannel",
// "com.example.flume.WebhookSink"). Registering a name that is already taken
// is an error, never a silent replacement. A Registry is safe for concurrent
// use.
type Registry struct {
	mu           sync.RWMutex
	failed       []error // registrations refused since the last TakeErrors
	sources      table[SourceFactory]
	channels     table[ChannelFactory]
	sinks        table[SinkFactory]
	interceptors table[InterceptorFactory]
	selectors    table[SinkSelectorFactory]
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		sources:      newTable[SourceFactory](KindSource),
		channels:     newTable[ChannelFactory](KindChannel),
		sinks:        newTable[SinkFactory](KindSink),
		interceptors: newTable[InterceptorFactory](KindInterceptor),
		selectors:    newTable[SinkSelectorFactory](KindSinkSelector),
	}
}

// RegisterSource registers a source factory under typ and aliases.
func (r *Registry) RegisterSource(typ string, f SourceFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.sources.add(typ, f, aliases))
}

// RegisterChannel registers a channel factory under typ and aliases.
func (r *Registry) RegisterChannel(typ string, f ChannelFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.channels.add(typ, f, aliases))
}

// RegisterSink registers a sink factory under typ and aliases.
func (r *Registry) RegisterSink(typ string, f SinkFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.sinks.add(typ, f, aliases))
}

// RegisterInterceptor registers an interceptor factory under typ and
// aliases (Flume's builder class names end in "$Builder").
func (r *Registry) RegisterInterceptor(typ string, f InterceptorFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.interceptors.add(typ, f, aliases))
}

// RegisterSinkSelector registers a load_balance sink selector factory.
func (r *Registry) RegisterSinkSelector(typ string, f SinkSelectorFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.selectors.add(typ, f, aliases))
}

func (r *Registry) record(err error) error {
	if err != nil {
		r.failed = append(r.failed, err)
	}
	return err
}

// TakeErrors returns the registrations refused since the last call (name
// clashes), so that a loader can report a plugin whose init ignored the
// error RegisterX returned.
func (r *Registry) TakeErrors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs := r.failed
	r.failed = nil
	return errs
}

// Source returns the source factory registered under typ and its canonical
// name. The error lists the known types.
func (r *Registry) Source(typ string) (SourceFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.sources.get(typ)
}

// Channel returns the channel factory registered under typ.
func (r *Registry) Channel(typ string) (ChannelFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.channels.get(typ)
}

// Sink returns the sink factory registered under typ.
func (r *Registry) Sink(typ string) (SinkFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.sinks.get(typ)
}

// Interceptor returns the interceptor factory registered under typ.
func (r *Registry) Interceptor(typ string) (InterceptorFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.interceptors.get(typ)
}

// SinkSelector returns the sink selector factory registered under typ.
func (r *Registry) SinkSelector(typ string) (SinkSelectorFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.selectors.get(typ)
}

// Types returns every registered name of a kind, canonical names and
// aliases, sorted.
func (r *Registry) Types(k Kind) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	switch k {
	case KindSource:
		return r.sources.names()
	case KindChannel:
		return r.channels.names()
	case KindSink:
		return r.sinks.names()
	case KindInterceptor:
		return r.interceptors.names()
	case KindSinkSelector:
		return r.selectors.names()
	}
	return nil
}

type table[F any] struct {
	kind    Kind
	short   map[string]entry[F] // lower-cased alias -> entry
	classes map[string]entry[F] // exact class name -> entry
}

type entry[F any] struct {
	canonical string
	factory   F
}

func newTable[F any](k Kind) table[F] {
	return table[F]{kind: k, short: map[string]entry[F]{}, classes: map[string]entry[F]{}}
}

func (t *table[F]) add(typ string, f F, aliases []string) error {
	names := append([]string{typ}, aliases...)
	for _, n := range names {
		if strings.TrimSpace(n) == "" || strings.TrimSpace(n) != n {
			return fmt.Errorf("register %s %q: empty name or surrounding space", t.kind, n)
		}
		if _, taken := t.lookup(n); taken {
			return fmt.Errorf("register %s %q: the name is already registered", t.kind, n)
		}
	}
	e := entry[F]{canonical: typ, factory: f}
	for _, n := range names {
		if strings.Contains(n, ".") {
			t.classes[n] = e
		} else {
			t.short[strings.ToLower(n)] = e
		}
	}
	return nil
}

func (t *table[F]) lookup(n string) (entry[F], bool) {
	if strings.Contains(n, ".") {
		e, ok := t.classes[n]
		return e, ok
	}
	e, ok := t.short[strings.ToLower(n)]
	return e, ok
}

func (t *table[F]) get(typ string) (F, string, error) {
	if e, ok := t.lookup(strings.TrimSpace(typ)); ok {
		return e.factory, e.canonical, nil
	}
	var zero F
	var shorts []string
	for _, e := range t.short {
		shorts = append(shorts, e.canonical)
	}
	shorts = dedupSorted(shorts)
	msg := fmt.Sprintf("unknown %s type %q", t.kind, typ)
	if len(shorts) > 0 {
		msg += " (known: " + strings.Join(shorts, ", ") + ", or a registered class name)"
	}
	return zero, "", fmt.Errorf("%s", msg)
}

func (t *table[F]) names() []string {
	var out []string
	for n := range t.short {
		out = append(out, n)
	}
	for n := range t.classes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func dedupSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

var defaultRegistry = NewRegistry()

// DefaultRegistry returns the process-wide registry that the flume-ng
// command uses: the built-in components plus every plugin registered from
// an init function.
func DefaultRegistry() *Registry { return defaultRegistry }

// RegisterSource registers a source type in the default registry. Plugins
// call it from init; a clash with an existing name is returned (and reported
// by the agent when it loads the plugin).
func RegisterSource(typ string, f SourceFactory, aliases ...string) error {
	return defaultRegistry.RegisterSource(typ, f, aliases...)
}

// RegisterChannel registers a channel type in the default registry.
func RegisterChannel(typ string, f ChannelFactory, aliases ...string) error {
	return defaultRegistry.RegisterChannel(typ, f, aliases...)
}

// RegisterSink registers a sink type in the default registry.
func RegisterSink(typ string, f SinkFactory, aliases ...string) error {
	return defaultRegistry.RegisterSink(typ, f, aliases...)
}

// RegisterInterceptor registers an interceptor type in the default registry.
func RegisterInterceptor(typ string, f InterceptorFactory, aliases ...string) error {
	return defaultRegistry.RegisterInterceptor(typ, f, aliases...)
}

// RegisterSinkSelector registers a load_balance sink selector type in the
// default registry.
func RegisterSinkSelector(typ string, f SinkSelectorFactory, aliases ...string) error {
	return defaultRegistry.RegisterSinkSelector(typ, f, aliases...)
}

// ChannelProcessorFunc adapts a function to the ChannelProcessor interface.
type ChannelProcessorFunc func(ctx context.Context, events []Event) error

// Process calls f.
func (f ChannelProcessorFunc) Process(ctx context.Context, events []Event) error {
	return f(ctx, events)
}
