package flume

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
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
	// Registry resolves the types of the extension points a component
	// builds itself: a sink's event serializer, a source's deserializer or
	// HTTP handler. The agent sets it to the registry it builds with; nil
	// means DefaultRegistry(); Lookup applies that default.
	Registry *Registry
}

// Lookup returns the registry a component resolves nested types in:
// s.Registry, or DefaultRegistry() when it is nil.
func (s Settings) Lookup() *Registry {
	if s.Registry == nil {
		return DefaultRegistry()
	}
	return s.Registry
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
// "<g.Type()>.<Name>". Components call it once, from the constructor their
// factory calls (New), so that one built in code is monitored too; tests
// read the counters through a capturing Publisher, not through accessors.
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

// ChannelSelectorFactory builds a source's channel selector from the
// source's "selector." configuration and the source's channels, in
// configuration order. set is the source's, with Type the selector's
// canonical type.
type ChannelSelectorFactory func(set Settings, cfg *Context, channels []NamedChannel) (ChannelSelector, error)

// SinkProcessorFactory builds the processor of a sink group from the group's
// "processor." configuration and its member sinks, already built, in
// configuration order (at least one, names unique). The processor is a Sink
// that a sink runner drives like any other: its Start and Stop start and
// stop the members, its Process calls theirs (from the runner's one
// goroutine) and returns an error only when no member could take the batch.
// set is the group's, with Type the processor's canonical type.
type SinkProcessorFactory func(set Settings, cfg *Context, sinks []NamedSink) (Sink, error)

// EventSerializerFactory reads an event serializer's configuration (the
// keys under the sink's "serializer." prefix) when the sink is built, so
// that a bad value is reported with the rest of the configuration, and
// returns the builder the sink calls for each file it opens.
type EventSerializerFactory func(set Settings, cfg *Context) (EventSerializerBuilder, error)

// EventDeserializerFactory reads an event deserializer's configuration (the
// keys under the source's "deserializer." prefix) when the source is built
// and returns the builder the source calls for each file it reads.
type EventDeserializerFactory func(set Settings, cfg *Context) (EventDeserializerBuilder, error)

// HTTPSourceHandlerFactory builds the handler of an HTTP source from the
// source's "handler." configuration.
type HTTPSourceHandlerFactory func(set Settings, cfg *Context) (HTTPSourceHandler, error)

// Kind names a kind of pluggable component.
type Kind string

// The kinds of components a Registry holds.
const (
	KindSource            Kind = "source"
	KindChannel           Kind = "channel"
	KindSink              Kind = "sink"
	KindInterceptor       Kind = "interceptor"
	KindSinkSelector      Kind = "sink selector"
	KindChannelSelector   Kind = "channel selector"
	KindSinkProcessor     Kind = "sink processor"
	KindEventSerializer   Kind = "event serializer"
	KindEventDeserializer Kind = "event deserializer"
	KindHTTPSourceHandler Kind = "http source handler"
)

// Kinds returns every kind a Registry holds, in a fixed order.
func Kinds() []Kind {
	return []Kind{KindSource, KindChannel, KindSink, KindInterceptor, KindSinkSelector,
		KindChannelSelector, KindSinkProcessor, KindEventSerializer, KindEventDeserializer, KindHTTPSourceHandler}
}

// Registry maps type names to factories, one table per kind of component.
//
// A name without a dot is a short alias and matches case-insensitively, as
// Flume's aliases do ("memory", "MEMORY", "TAILDIR"); a name with a dot is a
// class name and matches exactly ("org.apache.flume.channel.MemoryChannel",
// "com.example.flume.WebhookSink"). Registering a name that is already taken
// is an error, never a silent replacement. A Registry is safe for concurrent
// use.
type Registry struct {
	mu            sync.RWMutex
	failed        []error // registrations refused since the last TakeErrors
	sources       table[SourceFactory]
	channels      table[ChannelFactory]
	sinks         table[SinkFactory]
	interceptors  table[InterceptorFactory]
	selectors     table[SinkSelectorFactory]
	chanSelectors table[ChannelSelectorFactory]
	processors    table[SinkProcessorFactory]
	serializers   table[EventSerializerFactory]
	deserializers table[EventDeserializerFactory]
	httpHandlers  table[HTTPSourceHandlerFactory]
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		sources:      newTable[SourceFactory](KindSource),
		channels:     newTable[ChannelFactory](KindChannel),
		sinks:        newTable[SinkFactory](KindSink),
		interceptors: newTable[InterceptorFactory](KindInterceptor),
		selectors:    newTable[SinkSelectorFactory](KindSinkSelector),

		chanSelectors: newTable[ChannelSelectorFactory](KindChannelSelector),
		processors:    newTable[SinkProcessorFactory](KindSinkProcessor),
		serializers:   newTable[EventSerializerFactory](KindEventSerializer),
		deserializers: newTable[EventDeserializerFactory](KindEventDeserializer),
		httpHandlers:  newTable[HTTPSourceHandlerFactory](KindHTTPSourceHandler),
	}
}

