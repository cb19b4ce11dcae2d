package source

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/channel/memory"
)

// selectorRegistry returns a registry holding Flume's channel selectors.
func selectorRegistry() *flume.Registry {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		panic(err)
	}
	return r
}

func testSelector(cfg *flume.Context, chs []flume.NamedChannel) (flume.ChannelSelector, error) {
	return NewSelector(flume.Settings{Name: "r1"}, cfg, chs, selectorRegistry())
}

func memChannels(t *testing.T, capacity map[string]int, names ...string) []flume.NamedChannel {
	t.Helper()
	var out []flume.NamedChannel
	for _, n := range names {
		c := 1000
		if v, ok := capacity[n]; ok {
			c = v
		}
		ch, err := memory.New(flume.Settings{Name: n}, memory.Config{Capacity: c, TransactionCapacity: c})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ch.Stop(context.Background()) })
		out = append(out, flume.NamedChannel{Name: n, Channel: ch})
	}
	return out
}

func names(chs []flume.NamedChannel) string {
	var s []string
	for _, c := range chs {
		s = append(s, c.Name)
	}
	return strings.Join(s, " ")
}

func ev(header string, value *string) flume.Event {
	e := flume.Event{Body: []byte("x")}
	if value != nil {
		e.SetHeader(header, *value)
	}
	return e
}

func ptr(s string) *string { return &s }

func TestMultiplexingSelect(t *testing.T) {
	chs := memChannels(t, nil, "c1", "c2", "c3", "c4")
	cfg := flume.ContextFromMap(map[string]string{
		"type":        "multiplexing",
		"header":      "state",
		"mapping.CZ":  "c1",
		"mapping.US":  "c2 c3",
		"mapping.a.b": "c4",
		"default":     "c4",
		"optional.CZ": "c1 c2", // c1 is required for CZ: only c2 stays optional
		"optional.US": "c3",    // all required already: nothing optional
		"optional.XX": "c4 c3", // no mapping: minus the default c4
	})
	sel, err := testSelector(cfg, chs)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) != 0 {
		t.Fatalf("unused keys %v", u)
	}
	tests := []struct {
		value    *string
		req, opt string
	}{
		{ptr("CZ"), "c1", "c2"},
		{ptr("US"), "c2 c3", ""},
		{ptr("a.b"), "c4", ""},
		{ptr("XX"), "c4", "c3"},
		{ptr("cz"), "c4", ""}, // case-sensitive
		{ptr("  "), "c4", ""}, // blank counts as missing
		{ptr(""), "c4", ""},
		{nil, "c4", ""},
	}
	for _, tc := range tests {
		req, opt := sel.Select(ev("state", tc.value))
		v := "<missing>"
		if tc.value != nil {
			v = *tc.value
		}
		if names(req) != tc.req || names(opt) != tc.opt {
			t.Errorf("state=%q: required [%s] optional [%s], want [%s] [%s]", v, names(req), names(opt), tc.req, tc.opt)
		}
	}
}

func TestMultiplexingDefaults(t *testing.T) {
	chs := memChannels(t, nil, "c1", "c2")
	cfg := flume.ContextFromMap(map[string]string{"type": "org.apache.flume.channel.MultiplexingChannelSelector", "mapping.x": "c1"})
	sel, err := testSelector(cfg, chs)
	if err != nil {
		t.Fatal(err)
	}
	if h := sel.(*Multiplexing).Header(); h != "flume.selector.header" {
		t.Fatalf("default header %q", h)
	}
	req, _ := sel.Select(ev("flume.selector.header", ptr("x")))
	if names(req) != "c1" {
		t.Fatalf("required %q", names(req))
	}
	// No default: an unmatched event goes nowhere, and the configuration
	// was warned about it.
	if req, opt := sel.Select(ev("flume.selector.header", ptr("y"))); len(req)+len(opt) != 0 {
		t.Fatalf("unmatched event routed to %q %q", names(req), names(opt))
	}
	var warned bool
	for _, p := range cfg.Problems() {
		warned = warned || (p.Severity == flume.Warning && strings.Contains(p.Message, "dropped"))
	}
	if !warned {
		t.Fatalf("no warning about the missing default: %v", cfg.Problems())
	}
}

func TestMultiplexingConfigErrors(t *testing.T) {
	chs := memChannels(t, nil, "c1", "c2")
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{"mapping.x": "c1 c9"}, `"c9" is not one of the source's channels`},
		{map[string]string{"mapping.x": "c1  c2"}, "single spaces"},
		{map[string]string{"default": "c3"}, `"c3" is not one of the source's channels`},
		{map[string]string{"default": "c1", "optional.x": "c7"}, `"c7"`},
		{map[string]string{"default": "c1\tc2"}, `"c1\tc2" is not one of`},
	} {
		tc.props["type"] = "MULTIPLEXING"
		_, err := testSelector(flume.ContextFromMap(tc.props), chs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.props, err, tc.want)
		}
	}
}

