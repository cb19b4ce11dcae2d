package handler

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javatext"
)

// JSON is Flume's JSONHandler (org.apache.flume.source.http.JSONHandler),
// the HTTP source's default: the request body is a JSON array of events,
// [{"headers": {"name": "value", ...}, "body": "text"}, ...], read with
// Gson's leniency (see jsonReader). The body's charset is the request's
// (Content-Type: application/json; charset=UTF-16): UTF-8 when it names
// none, UTF-16 or UTF-32 (Java's: with a byte-order mark or big-endian);
// each event's body is its text encoded in that charset, as
// String.getBytes(charset) writes it (UTF-16 with a byte-order mark). An
// absent body is empty; absent headers none. It has no settings.
type JSON struct{}

var _ flume.HTTPSourceHandler = JSON{}

// NewJSON builds the JSON handler; it reads no handler.* setting.
func NewJSON(flume.Settings, *flume.Context) (flume.HTTPSourceHandler, error) { return JSON{}, nil }

// Events reads the request's body as a JSON array of events. A body that
// is not one, or a charset other than UTF-8, UTF-16 and UTF-32, is a bad
// request (Flume answers 500 for the charset and for some malformed
// bodies; flumego answers 400 to every request the client must fix).
func (JSON) Events(r *http.Request) ([]flume.Event, error) {
	cs, err := requestCharset(r)
	if err != nil {
		return nil, err
	}
	buf := bodies.Get().(*[]byte)
	defer bodies.Put(buf)
	data, err := readBody(r, (*buf)[:0])
	if *buf = data[:0]; cap(data) > maxPooled {
		*buf = nil // a large body's buffer is not kept
	}
	if err != nil {
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	return parseEvents(data, cs) // the events share no memory with data
}

// bodies are the buffers requests are read into: a JSON document is only
// needed while it is parsed.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// maxPooled bounds the buffers kept for reuse.
const maxPooled = 1 << 20

// readBody reads the request's body into buf, sized by its Content-Length
// when it has one.
func readBody(r *http.Request, buf []byte) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= maxPooled && int64(cap(buf)) < n+1 {
		buf = make([]byte, 0, n+1) // +1: the read that finds the end
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// parseEvents turns a JSON document in charset cs into events.
func parseEvents(data []byte, cs javatext.Charset) ([]flume.Event, error) {
	if cs != javatext.UTF8 {
		data = []byte(javatext.Decode(cs, data))
	} else if !utf8.Valid(data) {
		data = javatext.AppendUTF8(make([]byte, 0, len(data)+16), data)
	}
	rd := &jsonReader{b: data, surrogate: cs.Surrogate()}
	parsed, err := rd.events()
	if err != nil {
		return nil, fmt.Errorf("%w: Request has invalid JSON Syntax: %v", flume.ErrBadRequest, err)
	}
	events := make([]flume.Event, len(parsed))
	var arena []byte
	var hb flume.HeaderBuffer // the headers of every event, in shared storage
	n, h := 0, 0
	for _, p := range parsed {
		n += len(p.body)
	}
	for _, s := range rd.hdrs {
		h += len(s) + 2
	}
	hb.Grow(h)
	if cs == javatext.UTF8 {
		arena = make([]byte, 0, n)
	}
	for i, p := range parsed {
		var body []byte
		if cs == javatext.UTF8 {
			start := len(arena)
			arena = append(arena, p.body...)
			body = arena[start:len(arena):len(arena)]
		} else {
			body = javatext.Encode(cs, string(p.body))
		}
		e := flume.NewEvent(body)
		for j := p.from; j+1 < p.to; j += 2 {
			hb.Add(view(rd.hdrs[j]), view(rd.hdrs[j+1])) // Add copies
		}
		hb.Attach(&e)
		events[i] = e
	}
	return events, nil
}

// view is b as a string without a copy, for a call that copies it.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// requestCharset returns the charset the request's Content-Type names:
// UTF-8 by default, UTF-8, UTF-16 or UTF-32 in any case.
func requestCharset(r *http.Request) (javatext.Charset, error) {
	name := ContentCharset(r.Header.Get("Content-Type"))
	switch strings.ToLower(name) {
	case "", "utf-8":
		return javatext.UTF8, nil
	case "utf-16":
		return javatext.UTF16, nil
	case "utf-32":
		return javatext.UTF32, nil
	}
	return 0, fmt.Errorf("%w: unsupported charset %q: the JSON handler reads UTF-8, UTF-16 and UTF-32", flume.ErrBadRequest, name)
}

// ContentCharset returns the charset parameter of a Content-Type value, as
// a servlet container reads it (quotes removed), or "".
func ContentCharset(contentType string) string {
	_, params, found := strings.Cut(contentType, ";")
	for found {
		var p string
		p, params, found = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "charset") {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}
