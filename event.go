package flume

import (
	"encoding/binary"
	"iter"
	"unsafe"
)

// Event is the unit of data that flows through an agent: a set of string
// headers and an opaque body.
//
// # Headers
//
// Read and write headers only through the methods: Header, SetHeader,
// DelHeader, DelHeaderFunc, HeaderCount and AllHeaders. Header names are
// unique within an event; names and values are arbitrary strings (the
// empty string included) compared byte for byte. Where a wire format
// carries a name twice (Avro and Thrift maps can), the last value wins, as
// in Java's HashMap, at the position of the name's first occurrence.
// AllHeaders yields the headers in the order they were first set.
//
// The headers are kept encoded, in one byte slice, as the items of an Avro
// map<string> block: for each header its name then its value, each a
// zig-zag varint length and the bytes. Reading a header scans them (the one
// to five headers real events carry are found faster so than by hashing)
// and returns a string that points into them, without copying. Decoders
// store them as they arrive: the avro source keeps them where they are in
// the request (AttachEncodedHeaders), other decoders store the headers of a
// whole batch in one allocation (HeaderBuffer), and the avro sink writes
// them out with one copy. The storage holds no pointers, which keeps the
// garbage collector's work per event independent of the headers. Every
// operation is linear in the size of the headers, so an event with 100,000
// headers costs time proportional to its size, never quadratic.
//
// # Ownership and aliasing
//
// An Event is a small value, but copying it does not copy its headers or
// body: copies share them. Hence these rules:
//
//   - A source owns the events it builds until it puts them on a channel.
//     Interceptors run before the put and may modify the events they are
//     given in place (SetHeader, DelHeader, a new Body slice).
//   - Once put, an event belongs to the channel and is shared: a
//     replicating selector puts the same event on several channels, and a
//     memory channel hands the very same headers and body to the sink.
//     Nobody may modify its headers or its body bytes afterwards; a sink
//     that wants a changed event works on a Clone.
//   - Decoders may make an event's headers and body point into the buffer
//     the event was decoded from (the avro source does): that buffer must
//     never be modified or reused afterwards. Header names and values are
//     immutable strings, so keeping one (a routing key, a map key) is always
//     safe; it keeps its buffer alive. Clone returns an event that shares no
//     memory.
//   - A source may keep and reuse the slice of Event values it hands to
//     ChannelProcessor.Process (channels copy the values), but never the
//     storage the events' headers and bodies point into.
//   - The events of a batch must not share header storage with each other
//     (copies of one prototype Event do): an interceptor's SetHeader on one
//     could show in the others. Build each event's headers with SetHeader
//     or a HeaderBuffer.
type Event struct {
	// Body is the payload. It may be empty but is never interpreted by the
	// framework.
	Body []byte
	// hdr holds the headers, nil when there are none: pairs of Avro
	// strings (name, value), names unique. Bytes up to len(hdr) may have
	// been handed out as strings and are never written again; appending
	// within the capacity is allowed, as the capacity of shared storage is
	// capped at each event's end.
	hdr []byte
}

// Header is one event header.
type Header struct {
	Name  string
	Value string
}

// NewEvent returns an event with the given body and no headers.
func NewEvent(body []byte) Event { return Event{Body: body} }

// strLen returns the length of the Avro string at the head of a
// well-formed encoding and the size of its length prefix. Lengths below 64
// take an inlined fast path.
func strLen(h []byte) (n, k int) {
	if c := h[0]; c < 0x80 {
		return int(c >> 1), 1
	}
	return strLenSlow(h)
}

//go:noinline
func strLenSlow(h []byte) (n, k int) {
	var u uint64
	var shift uint
	for i, c := range h {
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int(u >> 1), i + 1
		}
		shift += 7
	}
	return 0, len(h) // not reached: the encoding is well formed
}

// str returns h[:n] as a string sharing its memory.
func str(h []byte, n int) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&h[0], n)
}

// readPair reads the header at the head of a well-formed encoding.
func readPair(h []byte) (name, value string, rest []byte) {
	n, k := strLen(h)
	name, h = str(h[k:], n), h[k+n:]
	n, k = strLen(h)
	return name, str(h[k:], n), h[k+n:]
}

// appendStr appends s as an Avro string.
func appendStr(dst []byte, s string) []byte {
	u := uint64(len(s)) << 1
	for u >= 0x80 {
		dst = append(dst, byte(u)|0x80)
		u >>= 7
	}
	dst = append(dst, byte(u))
	return append(dst, s...)
}

