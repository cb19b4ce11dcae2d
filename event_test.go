package flume

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// pairs returns e's headers in iteration order.
func pairs(e Event) []Header {
	var out []Header
	for k, v := range e.AllHeaders() {
		out = append(out, Header{k, v})
	}
	return out
}

func TestEventHeaders(t *testing.T) {
	e := NewEvent([]byte("body"))
	if _, ok := e.Header("a"); ok || e.HeaderCount() != 0 || len(pairs(e)) != 0 {
		t.Fatalf("new event has headers: %v", pairs(e))
	}
	e.SetHeader("b", "1")
	e.SetHeader("a", "2")
	e.SetHeader("", "empty name")
	e.SetHeader("b", "3") // replaced in place: b stays first
	want := []Header{{"b", "3"}, {"a", "2"}, {"", "empty name"}}
	if got := pairs(e); !slices.Equal(got, want) || e.HeaderCount() != 3 {
		t.Fatalf("headers %v, want %v", got, want)
	}
	if v, ok := e.Header(""); !ok || v != "empty name" {
		t.Fatalf(`Header("") = %q, %v`, v, ok)
	}
	e.DelHeader("a")
	e.DelHeader("missing")
	if got := pairs(e); !slices.Equal(got, []Header{{"b", "3"}, {"", "empty name"}}) {
		t.Fatalf("after DelHeader: %v", got)
	}
	e.DelHeaderFunc(func(name, value string) bool { return name == "" || value == "none" })
	if got := pairs(e); !slices.Equal(got, []Header{{"b", "3"}}) {
		t.Fatalf("after DelHeaderFunc: %v", got)
	}
	e.DelHeader("b")
	if e.HeaderCount() != 0 || e.hdr != nil {
		t.Fatalf("after deleting the last header: %q", e.hdr)
	}
	if e.Size() != 4 {
		t.Fatalf("Size %d", e.Size())
	}
	e.SetHeader("k", "vv")
	if e.Size() != 7 {
		t.Fatalf("Size %d, want 7", e.Size())
	}
	// Breaking out of the loop stops the iteration.
	e.SetHeader("l", "w")
	n := 0
	for range e.AllHeaders() {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("iterated %d times after break", n)
	}
}

func TestEventCloneSharesNothing(t *testing.T) {
	var enc []byte
	for _, s := range []string{"host", "web-1", "seq", "17"} {
		enc = appendStr(enc, s)
	}
	frame := append(enc, "body"...)
	var e Event
	rest, ok := AttachEncodedHeaders(&e, frame, 2)
	if !ok || string(rest) != "body" {
		t.Fatalf("AttachEncodedHeaders: %v, rest %q", ok, rest)
	}
	e.Body = rest
	c := e.Clone()
	for i := range frame {
		frame[i] = 'X' // the decoder's buffer is reused
	}
	if got := maps.Collect(c.AllHeaders()); !maps.Equal(got, map[string]string{"host": "web-1", "seq": "17"}) || string(c.Body) != "body" {
		t.Fatalf("clone changed with the original's buffer: %v %q", got, c.Body)
	}
	if NewEvent(nil).Clone().hdr != nil || NewEvent(nil).Clone().Body != nil {
		t.Fatal("clone of an empty event is not empty")
	}
}

// TestHeaderStringsStayImmutable: strings handed out by Header and
// AllHeaders point into the event's storage, which modifications never
// overwrite.
func TestHeaderStringsStayImmutable(t *testing.T) {
	evs := make([]Event, 1)
	ReserveHeaders(evs, 64)
	e := &evs[0]
	e.SetHeader("a", "one")
	e.SetHeader("b", "two")
	a, _ := e.Header("a")
	b, _ := e.Header("b")
	e.SetHeader("a", "ONE") // replaced: a new encoding
	e.DelHeader("b")        // the last pair: shortened, never overwritten
	e.SetHeader("c", "three")
	e.SetHeader("d", "four")
	if a != "one" || b != "two" {
		t.Fatalf("handed-out strings changed: %q %q", a, b)
	}
	if got := pairs(*e); !slices.Equal(got, []Header{{"a", "ONE"}, {"c", "three"}, {"d", "four"}}) {
		t.Fatalf("headers %v", got)
	}
}