// Clone returns a new registry holding every type r holds now. Registering
// in one afterwards does not change the other: a program that needs a type
// for one agent only (the embedded agent's source) clones the registry it
// builds with and registers the type in the clone.
func (r *Registry) Clone() *Registry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return &Registry{
		sources:       r.sources.clone(),
		channels:      r.channels.clone(),
		sinks:         r.sinks.clone(),
		interceptors:  r.interceptors.clone(),
		selectors:     r.selectors.clone(),
		chanSelectors: r.chanSelectors.clone(),
		processors:    r.processors.clone(),
		serializers:   r.serializers.clone(),
		deserializers: r.deserializers.clone(),
		httpHandlers:  r.httpHandlers.clone(),
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

// RegisterChannelSelector registers a channel selector factory (selector.type
// of a source).
func (r *Registry) RegisterChannelSelector(typ string, f ChannelSelectorFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.chanSelectors.add(typ, f, aliases))
}

// RegisterSinkProcessor registers a sink processor factory (processor.type
// of a sink group).
func (r *Registry) RegisterSinkProcessor(typ string, f SinkProcessorFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.processors.add(typ, f, aliases))
}

// RegisterEventSerializer registers an event serializer factory (the
// serializer of file_roll and HDFS sinks; Flume's class names are the
// builders', ending in "$Builder").
func (r *Registry) RegisterEventSerializer(typ string, f EventSerializerFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.serializers.add(typ, f, aliases))
}

// RegisterEventDeserializer registers an event deserializer factory (the
// deserializer of the spooling directory source).
func (r *Registry) RegisterEventDeserializer(typ string, f EventDeserializerFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.deserializers.add(typ, f, aliases))
}

// RegisterHTTPSourceHandler registers an HTTP source handler factory (the
// handler of the HTTP source).
func (r *Registry) RegisterHTTPSourceHandler(typ string, f HTTPSourceHandlerFactory, aliases ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.record(r.httpHandlers.add(typ, f, aliases))
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

// ChannelSelector returns the channel selector factory registered under typ.
func (r *Registry) ChannelSelector(typ string) (ChannelSelectorFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.chanSelectors.get(typ)
}

// SinkProcessor returns the sink processor factory registered under typ.
func (r *Registry) SinkProcessor(typ string) (SinkProcessorFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.processors.get(typ)
}

// EventSerializer returns the event serializer factory registered under typ.
func (r *Registry) EventSerializer(typ string) (EventSerializerFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.serializers.get(typ)
}

// EventDeserializer returns the event deserializer factory registered under
// typ.
func (r *Registry) EventDeserializer(typ string) (EventDeserializerFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.deserializers.get(typ)
}

// HTTPSourceHandler returns the HTTP source handler factory registered under
// typ.
func (r *Registry) HTTPSourceHandler(typ string) (HTTPSourceHandlerFactory, string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.httpHandlers.get(typ)
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
	case KindChannelSelector:
		return r.chanSelectors.names()
	case KindSinkProcessor:
		return r.processors.names()
	case KindEventSerializer:
		return r.serializers.names()
	case KindEventDeserializer:
		return r.deserializers.names()
	case KindHTTPSourceHandler:
		return r.httpHandlers.names()
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

func (t *table[F]) clone() table[F] {
	return table[F]{kind: t.kind, short: maps.Clone(t.short), classes: maps.Clone(t.classes)}
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
	return zero, "", newUnknownTypeError(t.kind, typ, dedupSorted(shorts))
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

// RegisterChannelSelector registers a channel selector type in the default
// registry.
func RegisterChannelSelector(typ string, f ChannelSelectorFactory, aliases ...string) error {
	return defaultRegistry.RegisterChannelSelector(typ, f, aliases...)
}

// RegisterSinkProcessor registers a sink processor type in the default
// registry.
func RegisterSinkProcessor(typ string, f SinkProcessorFactory, aliases ...string) error {
	return defaultRegistry.RegisterSinkProcessor(typ, f, aliases...)
}

// RegisterEventSerializer registers an event serializer type in the default
// registry.
func RegisterEventSerializer(typ string, f EventSerializerFactory, aliases ...string) error {
	return defaultRegistry.RegisterEventSerializer(typ, f, aliases...)
}

// RegisterEventDeserializer registers an event deserializer type in the
// default registry.
func RegisterEventDeserializer(typ string, f EventDeserializerFactory, aliases ...string) error {
	return defaultRegistry.RegisterEventDeserializer(typ, f, aliases...)
}

// RegisterHTTPSourceHandler registers an HTTP source handler type in the
// default registry.
func RegisterHTTPSourceHandler(typ string, f HTTPSourceHandlerFactory, aliases ...string) error {
	return defaultRegistry.RegisterHTTPSourceHandler(typ, f, aliases...)
}

// ChannelProcessorFunc adapts a function to the ChannelProcessor interface.
type ChannelProcessorFunc func(ctx context.Context, events []Event) error

// Process calls f.
func (f ChannelProcessorFunc) Process(ctx context.Context, events []Event) error {
	return f(ctx, events)
}