// strSize returns the encoded size of an Avro string of n bytes.
func strSize(n int) int {
	k := 1
	for u := uint64(n) << 1; u >= 0x80; u >>= 7 {
		k++
	}
	return k + n
}

// find returns the offsets of header name's pair in e.hdr, or -1.
func (e Event) find(name string) (start, end int) {
	for h := e.hdr; len(h) > 0; {
		start := len(e.hdr) - len(h)
		n, k := strLen(h)
		match := n == len(name) && string(h[k:k+n]) == name
		h = h[k+n:]
		n, k = strLen(h)
		h = h[k+n:]
		if match {
			return start, len(e.hdr) - len(h)
		}
	}
	return -1, -1
}

// Header returns the value of header name and whether it is present.
func (e Event) Header(name string) (string, bool) {
	for h := e.hdr; len(h) > 0; {
		n, k := strLen(h)
		match := n == len(name) && string(h[k:k+n]) == name
		h = h[k+n:]
		n, k = strLen(h)
		if match {
			return str(h[k:], n), true
		}
		h = h[k+n:]
	}
	return "", false
}

// SetHeader sets header name to value: in place when the event has it,
// else after the others.
func (e *Event) SetHeader(name, value string) {
	start, end := e.find(name)
	if start < 0 {
		e.hdr = appendStr(appendStr(e.hdr, name), value)
		return
	}
	if _, old, _ := readPair(e.hdr[start:end]); old == value {
		return // nothing to change
	}
	// The old value may have been handed out as a string: the new
	// encoding goes to new storage.
	h := make([]byte, 0, len(e.hdr)-(end-start)+strSize(len(name))+strSize(len(value)))
	h = append(h, e.hdr[:start]...)
	h = appendStr(appendStr(h, name), value)
	e.hdr = append(h, e.hdr[end:]...)
}

// DelHeader removes header name, if present. The other headers keep their
// order.
func (e *Event) DelHeader(name string) {
	if start, end := e.find(name); start >= 0 {
		e.cut(start, end)
	}
}

// cut removes e.hdr[start:end]. Removed bytes may have been handed out as
// strings, so they are never overwritten: the last pair goes by shortening
// the slice (and its capacity), another by copying the rest.
func (e *Event) cut(start, end int) {
	switch {
	case start == 0 && end == len(e.hdr):
		e.hdr = nil
	case end == len(e.hdr):
		e.hdr = e.hdr[:start:start]
	default:
		h := make([]byte, 0, len(e.hdr)-(end-start))
		h = append(h, e.hdr[:start]...)
		e.hdr = append(h, e.hdr[end:]...)
	}
}

// DelHeaderFunc removes every header for which del returns true, in one
// pass; the others keep their order.
func (e *Event) DelHeaderFunc(del func(name, value string) bool) {
	var kept []byte // nil until a header goes
	for h := e.hdr; len(h) > 0; {
		k, v, rest := readPair(h)
		pair := h[:len(h)-len(rest)]
		switch {
		case del(k, v):
			if kept == nil {
				kept = make([]byte, 0, len(e.hdr))
				kept = append(kept, e.hdr[:len(e.hdr)-len(h)]...)
			}
		case kept != nil:
			kept = append(kept, pair...)
		}
		h = rest
	}
	if kept == nil {
		return
	}
	if len(kept) == 0 {
		kept = nil
	}
	e.hdr = kept
}

// HeaderCount returns the number of headers.
func (e Event) HeaderCount() int {
	count := 0
	for h := e.hdr; len(h) > 0; count++ {
		n, k := strLen(h)
		h = h[k+n:]
		n, k = strLen(h)
		h = h[k+n:]
	}
	return count
}

// AllHeaders iterates over the headers (name, value) in the order they were
// first set:
//
//	for name, value := range e.AllHeaders() { ... }
//
// The event must not be modified during the iteration (use DelHeaderFunc
// to remove headers by a condition).
func (e Event) AllHeaders() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for h := e.hdr; len(h) > 0; {
			var k, v string
			k, v, h = readPair(h)
			if !yield(k, v) {
				return
			}
		}
	}
}

