package serializer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/avrofile"
	"github.com/linkedin/goavro/v2"
)

// ClassHDFSAvro is the builder class of the HDFS module's Avro serializer,
// which has no short alias in Flume.
const ClassHDFSAvro = "org.apache.flume.sink.hdfs.AvroEventSerializer$Builder"

// The headers that name an event's Avro schema, Flume's
// AvroEventSerializer.AVRO_SCHEMA_URL_HEADER and AVRO_SCHEMA_LITERAL_HEADER.
const (
	HeaderSchemaURL     = "flume.avro.schema.url"
	HeaderSchemaLiteral = "flume.avro.schema.literal"
)

// schemaFetchTimeout bounds reading a schema from an http(s) URL.
const schemaFetchTimeout = 10 * time.Second

// newAvroDatum builds Flume's org.apache.flume.sink.hdfs.AvroEventSerializer:
// each event body is one Avro binary datum, written as is into an object
// container file whose schema is that of the file's first event (header
// flume.avro.schema.url, else flume.avro.schema.literal, else the
// schemaURL option).
func newAvroDatum(set flume.Settings, cfg *flume.Context) (flume.EventSerializerBuilder, error) {
	opts := containerOptions(cfg)
	static := cfg.String("schemaURL", "")
	if static != "" {
		if _, err := schemaSource(static); err != nil {
			cfg.Errorf("schemaURL", "%v", err)
		}
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	schemas := &schemaCache{m: map[string]string{}}
	return func(w io.Writer) flume.EventSerializer {
		return &avroDatum{w: w, opts: opts, static: static, schemas: schemas}
	}, nil
}

// schemaCache holds the schemas read from URLs, shared by the files of
// one sink (Flume reads them again for each file).
type schemaCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *schemaCache) get(rawURL string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[rawURL]; ok {
		return s, nil
	}
	s, err := loadSchema(rawURL)
	if err != nil {
		return "", err
	}
	c.m[rawURL] = s
	return s, nil
}

// schemaSource checks that a schema URL is one flumego can read: http,
// https, file, or a plain local path.
func schemaSource(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("not a schema URL: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "file", "":
		return u, nil
	case "hdfs":
		return nil, fmt.Errorf("schema URLs on hdfs:// are not supported by flumego: use http(s):// or a local file")
	}
	return nil, fmt.Errorf("schema URL scheme %q: expected http, https or file", u.Scheme)
}

// loadSchema reads the schema at rawURL and checks that it is one.
func loadSchema(rawURL string) (string, error) {
	u, err := schemaSource(rawURL)
	if err != nil {
		return "", err
	}
	var data []byte
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		ctx, cancel := context.WithTimeout(context.Background(), schemaFetchTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return "", err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", fmt.Errorf("read schema %s: %w", rawURL, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("read schema %s: %s", rawURL, resp.Status)
		}
		if data, err = io.ReadAll(io.LimitReader(resp.Body, 16<<20)); err != nil {
			return "", fmt.Errorf("read schema %s: %w", rawURL, err)
		}
	default:
		path := rawURL
		if u.Scheme != "" {
			path = u.Path
		}
		if data, err = os.ReadFile(path); err != nil {
			return "", fmt.Errorf("read schema: %w", err)
		}
	}
	return checkSchema(string(data), rawURL)
}

// checkSchema returns s trimmed once Avro accepts it as a schema.
func checkSchema(s, from string) (string, error) {
	s = strings.TrimSpace(s)
	if _, err := goavro.NewCodec(s); err != nil {
		return "", fmt.Errorf("the Avro schema from %s: %v", from, err)
	}
	return s, nil
}

// avroDatum is one file of the HDFS module's AvroEventSerializer.
type avroDatum struct {
	w       io.Writer
	opts    avrofile.Options
	static  string
	schemas *schemaCache
	f       *avrofile.Writer // nil until the first event
}

// errNoSchema is the error for an event that names no schema when no
// schemaURL is configured (Flume's "Could not find schema for event").
var errNoSchema = errors.New("the event names no Avro schema (headers " + HeaderSchemaURL + " or " + HeaderSchemaLiteral + ") and serializer.schemaURL is not set")

func (a *avroDatum) schemaOf(e flume.Event) (string, error) {
	if u, ok := e.Header(HeaderSchemaURL); ok {
		return a.schemas.get(u)
	}
	if lit, ok := e.Header(HeaderSchemaLiteral); ok {
		return checkSchema(lit, "header "+HeaderSchemaLiteral)
	}
	if a.static != "" {
		return a.schemas.get(a.static)
	}
	return "", errNoSchema
}

// AfterCreate writes nothing: the header waits for the first event's
// schema.
func (*avroDatum) AfterCreate() error { return nil }

// AfterReopen fails: an Avro container file cannot be appended to.
func (*avroDatum) AfterReopen() error { return errNoReopen }

// Write appends the event body, an Avro datum, to the current block; the
// first event of the file fixes its schema and writes the header.
func (a *avroDatum) Write(e flume.Event) error {
	if a.f == nil {
		schema, err := a.schemaOf(e)
		if err != nil {
			return fmt.Errorf("avro serializer: %w", err)
		}
		opts := a.opts
		opts.Schema = schema
		f, err := avrofile.NewWriter(a.w, opts)
		if err != nil {
			return fmt.Errorf("avro serializer: %w", err)
		}
		if err := f.WriteHeader(); err != nil {
			return fmt.Errorf("avro serializer: %w", err)
		}
		a.f = f
	}
	if err := a.f.Append(func(dst []byte) []byte { return append(dst, e.Body...) }); err != nil {
		return fmt.Errorf("avro serializer: %w", err)
	}
	return nil
}

// Flush writes the current block.
func (a *avroDatum) Flush() error {
	if a.f == nil {
		return nil
	}
	if err := a.f.Flush(); err != nil {
		return fmt.Errorf("avro serializer: %w", err)
	}
	return nil
}

// BeforeClose writes nothing: a container file has no trailer.
func (*avroDatum) BeforeClose() error { return nil }

// SupportsReopen is false.
func (*avroDatum) SupportsReopen() bool { return false }