func TestAttachEncodedHeaders(t *testing.T) {
	enc := func(s ...string) []byte {
		var b []byte
		for _, x := range s {
			b = appendStr(b, x)
		}
		return b
	}
	long := strings.Repeat("v", 300) // a two-byte length
	for _, tc := range []struct {
		name string
		b    []byte
		n    int
		ok   bool
	}{
		{"two", enc("a", "1", "b", long), 2, true},
		{"empty strings", enc("", "", "x", ""), 2, true},
		{"none", nil, 0, true},
		{"duplicate", enc("a", "1", "a", "2"), 2, false},
		{"duplicate after 8", enc("0", "", "1", "", "2", "", "3", "", "4", "", "5", "", "6", "", "7", "", "8", "", "3", ""), 10, false},
		{"many", enc("0", "", "1", "", "2", "", "3", "", "4", "", "5", "", "6", "", "7", "", "8", "", "9", ""), 10, true},
		{"truncated", enc("a", "1")[:3], 1, false},
		{"missing value", enc("a"), 1, false},
		{"negative length", []byte{1, 'a', 0}, 1, false},
		{"length past the end", []byte{0x20, 'a', 0}, 1, false},
		{"varint overflow", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 1, false},
		{"truncated varint", []byte{0x80}, 1, false},
	} {
		var e Event
		e.SetHeader("before", "x")
		b := tc.b
		if tc.ok {
			b = append(b, 0xAA) // what follows the headers
		}
		rest, ok := AttachEncodedHeaders(&e, b, tc.n)
		if ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.name, ok, tc.ok)
			continue
		}
		if !ok {
			if v, _ := e.Header("before"); v != "x" || e.HeaderCount() != 1 {
				t.Errorf("%s: refused, but the event changed: %v", tc.name, pairs(e))
			}
			continue
		}
		if e.HeaderCount() != tc.n || len(rest) != 1 || rest[0] != 0xAA || cap(e.hdr) != len(e.hdr) {
			t.Errorf("%s: %d headers, rest % x, capacity %d of %d", tc.name, e.HeaderCount(), rest, cap(e.hdr), len(e.hdr))
		}
	}
	var e Event
	AttachEncodedHeaders(&e, enc("a", "1", "b", long), 2)
	if v, _ := e.Header("b"); v != long {
		t.Fatalf("long value: %d bytes", len(v))
	}
	if items, n := e.EncodedHeaders(); n != 2 || !bytes.Equal(items, enc("a", "1", "b", long)) {
		t.Fatalf("EncodedHeaders: %d, % x", n, items)
	}
}

func TestHeaderBufferDuplicatesLastWins(t *testing.T) {
	var b HeaderBuffer
	var e1, e2 Event
	b.Add("a", "1")
	b.Add("b", "2")
	b.Add("a", "3")
	b.Attach(&e1)
	b.Add("a", "other event") // a new event: not a duplicate of e1's a
	b.Attach(&e2)
	if got := pairs(e1); !slices.Equal(got, []Header{{"a", "3"}, {"b", "2"}}) {
		t.Fatalf("e1 %v", got)
	}
	if got := pairs(e2); !slices.Equal(got, []Header{{"a", "other event"}}) {
		t.Fatalf("e2 %v", got)
	}
	var empty Event
	empty.SetHeader("x", "y")
	b.Attach(&empty) // no headers added: replaces e's with none
	if empty.hdr != nil {
		t.Fatalf("attached no headers, got %v", empty.hdr)
	}
	b.Add("lost", "1")
	b.Discard()
	b.Add("kept", "1")
	var e3 Event
	b.Attach(&e3)
	if got := pairs(e3); !slices.Equal(got, []Header{{"kept", "1"}}) {
		t.Fatalf("after Discard: %v", got)
	}
}