// EncodedHeaders returns the headers in their encoding (see Event: the
// items of an Avro map<string> block) and their number, for encoders that
// copy them as they are. The bytes must not be modified.
func (e Event) EncodedHeaders() (items []byte, n int) {
	return e.hdr[:len(e.hdr):len(e.hdr)], e.HeaderCount()
}

// Clone returns a deep copy of e that shares no memory with it (one
// allocation holds its body and headers).
func (e Event) Clone() Event {
	if len(e.hdr) == 0 {
		return Event{Body: append([]byte(nil), e.Body...)}
	}
	buf := make([]byte, len(e.Body)+len(e.hdr))
	n := copy(buf, e.Body)
	copy(buf[n:], e.hdr)
	c := Event{Body: buf[:n:n], hdr: buf[n:]}
	if e.Body == nil {
		c.Body = nil
	}
	return c
}

// Size returns the number of bytes the event's headers and body occupy on the
// wire, roughly: the sum of the lengths of every header name, header value and
// the body. Channels use it for byte accounting and sinks for batching limits.
func (e Event) Size() int {
	n := len(e.Body)
	for h := e.hdr; len(h) > 0; {
		k, v, rest := readPair(h)
		n += len(k) + len(v)
		h = rest
	}
	return n
}

// ReserveHeaders gives every event of events room for n more bytes of
// headers (a header takes its name's and value's lengths plus 2 to 6
// bytes), with one allocation for all the events that need it: call it
// before adding headers to a batch (the built-in interceptors do), instead
// of letting each event's first SetHeader allocate. Existing headers are
// copied; the events must be owned by the caller (see Event).
func ReserveHeaders(events []Event, n int) {
	if n <= 0 {
		return
	}
	total := 0
	for i := range events {
		if h := events[i].hdr; cap(h)-len(h) < n {
			total += len(h) + n
		}
	}
	if total == 0 {
		return
	}
	buf := make([]byte, total)
	for i := range events {
		e := &events[i]
		if cap(e.hdr)-len(e.hdr) >= n {
			continue
		}
		k := copy(buf, e.hdr)
		e.hdr = buf[: k : k+n]
		buf = buf[k+n:]
	}
}

// AttachEncodedHeaders makes the n headers encoded at the head of b e's
// headers, without copying, and returns the rest of b. The encoding is that
// of Event's headers, the items of an Avro map<string> block: for each
// header its name then its value, each a zig-zag varint length and the
// bytes. e's headers will point into b, which must never be modified
// afterwards.
//
// It reports false, leaving e alone, when b does not start with n such
// pairs or names a header twice: the caller then decodes them one by one
// into a HeaderBuffer, which resolves duplicates and reports errors in
// detail. n ≤ 0 gives e no headers.
func AttachEncodedHeaders(e *Event, b []byte, n int) ([]byte, bool) {
	if n <= 0 {
		e.hdr = nil
		return b, true
	}
	// Name positions for the duplicate check of small maps; larger ones
	// use an index.
	var small [smallHeaders]string
	var index map[string]struct{}
	h := b
	for i := range n {
		var name string
		var ok bool
		if name, h, ok = checkStr(h); !ok {
			return b, false
		}
		if _, h, ok = checkStr(h); !ok {
			return b, false
		}
		if i < smallHeaders {
			for _, s := range small[:i] {
				if s == name {
					return b, false
				}
			}
			small[i] = name
			continue
		}
		if index == nil {
			index = make(map[string]struct{}, 2*smallHeaders)
			for _, s := range small {
				index[s] = struct{}{}
			}
		}
		if _, dup := index[name]; dup {
			return b, false
		}
		index[name] = struct{}{}
	}
	end := len(b) - len(h)
	e.hdr = b[:end:end]
	return h, true
}

// checkStr reads an Avro string from the head of b, checking its length.
func checkStr(b []byte) (string, []byte, bool) {
	var u uint64
	k := 1
	switch {
	case len(b) == 0:
		return "", nil, false
	case b[0] < 0x80:
		u = uint64(b[0])
	default:
		if u, k = binary.Uvarint(b); k <= 0 {
			return "", nil, false // truncated, or more than 64 bits
		}
	}
	if u&1 != 0 || u>>1 > uint64(len(b)-k) {
		return "", nil, false // negative, or longer than what is left
	}
	n := int(u >> 1)
	if n == 0 {
		return "", b[k:], true
	}
	return unsafe.String(&b[k], n), b[k+n:], true
}

