package serializer_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/serializer"
	"github.com/linkedin/goavro/v2"
)

const userSchema = `{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}`

// build returns the HDFS module's Avro serializer with opts.
func buildDatum(t *testing.T, opts map[string]string) (flume.EventSerializerBuilder, error) {
	t.Helper()
	reg := flume.NewRegistry()
	if err := serializer.Register(reg); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{"serializer": serializer.ClassHDFSAvro}
	for k, v := range opts {
		props["serializer."+k] = v
	}
	b, typ, err := serializer.FromConfig(flume.Settings{Registry: reg}, flume.ContextFromMap(props), "serializer")
	if err == nil && typ != serializer.ClassHDFSAvro {
		t.Fatalf("type %q", typ)
	}
	return b, err
}

// datum encodes a User as an Avro binary datum, the event body.
func datum(t *testing.T, name string, age int) []byte {
	t.Helper()
	c, err := goavro.NewCodec(userSchema)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.BinaryFromNative(nil, map[string]any{"name": name, "age": age})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, b flume.EventSerializerBuilder, events ...flume.Event) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	s := b(&buf)
	if err := s.AfterCreate(); err != nil {
		return nil, err
	}
	for i, e := range events {
		if err := s.Write(e); err != nil {
			return nil, err
		}
		if i == 0 {
			if err := s.Flush(); err != nil { // a commit between events: two blocks
				return nil, err
			}
		}
	}
	if err := s.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), s.BeforeClose()
}

func readUsers(t *testing.T, data []byte) []string {
	t.Helper()
	r, err := goavro.NewOCFReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for r.Scan() {
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		m := rec.(map[string]any)
		out = append(out, m["name"].(string))
	}
	return out
}

func TestHDFSAvroSchemaSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "user.avsc")
	if err := os.WriteFile(file, []byte(userSchema+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var fetched int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched++
		_, _ = w.Write([]byte(userSchema))
	}))
	defer srv.Close()
	withHeader := func(k, v string, name string) flume.Event {
		e := flume.NewEvent(datum(t, name, 30))
		e.SetHeader(k, v)
		return e
	}
	for name, tc := range map[string]struct {
		opts   map[string]string
		events []flume.Event
	}{
		"literal header": {nil, []flume.Event{withHeader(serializer.HeaderSchemaLiteral, userSchema, "ann"), flume.NewEvent(datum(t, "bob", 3))}},
		"url header":     {map[string]string{"compressionCodec": "snappy"}, []flume.Event{withHeader(serializer.HeaderSchemaURL, srv.URL+"/user.avsc", "ann"), flume.NewEvent(datum(t, "bob", 3))}},
		"file url":       {map[string]string{"schemaURL": "file://" + file, "compressionCodec": "deflate"}, []flume.Event{flume.NewEvent(datum(t, "ann", 1)), flume.NewEvent(datum(t, "bob", 3))}},
		"plain path":     {map[string]string{"schemaURL": file}, []flume.Event{flume.NewEvent(datum(t, "ann", 1)), flume.NewEvent(datum(t, "bob", 3))}},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := buildDatum(t, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // two files: a URL is read once per sink
				data, err := writeFile(t, b, tc.events...)
				if err != nil {
					t.Fatal(err)
				}
				if got := readUsers(t, data); len(got) != 2 || got[0] != "ann" || got[1] != "bob" {
					t.Fatalf("users %v", got)
				}
			}
		})
	}
	if fetched != 1 {
		t.Errorf("the schema URL was fetched %d times, want once", fetched)
	}
}

func TestHDFSAvroRefusals(t *testing.T) {
	b, err := buildDatum(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeFile(t, b, flume.NewEvent([]byte("x"))); err == nil {
		t.Error("an event without a schema was written")
	}
	e := flume.NewEvent(datum(t, "x", 1))
	e.SetHeader(serializer.HeaderSchemaLiteral, `{"type":"nonsense"}`)
	if _, err := writeFile(t, b, e); err == nil {
		t.Error("a bad schema was accepted")
	}
	if _, err := buildDatum(t, map[string]string{"schemaURL": "hdfs://nn/schemas/user.avsc"}); err == nil {
		t.Error("an hdfs:// schema URL was accepted")
	}
	if _, err := buildDatum(t, map[string]string{"compressionCodec": "xz"}); !errors.Is(err, flume.ErrUnsupported) {
		t.Errorf("xz: %v", err)
	}
	if b(&bytes.Buffer{}).SupportsReopen() || b(&bytes.Buffer{}).AfterReopen() == nil {
		t.Error("reopen supported")
	}
}