// TestHeaderBufferManyHeaders covers events with more headers than the
// scanned ones: duplicates are still resolved, in linear time (a quadratic
// dedup of 100,000 headers would take minutes here).
func TestHeaderBufferManyHeaders(t *testing.T) {
	const n = 100_000
	var b HeaderBuffer
	b.Grow(1 << 40) // a hostile hint is bounded
	for i := range n {
		b.Add(strconv.Itoa(i%(n/2)), strconv.Itoa(i))
	}
	var e Event
	b.Attach(&e)
	if e.HeaderCount() != n/2 {
		t.Fatalf("%d headers, want %d", e.HeaderCount(), n/2)
	}
	if v, _ := e.Header("7"); v != strconv.Itoa(n/2+7) {
		t.Fatalf("header 7 = %q, want the last value %d", v, n/2+7)
	}
	if first := pairs(e)[0]; first != (Header{"0", strconv.Itoa(n / 2)}) {
		t.Fatalf("first header %v", first)
	}
	for range n {
		b.Add("same", "v")
	}
	b.Add("other", "w")
	var f Event
	b.Attach(&f)
	if got := pairs(f); !slices.Equal(got, []Header{{"same", "v"}, {"other", "w"}}) {
		t.Fatalf("%d headers", len(got))
	}
	// The index is per event: a small event afterwards scans again.
	b.Add("same", "x")
	var g Event
	b.Attach(&g)
	if got := pairs(g); !slices.Equal(got, []Header{{"same", "x"}}) {
		t.Fatalf("%v", got)
	}
}

// TestHeaderBufferEventsAreIsolated: events built in shared storage can be
// modified, and grown, without touching their neighbours.
func TestHeaderBufferEventsAreIsolated(t *testing.T) {
	var b HeaderBuffer
	b.Grow(300)
	evs := make([]Event, 10)
	for i := range evs {
		b.Add("seq", strconv.Itoa(i))
		b.Add("host", "h")
		b.Attach(&evs[i])
	}
	n := len(evs[0].hdr)
	if cap(evs[0].hdr) != n || unsafe.Pointer(&evs[1].hdr[0]) != unsafe.Add(unsafe.Pointer(&evs[0].hdr[0]), n) {
		t.Fatalf("event 0: capacity %d of %d, storage not shared with event 1", cap(evs[0].hdr), n)
	}
	evs[3].SetHeader("new", "x") // appends: must not overwrite evs[4]'s
	evs[5].DelHeader("seq")
	evs[5].SetHeader("again", "y")
	evs[6].SetHeader("seq", "changed")
	for i, e := range evs {
		want := map[string]string{"seq": strconv.Itoa(i), "host": "h"}
		switch i {
		case 3:
			want["new"] = "x"
		case 5:
			want = map[string]string{"host": "h", "again": "y"}
		case 6:
			want["seq"] = "changed"
		}
		if got := maps.Collect(e.AllHeaders()); !maps.Equal(got, want) {
			t.Errorf("event %d: %v, want %v", i, got, want)
		}
	}
}

func TestHeaderBufferAllocations(t *testing.T) {
	evs := make([]Event, 1000)
	allocs := testing.AllocsPerRun(20, func() {
		var b HeaderBuffer
		b.Grow(41 * len(evs))
		for i := range evs {
			b.Add("timestamp", "1700000000000")
			b.Add("host", "web-1")
			b.Add("seq", "1")
			b.Attach(&evs[i])
		}
	})
	if allocs != 1 {
		t.Fatalf("%v allocations for a batch of 1000 events with 3 headers, want 1", allocs)
	}
	e := evs[0]
	allocs = testing.AllocsPerRun(20, func() {
		for k, v := range e.AllHeaders() {
			_, _ = k, v
		}
		_, _ = e.Header("seq")
		_ = e.HeaderCount()
	})
	if allocs != 0 {
		t.Fatalf("reading headers allocates %v times", allocs)
	}
}

