package plugins

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/flumego/flume"
)

// registerEveryKind registers one type of every kind, as a plugin's init
// function would, and returns the names the loader should report.
func registerEveryKind(reg *flume.Registry) []string {
	_ = errors.Join(
		reg.RegisterSource("com.example.S", func(flume.Settings, *flume.Context, flume.ChannelProcessor) (flume.Source, error) { return nil, nil }),
		reg.RegisterChannel("com.example.C", func(flume.Settings, *flume.Context) (flume.Channel, error) { return nil, nil }),
		reg.RegisterSink("com.example.K", func(flume.Settings, *flume.Context, flume.Channel) (flume.Sink, error) { return nil, nil }, "k"),
		reg.RegisterInterceptor("com.example.I$Builder", func(flume.Settings, *flume.Context) (flume.Interceptor, error) { return nil, nil }),
		reg.RegisterSinkSelector("com.example.SS", func(flume.Settings, *flume.Context) (flume.SinkSelector, error) { return nil, nil }),
		reg.RegisterChannelSelector("com.example.CS", func(flume.Settings, *flume.Context, []flume.NamedChannel) (flume.ChannelSelector, error) {
			return nil, nil
		}),
		reg.RegisterSinkProcessor("com.example.P", func(flume.Settings, *flume.Context, []flume.NamedSink) (flume.Sink, error) { return nil, nil }),
		reg.RegisterEventSerializer("com.example.Ser$Builder", func(flume.Settings, *flume.Context) (flume.EventSerializerBuilder, error) {
			return func(io.Writer) flume.EventSerializer { return nil }, nil
		}),
		reg.RegisterEventDeserializer("com.example.De$Builder", func(flume.Settings, *flume.Context) (flume.EventDeserializerBuilder, error) {
			return nil, nil
		}),
		reg.RegisterHTTPSourceHandler("com.example.H", func(flume.Settings, *flume.Context) (flume.HTTPSourceHandler, error) { return nil, nil }),
	)
	return []string{
		"channel com.example.C", "channel selector com.example.CS", "event deserializer com.example.De$Builder",
		"event serializer com.example.Ser$Builder", "http source handler com.example.H", "interceptor com.example.I$Builder",
		"sink com.example.K", "sink k", "sink processor com.example.P", "sink selector com.example.SS", "source com.example.S",
	}
}

func TestLoadReportsEveryKind(t *testing.T) {
	reg := flume.NewRegistry()
	if err := reg.RegisterSink("null", func(flume.Settings, *flume.Context, flume.Channel) (flume.Sink, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	var want []string
	r := load("example", "plugins.d/example/lib/example.so", reg, func(string) error {
		want = registerEveryKind(reg)
		return nil
	})
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if strings.Join(r.Added, "|") != strings.Join(want, "|") {
		t.Fatalf("Added = %q\nwant    %q", r.Added, want)
	}
	// A second plugin registering the same names is refused, and reports
	// the clashes (the names stay the first plugin's).
	r = load("copy", "plugins.d/copy/lib/copy.so", reg, func(string) error {
		registerEveryKind(reg)
		return nil
	})
	if r.Err == nil || len(r.Added) != 0 {
		t.Fatalf("clashing plugin: added %v, err %v", r.Added, r.Err)
	}
	for _, k := range flume.Kinds() {
		if !strings.Contains(r.Err.Error(), "register "+string(k)+" ") {
			t.Errorf("the clash of the %s is not reported: %v", k, r.Err)
		}
	}
	r = load("broken", "x.so", reg, func(string) error { panic("init failed") })
	if r.Err == nil || !strings.Contains(r.Err.Error(), `plugin "broken" panicked while loading: init failed`) {
		t.Fatalf("panicking plugin: %v", r.Err)
	}
}