// smallHeaders is the number of headers up to which duplicates are found
// by comparing names; beyond, an index is kept.
const smallHeaders = 8

// maxGrowHint bounds the bytes HeaderBuffer.Grow reserves in advance, so
// that a hostile count in a frame cannot make it allocate far more than
// the frame holds; beyond, storage grows as headers are added.
const maxGrowHint = 1 << 20

// maxChunk bounds the doubling of HeaderBuffer's storage: one storage
// array is kept alive by every event that points into it, so it should not
// outgrow a batch or two.
const maxChunk = 256 << 10

// HeaderBuffer builds the headers of many events in shared storage, so that
// decoding a batch costs a few allocations for all its headers instead of
// some per event. For each event, Add its headers, then Attach them to the
// event. A name added twice keeps the last value, at its first position;
// finding duplicates takes time linear in the number of headers.
//
// Each event gets its own region of the storage, its capacity capped, so
// modifying one event's headers afterwards (an interceptor's SetHeader or
// DelHeader) never affects another event. The buffer never reuses storage
// it has attached: a HeaderBuffer may live as long as the decoder using it.
// The zero value is ready to use; it is not safe for concurrent use.
type HeaderBuffer struct {
	buf   []byte // storage; buf[start:] holds the pending event's headers
	start int
	n     int                  // headers of the pending event
	dup   bool                 // a name of the pending event was added twice
	names [smallHeaders]string // the first names of the pending event
	index map[string]struct{}  // its names, once it has more than smallHeaders
}

// Grow hints that about n more bytes of headers will be added (a batch's
// event count times the first event's header bytes, say), so that one
// allocation holds them all.
func (b *HeaderBuffer) Grow(n int) {
	n = min(n, maxGrowHint)
	if cap(b.buf)-len(b.buf) < n {
		b.move(len(b.buf) - b.start + n)
	}
}

// move copies the pending headers to new storage with room for at least
// need bytes.
func (b *HeaderBuffer) move(need int) {
	pending := b.buf[b.start:]
	nb := make([]byte, len(pending), max(need, min(2*cap(b.buf), maxChunk), 512))
	copy(nb, pending)
	b.buf, b.start = nb, 0
}

// Add adds a header to the pending event; a name added before is given the
// new value.
func (b *HeaderBuffer) Add(name, value string) {
	switch {
	case b.dup:
	case b.n < smallHeaders:
		for _, s := range b.names[:b.n] {
			if s == name {
				b.dup = true
			}
		}
		b.names[b.n] = name
	default:
		if b.index == nil {
			b.index = make(map[string]struct{}, 2*smallHeaders)
			for _, s := range b.names {
				b.index[s] = struct{}{}
			}
		}
		if _, ok := b.index[name]; ok {
			b.dup = true
		} else {
			b.index[name] = struct{}{}
		}
	}
	b.n++
	if need := strSize(len(name)) + strSize(len(value)); cap(b.buf)-len(b.buf) < need {
		b.move(2 * (len(b.buf) - b.start + need)) // doubling: linear however large the event
	}
	b.buf = appendStr(appendStr(b.buf, name), value)
}

// Attach ends the pending event: its headers become e's (replacing any e
// had), and the next Add starts a new event.
func (b *HeaderBuffer) Attach(e *Event) {
	pending := b.buf[b.start:]
	switch {
	case len(pending) == 0:
		e.hdr = nil
	case b.dup:
		e.hdr = dedup(pending)
		b.buf = b.buf[:b.start] // the pending bytes were never handed out
	default:
		e.hdr = pending[:len(pending):len(pending)]
		b.start = len(b.buf)
	}
	b.reset()
}

// Discard drops the pending event's headers (a decoding error); the next
// Add starts a new event.
func (b *HeaderBuffer) Discard() {
	b.buf = b.buf[:b.start]
	b.reset()
}

func (b *HeaderBuffer) reset() {
	clear(b.names[:min(b.n, smallHeaders)])
	b.n, b.dup, b.index = 0, false, nil
}

// dedup returns a new encoding of h without duplicate names: each name at
// its first position, with its last value.
func dedup(h []byte) []byte {
	last := map[string]string{}
	var order []string
	for p := h; len(p) > 0; {
		k, v, rest := readPair(p)
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = v
		p = rest
	}
	out := make([]byte, 0, len(h))
	for _, k := range order {
		out = appendStr(appendStr(out, k), last[k])
	}
	return out
}