func TestReserveHeaders(t *testing.T) {
	template := make([]Event, 5)
	template[1].SetHeader("a", "1")
	template[2].SetHeader("a", "1")
	template[2].SetHeader("b", "2")
	template[2].SetHeader("c", "3") // capacity 4: room for one more already
	evs := make([]Event, len(template))
	allocs := testing.AllocsPerRun(5, func() {
		copy(evs, template)
		ReserveHeaders(evs, 6)
		ReserveHeaders(evs, 0)
		for i := range evs {
			evs[i].SetHeader("new", "0")
		}
	})
	if allocs != 1 {
		t.Fatalf("%v allocations to add a header to 5 events, want 1", allocs)
	}
	if got := pairs(evs[1]); !slices.Equal(got, []Header{{"a", "1"}, {"new", "0"}}) {
		t.Fatalf("%v", got)
	}
	if got := pairs(evs[0]); !slices.Equal(got, []Header{{"new", "0"}}) {
		t.Fatalf("%v", got)
	}
	if got := pairs(template[1]); !slices.Equal(got, []Header{{"a", "1"}}) {
		t.Fatalf("the original events changed: %v", got)
	}
}

// FuzzAttachEncodedHeaders: whatever AttachEncodedHeaders accepts reads
// back as the pairs it encodes, equals what a HeaderBuffer builds from
// them, and survives modification; what it refuses leaves the event alone.
func FuzzAttachEncodedHeaders(f *testing.F) {
	var enc []byte
	for _, s := range []string{"timestamp", "1700000000000", "host", "web-1", "", ""} {
		enc = appendStr(enc, s)
	}
	f.Add(enc, 3)
	f.Add(enc, 2)
	f.Add([]byte{2, 'a', 0, 2, 'a', 2, 'b'}, 2) // a duplicate
	f.Add([]byte{0x80}, 1)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		n %= 1 << 12
		var e Event
		rest, ok := AttachEncodedHeaders(&e, b, n)
		if !ok {
			if e.hdr != nil {
				t.Fatal("refused, but the event changed")
			}
			return
		}
		if n <= 0 {
			if e.hdr != nil || len(rest) != len(b) {
				t.Fatal("no headers wanted, some attached")
			}
			return
		}
		var hb HeaderBuffer
		names := map[string]bool{}
		for k, v := range e.AllHeaders() {
			if names[k] {
				t.Fatalf("duplicate name %q accepted", k)
			}
			names[k] = true
			hb.Add(k, v)
		}
		if len(names) != n || e.HeaderCount() != n {
			t.Fatalf("%d names, %d headers, want %d", len(names), e.HeaderCount(), n)
		}
		var f Event
		hb.Attach(&f)
		if !slices.Equal(pairs(e), pairs(f)) {
			t.Fatalf("attached %v, built %v", pairs(e), pairs(f))
		}
		before := slices.Clone(b)
		for k := range names {
			e.SetHeader(k, k+"!")
			e.DelHeader(k)
			break
		}
		e.SetHeader("fuzz", "x")
		if !bytes.Equal(b, before) {
			t.Fatal("modifying the event wrote into the buffer it was decoded from")
		}
		if v, _ := e.Header("fuzz"); v != "x" {
			t.Fatal("SetHeader lost")
		}
	})
}

// BenchmarkHeaders measures the header operations interceptors, selectors
// and sinks use, per event of a batch of 100 with 3 headers.
func BenchmarkHeaders(b *testing.B) {
	const batch = 100
	build := func() []Event {
		evs := make([]Event, batch)
		for _, h := range [][2]string{{"timestamp", "1700000000000"}, {"host", "web-042.dc1.example.com"}, {"seq", "12345"}} {
			ReserveHeaders(evs, len(h[0])+len(h[1])+4)
			for i := range evs {
				evs[i].SetHeader(h[0], h[1])
			}
		}
		return evs
	}
	b.Run("add3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			build()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
	})
	evs := build()
	b.Run("lookup", func(b *testing.B) {
		for b.Loop() {
			for i := range evs {
				if _, ok := evs[i].Header("seq"); !ok {
					b.Fatal("no seq")
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
	})
	b.Run("iterate", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for i := range evs {
				for k, v := range evs[i].AllHeaders() {
					n += len(k) + len(v)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
	})
	b.Run("replace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range evs {
				evs[i].SetHeader("host", "other")
				evs[i].SetHeader("host", "web-042.dc1.example.com")
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/event")
	})
}
