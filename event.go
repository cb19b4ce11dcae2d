package flume

import "iter"

// Event is the unit of data that flows through an agent: a set of string
// headers and an opaque body.
//
// Once an event has been put on a channel it is shared (a replicating
// selector puts the same event on several channels), so neither its header
// map nor its body may be modified afterwards. Interceptors run before the
// put and may modify events in place.
type Event struct {
	// Headers maps header names to values. It may be nil when the event has
	// no headers.
	Headers map[string]string
	// Body is the payload. It may be empty but is never interpreted by the
	// framework.
	Body []byte
}

// NewEvent returns an event with the given body and no headers.
func NewEvent(body []byte) Event { return Event{Body: body} }

// Header returns the value of header name and whether it is present.
func (e Event) Header(name string) (string, bool) {
	v, ok := e.Headers[name]
	return v, ok
}

// SetHeader sets header name to value, allocating the header map if needed.
func (e *Event) SetHeader(name, value string) {
	if e.Headers == nil {
		e.Headers = make(map[string]string, 1)
	}
	e.Headers[name] = value
}

// DelHeader removes header name, if present.
func (e *Event) DelHeader(name string) { delete(e.Headers, name) }

// HeaderCount returns the number of headers.
func (e Event) HeaderCount() int { return len(e.Headers) }

// AllHeaders iterates over the headers (name, value), in no particular
// order:
//
//	for name, value := range e.AllHeaders() { ... }
//
// Components should read and write headers through these methods rather
// than the Headers field, whose representation may change.
func (e Event) AllHeaders() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for k, v := range e.Headers {
			if !yield(k, v) {
				return
			}
		}
	}
}

// Clone returns a deep copy of e: a new header map and a new body slice.
func (e Event) Clone() Event {
	c := Event{Body: append([]byte(nil), e.Body...)}
	if e.Headers != nil {
		c.Headers = make(map[string]string, len(e.Headers))
		for k, v := range e.Headers {
			c.Headers[k] = v
		}
	}
	return c
}

// Size returns the number of bytes the event's headers and body occupy on the
// wire, roughly: the sum of the lengths of every header name, header value and
// the body. Channels use it for byte accounting and sinks for batching limits.
func (e Event) Size() int {
	n := len(e.Body)
	for k, v := range e.Headers {
		n += len(k) + len(v)
	}
	return n
}