// TestMultiplexingRequiredAndOptional routes a batch through a real channel
// processor: a full optional channel is counted and ignored, a full
// required channel fails the batch with a channel error.
func TestMultiplexingRequiredAndOptional(t *testing.T) {
	chs := memChannels(t, map[string]int{"full": 5}, "ca", "cb", "full")
	cfg := flume.ContextFromMap(map[string]string{
		"selector.type":       "multiplexing",
		"selector.header":     "kind",
		"selector.mapping.a":  "ca",
		"selector.mapping.b":  "cb",
		"selector.optional.a": "full",
		"selector.default":    "cb",
	})
	p, err := NewProcessorFromConfig(flume.Settings{Name: "r1"}, cfg, chs, selectorRegistry())
	if err != nil {
		t.Fatal(err)
	}
	// Fill the optional channel.
	full := chs[2].Channel
	if err := flume.Do(context.Background(), full, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), channeltest.Events(1000, 1005)...)
	}); err != nil {
		t.Fatal(err)
	}
	var batch []flume.Event
	for i := range 20 {
		e := channeltest.Event(i)
		switch i % 3 {
		case 0:
			e.SetHeader("kind", "a")
		case 1:
			e.SetHeader("kind", "b")
		}
		batch = append(batch, e)
	}
	if err := p.Process(context.Background(), batch); err != nil {
		t.Fatalf("a full optional channel must not fail the batch: %v", err)
	}
	if n := p.OptionalFailures.Load(); n != 1 {
		t.Fatalf("OptionalFailures = %d, want 1", n)
	}
	if chs[0].Len() != 7 || chs[1].Len() != 13 || full.Len() != 5 {
		t.Fatalf("ca %d, cb %d, full %d events; want 7, 13, 5", chs[0].Len(), chs[1].Len(), full.Len())
	}
	// Now make "full" required: the same batch fails with a channel error,
	// which an RPC source answers with FAILED.
	cfg = flume.ContextFromMap(map[string]string{
		"selector.type": "multiplexing", "selector.header": "kind",
		"selector.mapping.a": "full", "selector.default": "cb",
	})
	p, err = NewProcessorFromConfig(flume.Settings{Name: "r1"}, cfg, chs, selectorRegistry())
	if err != nil {
		t.Fatal(err)
	}
	err = p.Process(context.Background(), batch)
	if !errors.Is(err, flume.ErrChannel) {
		t.Fatalf("full required channel: err = %v, want a channel error", err)
	}
	if !strings.Contains(err.Error(), `"full"`) {
		t.Fatalf("the error should name the channel: %v", err)
	}
}

func TestLoadBalancingSelector(t *testing.T) {
	chs := memChannels(t, nil, "c1", "c2", "c3")
	cfg := flume.ContextFromMap(map[string]string{"selector.type": "load_balancing"})
	p, err := NewProcessorFromConfig(flume.Settings{Name: "r1"}, cfg, chs, selectorRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Process(context.Background(), channeltest.Events(0, 30)); err != nil {
		t.Fatal(err)
	}
	for i, ch := range chs {
		// Round robin: channel i gets events i, i+3, i+6, ...
		var got []int
		if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
			evs, err := tx.Take(context.Background(), 100)
			for _, e := range evs {
				got = append(got, channeltest.Seq(e))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 10 {
			t.Fatalf("%s got %d events", ch.Name, len(got))
		}
		for j, s := range got {
			if s != i+3*j {
				t.Fatalf("%s got %v, want every third event from %d", ch.Name, got, i)
			}
		}
	}

	sel, err := testSelector(flume.ContextFromMap(map[string]string{"type": "org.apache.flume.channel.LoadBalancingChannelSelector", "policy": "RANDOM"}), chs)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for range 3000 {
		req, opt := sel.Select(flume.Event{})
		if len(req) != 1 || len(opt) != 0 {
			t.Fatalf("random: %d required, %d optional", len(req), len(opt))
		}
		counts[req[0].Name]++
	}
	for _, ch := range chs {
		if counts[ch.Name] < 700 { // 1000 expected
			t.Fatalf("random distribution %v", counts)
		}
	}

	if _, err := testSelector(flume.ContextFromMap(map[string]string{"type": "load_balancing", "policy": "weighted"}), chs); err == nil || !strings.Contains(err.Error(), "invalid policy") {
		t.Fatalf("bad policy: err = %v", err)
	}
}

// TestSelectorFromRegistry: selector.type is looked up in the registry
// given; absent, it means replicating, which the registry must hold too.
func TestSelectorFromRegistry(t *testing.T) {
	chs := memChannels(t, nil, "c1", "c2")
	empty := flume.NewRegistry()
	_, err := NewSelector(flume.Settings{}, flume.ContextFromMap(nil), chs, empty)
	if err == nil || !strings.Contains(err.Error(), "its default, replicating, is not registered") {
		t.Fatalf("empty registry: err = %v", err)
	}
	_, err = NewSelector(flume.Settings{}, flume.ContextFromMap(map[string]string{"type": "org.apache.flume.channel.replicatingchannelselector"}), chs, selectorRegistry())
	if err == nil || !strings.Contains(err.Error(), "unknown channel selector type") {
		t.Fatalf("class name in another case: err = %v", err)
	}
	reg := selectorRegistry()
	var got flume.Settings
	if err := reg.RegisterChannelSelector("com.example.First", func(set flume.Settings, cfg *flume.Context, chs []flume.NamedChannel) (flume.ChannelSelector, error) {
		got = set
		return NewReplicating(chs[:1], nil), nil
	}); err != nil {
		t.Fatal(err)
	}
	sel, err := NewSelector(flume.Settings{Name: "r1", Type: "seq"}, flume.ContextFromMap(map[string]string{"type": "com.example.First"}), chs, reg)
	if err != nil {
		t.Fatal(err)
	}
	if req, _ := sel.Select(flume.Event{}); names(req) != "c1" || got.Name != "r1" || got.Type != "com.example.First" {
		t.Fatalf("required %q, factory settings %+v", names(req), got)
	}
}
