package serializer_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/serializer"
)

func registry(t testing.TB) *flume.Registry {
	t.Helper()
	r := flume.NewRegistry()
	if err := serializer.Register(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// build reads the serializer of a file_roll-style configuration
// (sink.serializer and sink.serializer.*).
func build(t testing.TB, props map[string]string) (flume.EventSerializerBuilder, string, *flume.Context) {
	t.Helper()
	cfg := flume.ContextFromMap(props)
	b, typ, err := serializer.FromConfig(flume.Settings{Name: "k1", Registry: registry(t)}, cfg, "sink.serializer")
	if err != nil {
		t.Fatalf("%v: %v", props, err)
	}
	return b, typ, cfg
}

// serialize writes events through a new serializer the way a sink does
// (AfterCreate, Write each, Flush, BeforeClose) and returns the bytes.
func serialize(t testing.TB, b flume.EventSerializerBuilder, events ...flume.Event) []byte {
	t.Helper()
	var out bytes.Buffer
	s := b(&out)
	if err := s.AfterCreate(); err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := s.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.BeforeClose(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func event(body string, kv ...string) flume.Event {
	e := flume.NewEvent([]byte(body))
	for i := 0; i+1 < len(kv); i += 2 {
		e.SetHeader(kv[i], kv[i+1])
	}
	return e
}

func TestTypeNames(t *testing.T) {
	for typ, want := range map[string]string{
		"":                TypeText,
		"TEXT":            TypeText,
		"text":            TypeText,
		"Header_And_Text": TypeHeaderAndText,
		"AVRO_EVENT":      TypeAvroEvent,
		"org.apache.flume.serialization.BodyTextEventSerializer$Builder":          TypeText,
		"org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder": TypeHeaderAndText,
		"org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder":    TypeAvroEvent,
	} {
		props := map[string]string{}
		if typ != "" {
			props["sink.serializer"] = typ
		}
		if _, got, _ := build(t, props); got != want {
			t.Errorf("%q: built %q, want %q", typ, got, want)
		}
	}
	for _, typ := range []string{"json", "org.apache.flume.serialization.bodytexteventserializer$Builder"} {
		cfg := flume.ContextFromMap(map[string]string{"sink.serializer": typ})
		_, _, err := serializer.FromConfig(flume.Settings{Registry: registry(t)}, cfg, "sink.serializer")
		if err == nil || !strings.Contains(err.Error(), "sink.serializer") || !strings.Contains(err.Error(), "unknown event serializer type") {
			t.Errorf("%q: err = %v", typ, err)
		}
	}
}

const (
	TypeText          = serializer.TypeText
	TypeHeaderAndText = serializer.TypeHeaderAndText
	TypeAvroEvent     = serializer.TypeAvroEvent
)

func TestTextBytes(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, "a\n\nb c\n"},
		{map[string]string{"sink.serializer.appendNewline": "false"}, "ab c"},
		{map[string]string{"sink.serializer.appendNewline": "FALSE"}, "ab c"},
		{map[string]string{"sink.serializer": "header_and_text"}, "{} a\n{k=v} \n{x=1, y=} b c\n"},
		{map[string]string{"sink.serializer": "header_and_text", "sink.serializer.appendNewline": "false"}, "{} a{k=v} {x=1, y=} b c"},
	} {
		b, _, cfg := build(t, tc.props)
		if u := cfg.Unused(); len(u) != 0 {
			t.Errorf("%v: unread keys %v", tc.props, u)
		}
		got := serialize(t, b, event("a"), event("", "k", "v"), event("b c", "y", "", "x", "1"))
		if string(got) != tc.want {
			t.Errorf("%v: %q, want %q", tc.props, got, tc.want)
		}
	}
}

// TestHeaderOrderIsJavas: the headers come in java.util.HashMap order, not
// sorted and not in Go's map order: "Aa" and "BB" share a bucket, the
// 14-header event needs a table of 32 (values printed by OpenJDK 17).
func TestHeaderOrderIsJavas(t *testing.T) {
	b, _, _ := build(t, map[string]string{"sink.serializer": "header_and_text"})
	got := serialize(t, b,
		event("x", "timestamp", "1700000000000", "host", "web-1"),
		event("y", "Aa", "1", "BB", "1", "host", "1", "timestamp", "1", "topic", "1", "key", "1", "partition", "1",
			"a", "1", "b", "1", "c", "1", "d", "1", "e", "1", "f", "1", "g", "1"))
	want := "{host=web-1, timestamp=1700000000000} x\n" +
		"{Aa=1, BB=1, a=1, b=1, c=1, d=1, e=1, f=1, g=1, partition=1, host=1, topic=1, key=1, timestamp=1} y\n"
	if string(got) != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestSerializerContract(t *testing.T) {
	for typ, reopen := range map[string]bool{"text": true, "header_and_text": true, "avro_event": false} {
		b, _, _ := build(t, map[string]string{"sink.serializer": typ})
		s := b(io.Discard)
		if s.SupportsReopen() != reopen {
			t.Errorf("%s: SupportsReopen = %v", typ, !reopen)
		}
		if err := s.AfterReopen(); (err == nil) != reopen {
			t.Errorf("%s: AfterReopen = %v", typ, err)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

var errDisk = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestWriteErrorsReachTheSink(t *testing.T) {
	for _, typ := range []string{"text", "header_and_text", "avro_event"} {
		b, _, _ := build(t, map[string]string{"sink.serializer": typ})
		s := b(failingWriter{})
		err := s.AfterCreate()
		if err == nil {
			if err = s.Write(event("x")); err == nil {
				err = s.Flush()
			}
		}
		if !errors.Is(err, errDisk) {
			t.Errorf("%s: err = %v, want the writer's", typ, err)
		}
	}
}

// upper is a plugin's serializer: the body in upper case.
type upper struct{ w io.Writer }

func (u upper) Write(e flume.Event) error { _, err := u.w.Write(bytes.ToUpper(e.Body)); return err }
func (upper) AfterCreate() error          { return nil }
func (upper) AfterReopen() error          { return nil }
func (upper) Flush() error                { return nil }
func (upper) BeforeClose() error          { return nil }
func (upper) SupportsReopen() bool        { return true }

// TestPluginSerializer: a serializer registered by a plugin is found by its
// class name, gets its own keys, and may refuse them with located problems.
func TestPluginSerializer(t *testing.T) {
	reg := registry(t)
	err := reg.RegisterEventSerializer("com.example.Upper$Builder", func(set flume.Settings, cfg *flume.Context) (flume.EventSerializerBuilder, error) {
		if set.Type != "com.example.Upper$Builder" || set.Name != "k1" {
			t.Errorf("settings %+v", set)
		}
		if cfg.String("mode", "upper") != "upper" {
			cfg.Errorf("mode", "only upper is supported")
			return nil, cfg.Err()
		}
		return func(w io.Writer) flume.EventSerializer { return upper{w} }, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := flume.ContextFromMap(map[string]string{"serializer": "com.example.Upper$Builder", "serializer.mode": "upper"})
	b, typ, err := serializer.FromConfig(flume.Settings{Name: "k1", Registry: reg}, cfg, "serializer")
	if err != nil || typ != "com.example.Upper$Builder" {
		t.Fatalf("%q, %v", typ, err)
	}
	if got := serialize(t, b, event("abc")); string(got) != "ABC" {
		t.Fatalf("%q", got)
	}
	cfg = flume.ContextFromMap(map[string]string{"serializer": "com.example.Upper$Builder", "serializer.mode": "lower"})
	_, _, err = serializer.FromConfig(flume.Settings{Name: "k1", Registry: reg}, cfg, "serializer")
	if err == nil || !strings.Contains(err.Error(), "serializer.mode") {
		t.Fatalf("err = %v, want the plugin's located problem", err)
	}
}

// TestOtherProblemsAreNotTheSerializers: FromConfig fails only for its own
// problems, not for ones the sink recorded before.
func TestOtherProblemsAreNotTheSerializers(t *testing.T) {
	cfg := flume.ContextFromMap(map[string]string{"batchSize": "x"})
	cfg.Positive("batchSize", 1)
	if cfg.Err() == nil {
		t.Fatal("the test wants an earlier problem")
	}
	if _, _, err := serializer.FromConfig(flume.Settings{Registry: registry(t)}, cfg, "sink.serializer"); err != nil {
		t.Fatalf("err = %v", err)
	}
}
