package flume

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// kindOps registers and looks up one kind through its typed methods, so
// that every kind can be checked by the same test. The factory is identified
// by the marker it returns an error with.
type kindOps struct {
	register func(r *Registry, typ, marker string, aliases ...string) error
	lookup   func(r *Registry, typ string) (marker, canonical string, err error)
	global   func(typ, marker string, aliases ...string) error // the package-level Register function
}

func allKindOps() map[Kind]kindOps {
	mark := func(m string) error { return errors.New(m) }
	call := func(err error) string { return err.Error() }
	return map[Kind]kindOps{
		KindSource: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterSource(typ, func(Settings, *Context, ChannelProcessor) (Source, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.Source(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterSource(typ, func(Settings, *Context, ChannelProcessor) (Source, error) { return nil, mark(m) }, a...)
			},
		},
		KindChannel: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterChannel(typ, func(Settings, *Context) (Channel, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.Channel(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterChannel(typ, func(Settings, *Context) (Channel, error) { return nil, mark(m) }, a...)
			},
		},
		KindSink: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterSink(typ, func(Settings, *Context, Channel) (Sink, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.Sink(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterSink(typ, func(Settings, *Context, Channel) (Sink, error) { return nil, mark(m) }, a...)
			},
		},
		KindInterceptor: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterInterceptor(typ, func(Settings, *Context) (Interceptor, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.Interceptor(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterInterceptor(typ, func(Settings, *Context) (Interceptor, error) { return nil, mark(m) }, a...)
			},
		},
		KindSinkSelector: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterSinkSelector(typ, func(Settings, *Context) (SinkSelector, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.SinkSelector(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterSinkSelector(typ, func(Settings, *Context) (SinkSelector, error) { return nil, mark(m) }, a...)
			},
		},
		KindChannelSelector: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterChannelSelector(typ, func(Settings, *Context, []NamedChannel) (ChannelSelector, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.ChannelSelector(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterChannelSelector(typ, func(Settings, *Context, []NamedChannel) (ChannelSelector, error) { return nil, mark(m) }, a...)
			},
		},
		KindSinkProcessor: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterSinkProcessor(typ, func(Settings, *Context, []NamedSink) (Sink, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.SinkProcessor(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterSinkProcessor(typ, func(Settings, *Context, []NamedSink) (Sink, error) { return nil, mark(m) }, a...)
			},
		},
		KindEventSerializer: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterEventSerializer(typ, func(Settings, *Context) (EventSerializerBuilder, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.EventSerializer(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterEventSerializer(typ, func(Settings, *Context) (EventSerializerBuilder, error) { return nil, mark(m) }, a...)
			},
		},
		KindEventDeserializer: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterEventDeserializer(typ, func(Settings, *Context) (EventDeserializerBuilder, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.EventDeserializer(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterEventDeserializer(typ, func(Settings, *Context) (EventDeserializerBuilder, error) { return nil, mark(m) }, a...)
			},
		},
		KindHTTPSourceHandler: {
			func(r *Registry, typ, m string, a ...string) error {
				return r.RegisterHTTPSourceHandler(typ, func(Settings, *Context) (HTTPSourceHandler, error) { return nil, mark(m) }, a...)
			},
			func(r *Registry, typ string) (string, string, error) {
				f, c, err := r.HTTPSourceHandler(typ)
				if err != nil {
					return "", "", err
				}
				_, ferr := f(Settings{}, nil)
				return call(ferr), c, nil
			},
			func(typ, m string, a ...string) error {
				return RegisterHTTPSourceHandler(typ, func(Settings, *Context) (HTTPSourceHandler, error) { return nil, mark(m) }, a...)
			},
		},
	}
}

// TestRegistryEveryKind checks, for every kind, Flume's alias rules (short
// names in any case, class names exactly), clash refusal without a partial
// entry, TakeErrors, Types, that kinds do not share names, and that the
// package-level Register function fills the default registry.
func TestRegistryEveryKind(t *testing.T) {
	ops := allKindOps()
	if len(ops) != len(Kinds()) {
		t.Fatalf("the test covers %d kinds, Kinds() lists %d", len(ops), len(Kinds()))
	}
	r := NewRegistry()
	for _, k := range Kinds() {
		op, ok := ops[k]
		if !ok {
			t.Fatalf("kind %q is not covered by the test", k)
		}
		// The same names in every kind: tables are separate.
		if err := op.register(r, "json_thing", "first", "com.example.JsonThing$Builder"); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		for _, n := range []string{"json_thing", "JSON_THING", "Json_Thing", "com.example.JsonThing$Builder"} {
			m, canonical, err := op.lookup(r, n)
			if err != nil || m != "first" || canonical != "json_thing" {
				t.Errorf("%s %q: factory %q, canonical %q, %v", k, n, m, canonical, err)
			}
		}
		if _, _, err := op.lookup(r, "com.example.jsonthing$Builder"); err == nil {
			t.Errorf("%s: a class name matched case-insensitively", k)
		}
		_, _, err := op.lookup(r, "json")
		if err == nil || !strings.Contains(err.Error(), `unknown `+string(k)+` type "json" (known: json_thing, or a registered class name)`) {
			t.Errorf("%s: unknown type error = %v", k, err)
		}
		if err := op.register(r, "Json_Thing", "second"); err == nil {
			t.Errorf("%s: a short name clashing in another case was accepted", k)
		}
		if err := op.register(r, "other", "second", "com.example.JsonThing$Builder"); err == nil {
			t.Errorf("%s: a clashing class name was accepted", k)
		}
		if _, _, err := op.lookup(r, "other"); err == nil {
			t.Errorf("%s: a refused registration left a partial entry", k)
		}
		errs := r.TakeErrors()
		if len(errs) != 2 || !strings.Contains(errs[0].Error(), "register "+string(k)+` "Json_Thing": the name is already registered`) {
			t.Errorf("%s: TakeErrors = %v", k, errs)
		}
		if got := r.Types(k); !slices.Equal(got, []string{"com.example.JsonThing$Builder", "json_thing"}) {
			t.Errorf("%s: Types = %v", k, got)
		}
		if m, _, err := op.lookup(r, "json_thing"); err != nil || m != "first" {
			t.Errorf("%s: after the refused clashes the first factory must stay: %q, %v", k, m, err)
		}
		// The package-level function registers in the default registry.
		name := "com.example.registrytest." + strings.ReplaceAll(string(k), " ", "_")
		if err := op.global(name, "global"); err != nil {
			t.Errorf("%s: %v", k, err)
		}
		if m, _, err := op.lookup(DefaultRegistry(), name); err != nil || m != "global" {
			t.Errorf("%s: flume.Register… did not reach the default registry: %q, %v", k, m, err)
		}
	}
	if len(r.TakeErrors()) != 0 {
		t.Error("TakeErrors did not clear the refused registrations")
	}
	if r.Types("no such kind") != nil {
		t.Error("Types of an unknown kind should be nil")
	}
}

func TestSettingsLookup(t *testing.T) {
	if (Settings{}).Lookup() != DefaultRegistry() {
		t.Error("a nil Settings.Registry should mean the default registry")
	}
	r := NewRegistry()
	if (Settings{Registry: r}).Lookup() != r {
		t.Error("Settings.Lookup ignored Settings.Registry")
	}
}

// A clone holds every type of every kind its original held, and the two
// registries are independent afterwards, both ways.
func TestRegistryClone(t *testing.T) {
	r := NewRegistry()
	for k, op := range allKindOps() {
		if err := op.register(r, "shared", "original", "com.example.Shared"); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	c := r.Clone()
	for k, op := range allKindOps() {
		for _, n := range []string{"SHARED", "com.example.Shared"} {
			if m, canonical, err := op.lookup(c, n); err != nil || m != "original" || canonical != "shared" {
				t.Errorf("%s %q in the clone: factory %q, canonical %q, %v", k, n, m, canonical, err)
			}
		}
		if err := op.register(c, "clone_only", "clone"); err != nil {
			t.Fatalf("%s: register in the clone: %v", k, err)
		}
		if err := op.register(r, "original_only", "original"); err != nil {
			t.Fatalf("%s: register in the original: %v", k, err)
		}
		if _, _, err := op.lookup(r, "clone_only"); err == nil {
			t.Errorf("%s: a type registered in the clone appeared in the original", k)
		}
		if _, _, err := op.lookup(c, "original_only"); err == nil {
			t.Errorf("%s: a type registered in the original after cloning appeared in the clone", k)
		}
		if err := op.register(c, "shared", "again"); err == nil {
			t.Errorf("%s: the clone accepted a name it already holds", k)
		}
	}
}
