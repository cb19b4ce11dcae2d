package componenttest

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"go.uber.org/goleak"
)

// Case is the minimal valid configuration of one registered type, for
// Registry.
type Case struct {
	// Kind and Type name the type as registered (Type may be any of its
	// names).
	Kind flume.Kind
	Type string
	// Props are the component's properties, as under
	// "<agent>.sinks.<name>." (without type and channel). The suite fails
	// when the component leaves one of them unread.
	Props map[string]string
	// Setup, when set, runs once before the type's checks: it starts what
	// the component needs (a peer on 127.0.0.1, a directory), registers
	// its cleanup with t.Cleanup and returns properties to add to Props.
	Setup func(t testing.TB) map[string]string
	// Feed, for a source, makes the started source receive events (sends
	// them to the port it listens on).
	Feed func(t testing.TB, src flume.Source)
	// Produces, for a source, says that a started (and fed) source puts
	// events on its channel: the suite waits for the first one.
	Produces bool
}

// kinds are the kinds Registry walks, in order.
var kinds = []flume.Kind{flume.KindChannel, flume.KindSink, flume.KindSource, flume.KindInterceptor}

// Registry runs the lifecycle checks on every source, channel and sink
// type registered in r, and builds and runs every interceptor type (with
// the checks too when it implements flume.Lifecycle), each with its
// configuration from cases. A registered type without a case fails the
// test, and so does a case for a type that is not registered.
func Registry(t *testing.T, r *flume.Registry, cases []Case) {
	t.Helper()
	runs, problems := plan(r, cases)
	for _, p := range problems {
		t.Error(p)
	}
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			for _, c := range runs {
				if c.Kind == kind {
					t.Run(c.Type, func(t *testing.T) { runCase(t, r, c) })
				}
			}
		})
	}
}

// plan matches the registered types with cases: the cases to run, in
// kind and name order, with canonical type names, and what does not match.
func plan(r *flume.Registry, cases []Case) ([]Case, []string) {
	var problems []string
	table := map[string]Case{}
	for _, c := range cases {
		canonical, err := lookup(r, c.Kind, c.Type)
		if err != nil {
			problems = append(problems, fmt.Sprintf("conformance case %s %q: %v", c.Kind, c.Type, err))
			continue
		}
		k := string(c.Kind) + "\x00" + canonical
		if _, dup := table[k]; dup {
			problems = append(problems, fmt.Sprintf("conformance case %s %q is listed twice", c.Kind, canonical))
		}
		c.Type = canonical
		table[k] = c
	}
	var runs []Case
	for _, kind := range kinds {
		for _, typ := range canonicalTypes(r, kind) {
			c, ok := table[string(kind)+"\x00"+typ]
			if !ok {
				problems = append(problems, fmt.Sprintf(
					"%s type %q is registered but has no conformance case: add its minimal configuration to the table", kind, typ))
				continue
			}
			runs = append(runs, c)
		}
	}
	return runs, problems
}

// lookup returns the canonical name of typ.
func lookup(r *flume.Registry, kind flume.Kind, typ string) (string, error) {
	var canonical string
	var err error
	switch kind {
	case flume.KindSource:
		_, canonical, err = r.Source(typ)
	case flume.KindChannel:
		_, canonical, err = r.Channel(typ)
	case flume.KindSink:
		_, canonical, err = r.Sink(typ)
	case flume.KindInterceptor:
		_, canonical, err = r.Interceptor(typ)
	default:
		err = fmt.Errorf("the suite does not check %s types", kind)
	}
	return canonical, err
}

// canonicalTypes returns the canonical names of kind's types, sorted.
func canonicalTypes(r *flume.Registry, kind flume.Kind) []string {
	seen := map[string]bool{}
	for _, name := range r.Types(kind) {
		if canonical, err := lookup(r, kind, name); err == nil {
			seen[canonical] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func runCase(t *testing.T, r *flume.Registry, c Case) {
	props := maps.Clone(c.Props)
	if props == nil {
		props = map[string]string{}
	}
	if c.Setup != nil {
		maps.Copy(props, c.Setup(t))
	}
	set := func(name string) flume.Settings {
		return flume.Settings{Agent: "a1", Name: name, Type: c.Type, Registry: r}
	}
	switch c.Kind {
	case flume.KindChannel:
		f, _, _ := r.Channel(c.Type)
		Lifecycle(t, ChannelSubject(func(t testing.TB) flume.Channel {
			return build(t, props, func(cfg *flume.Context) (flume.Channel, error) { return f(set("c1"), cfg) })
		}))
	case flume.KindSink:
		f, _, _ := r.Sink(c.Type)
		Lifecycle(t, SinkSubject(func(t testing.TB, in flume.Channel) flume.Sink {
			return build(t, props, func(cfg *flume.Context) (flume.Sink, error) { return f(set("k1"), cfg, in) })
		}))
	case flume.KindSource:
		f, _, _ := r.Source(c.Type)
		Lifecycle(t, SourceSubject(func(t testing.TB, out flume.ChannelProcessor) flume.Source {
			return build(t, props, func(cfg *flume.Context) (flume.Source, error) { return f(set("r1"), cfg, out) })
		}, c.Feed, c.Produces))
	case flume.KindInterceptor:
		f, _, _ := r.Interceptor(c.Type)
		newInterceptor := func(t testing.TB) flume.Interceptor {
			return build(t, props, func(cfg *flume.Context) (flume.Interceptor, error) { return f(set("i1"), cfg) })
		}
		t.Run("Intercept", func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			in := newInterceptor(t)
			if _, err := in.Intercept(events(3)); err != nil {
				t.Fatalf("Intercept: %v", err)
			}
			if _, ok := in.(flume.Lifecycle); !ok {
				noLeaks(t, before, "building an interceptor without a lifecycle")
			}
		})
		if _, ok := newInterceptor(t).(flume.Lifecycle); ok {
			Lifecycle(t, Subject{
				Build: func(t testing.TB) flume.Lifecycle { return newInterceptor(t).(flume.Lifecycle) },
				Exercise: func(t testing.TB, l flume.Lifecycle) {
					if _, err := l.(flume.Interceptor).Intercept(events(3)); err != nil {
						t.Fatalf("Intercept: %v", err)
					}
				},
			})
		}
	}
}

// build makes a component from props with f and checks that it read every
// property.
func build[C any](t testing.TB, props map[string]string, f func(*flume.Context) (C, error)) C {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	c, err := f(cfg)
	if err != nil {
		t.Fatalf("build with %v: %v", props, err)
	}
	var unread []string
	for _, p := range cfg.Unused() {
		unread = append(unread, p.Key)
	}
	if len(unread) > 0 {
		sort.Strings(unread)
		t.Fatalf("the component does not read the case's properties %s", strings.Join(unread, ", "))
	}
	return c
}
