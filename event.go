package flume

import (
	"iter"
	"strings"
)

// Event is the unit of data that flows through an agent: a set of string
// headers and an opaque body.
//
// Headers are read and written only through the methods (Header,
// SetHeader, DelHeader, DelHeaderFunc, HeaderCount, AllHeaders), so that
// their representation can change.
//
// Once an event has been put on a channel it is shared (a replicating
// selector puts the same event on several channels), so neither its
// headers nor its body may be modified afterwards. Interceptors run before
// the put and may modify events in place.
type Event struct {
	// headers maps header names to values; nil when the event has none.
	headers map[string]string
	// Body is the payload. It may be empty but is never interpreted by the
	// framework.
	Body []byte
}

// NewEvent returns an event with the given body and no headers.
func NewEvent(body []byte) Event { return Event{Body: body} }

// Header returns the value of header name and whether it is present.
func (e Event) Header(name string) (string, bool) {
	v, ok := e.headers[name]
	return v, ok
}

// SetHeader sets header name to value, allocating the header map if needed.
func (e *Event) SetHeader(name, value string) {
	if e.headers == nil {
		e.headers = make(map[string]string, 1)
	}
	e.headers[name] = value
}

// DelHeader removes header name, if present.
func (e *Event) DelHeader(name string) { delete(e.headers, name) }

// DelHeaderFunc removes every header for which del returns true.
func (e *Event) DelHeaderFunc(del func(name, value string) bool) {
	for k, v := range e.headers {
		if del(k, v) {
			delete(e.headers, k)
		}
	}
}

// Header is one event header.
type Header struct {
	Name  string
	Value string
}

// HeaderCount returns the number of headers.
func (e Event) HeaderCount() int { return len(e.headers) }

// AllHeaders iterates over the headers (name, value), in no particular
// order:
//
//	for name, value := range e.AllHeaders() { ... }
func (e Event) AllHeaders() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for k, v := range e.headers {
			if !yield(k, v) {
				return
			}
		}
	}
}

// Clone returns a deep copy of e that shares no memory with it.
func (e Event) Clone() Event {
	c := Event{Body: append([]byte(nil), e.Body...)}
	if e.headers != nil {
		c.headers = make(map[string]string, len(e.headers))
		for k, v := range e.headers {
			c.headers[strings.Clone(k)] = strings.Clone(v)
		}
	}
	return c
}

// Size returns the number of bytes the event's headers and body occupy on the
// wire, roughly: the sum of the lengths of every header name, header value and
// the body. Channels use it for byte accounting and sinks for batching limits.
func (e Event) Size() int {
	n := len(e.Body)
	for k, v := range e.headers {
		n += len(k) + len(v)
	}
	return n
}
