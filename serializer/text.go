package serializer

import (
	"io"
	"slices"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/javamap"
)

func newText(_ flume.Settings, cfg *flume.Context) (flume.EventSerializerBuilder, error) {
	newline := cfg.Bool("appendNewline", true)
	return func(w io.Writer) flume.EventSerializer {
		return &text{w: w, newline: newline}
	}, nil
}

func newHeaderAndText(_ flume.Settings, cfg *flume.Context) (flume.EventSerializerBuilder, error) {
	newline := cfg.Bool("appendNewline", true)
	return func(w io.Writer) flume.EventSerializer {
		return &text{w: w, newline: newline, headers: true}
	}, nil
}

// text is Flume's BodyTextEventSerializer (the body, then a newline) and,
// with headers, its HeaderAndBodyTextEventSerializer (the header map as
// Java's Map.toString prints it, a space, then the same). Each event is
// handed to w in one Write.
type text struct {
	w       io.Writer
	newline bool
	headers bool
	buf     []byte
	entries []entry
}

type entry struct {
	k, v   string
	bucket int
}

func (t *text) Write(e flume.Event) error {
	b := t.buf[:0]
	if t.headers {
		b = t.appendHeaders(b, e)
		b = append(b, ' ')
	}
	b = append(b, e.Body...)
	if t.newline {
		b = append(b, '\n')
	}
	t.buf = b
	_, err := t.w.Write(b)
	return err
}

// appendHeaders appends e's headers as java.util.AbstractMap.toString
// prints a HashMap holding them: "{k1=v1, k2=v2}" in the HashMap's
// iteration order, "{}" when there are none.
func (t *text) appendHeaders(b []byte, e flume.Event) []byte {
	size := javamap.TableSize(e.HeaderCount())
	t.entries = t.entries[:0]
	for k, v := range e.AllHeaders() {
		t.entries = append(t.entries, entry{k, v, javamap.Bucket(k, size)})
	}
	slices.SortFunc(t.entries, func(a, b entry) int {
		if a.bucket != b.bucket {
			return a.bucket - b.bucket
		}
		return strings.Compare(a.k, b.k)
	})
	b = append(b, '{')
	for i, en := range t.entries {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, en.k...)
		b = append(b, '=')
		b = append(b, en.v...)
	}
	return append(b, '}')
}

// AfterCreate writes nothing: text files have no header.
func (*text) AfterCreate() error { return nil }

// AfterReopen writes nothing: text files can be appended to.
func (*text) AfterReopen() error { return nil }

// Flush does nothing: every Write reached the writer.
func (*text) Flush() error { return nil }

// BeforeClose writes nothing: text files have no trailer.
func (*text) BeforeClose() error { return nil }

// SupportsReopen is true.
func (*text) SupportsReopen() bool { return true }
