package flume

import "io"

// EventSerializer writes events to one output stream in a format of its
// own: Flume's EventSerializer, the "serializer" of the file_roll and HDFS
// sinks. A sink drives it, from one goroutine, as Flume's sinks do:
//
//	s := build(w)     // w is the new or reopened file, usually through a buffer
//	s.AfterCreate()   // a new file: write a header (or AfterReopen when appending)
//	s.Write(e)        // each event of a batch
//	s.Flush()         // before each commit: push what s buffers to w; the sink then
//	                  // flushes (and may sync) w, and only then commits the channel
//	s.Flush()         // before closing the file,
//	s.BeforeClose()   // then the trailer; the sink flushes and closes w
//
// An error from any call means the file's content is uncertain: the sink
// rolls its transaction back and starts a new file.
type EventSerializer interface {
	// AfterCreate writes what starts a new file (the Avro container header).
	AfterCreate() error
	// AfterReopen prepares appending to an existing file; a serializer
	// whose SupportsReopen is false returns an error.
	AfterReopen() error
	// Write serializes one event. It may buffer inside the serializer (an
	// Avro block) until Flush.
	Write(e Event) error
	// Flush writes everything Write buffered to the underlying writer. It
	// does not flush or sync the underlying writer itself: the sink does.
	Flush() error
	// BeforeClose writes a trailer, if the format has one. It must not
	// buffer: Flush is not called after it.
	BeforeClose() error
	// SupportsReopen reports whether a file this serializer wrote can be
	// appended to after it was closed (false for formats with a header that
	// fixes per-file state, such as Avro's sync marker).
	SupportsReopen() bool
}

// EventSerializerBuilder makes a serializer writing to w, with the options
// its factory read; it is called once per output file. Flume's
// EventSerializer.Builder.
type EventSerializerBuilder func(w io.Writer) EventSerializer

// EventDeserializer reads events from one input file: Flume's
// EventDeserializer, the "deserializer" of the spooling directory source. The
// source drives it from one goroutine:
//
//	d, err := build(in)             // in.File positioned at in.Start: 0 for a new
//	                                // file, or a position an earlier Mark returned
//	events, err := d.ReadEvents(batchSize)
//	// put events on the channel; if the commit succeeded:
//	pos, err := d.Mark()            // persist pos: a restart resumes there
//	// if it failed:
//	err = d.Reset()                 // back to the mark: the same events are read again
//	...
//	d.Close()                       // at io.EOF, after an error, or on stop
//
// Marking the position the source persists, rather than storing it inside
// the deserializer, keeps the durability in one place (the source's
// tracker file), as Flume's DurablePositionTracker does. A failed batch is
// read again after Reset rather than retried from the same slice, because
// interceptors may have modified or dropped events of that slice in place.
type EventDeserializer interface {
	// ReadEvents returns at least one and at most max events, or none and
	// io.EOF at the end of the input. Returning fewer than max does not
	// mean the end (a deserializer may bound a batch's bytes).
	//
	// It may return events together with an error: the events are good,
	// read before the problem, and the error says what stops the input
	// after them (bytes the charset cannot decode under decodeErrorPolicy
	// FAIL, a corrupt Avro block), naming the input and the position. The
	// source commits those events, reports the error and leaves the file;
	// it does not call ReadEvents again without a Reset.
	ReadEvents(max int) ([]Event, error)
	// Mark records that every event returned so far is committed, and
	// returns the byte position the source persists: a deserializer built
	// on the input positioned there reads on after those events. A format
	// that can only resume at a block boundary (Avro) may return an earlier
	// position and read some committed events again after a restart
	// (at-least-once, as in Flume); it never returns a later one. Reset,
	// within the same deserializer, returns exactly to the mark.
	Mark() (int64, error)
	// Reset returns to the last mark (or the starting position), so that
	// the events returned since are read again.
	Reset() error
	// Close releases the deserializer. It does not close the input, which
	// the source owns.
	Close() error
}

// DeserializerInput is the file an EventDeserializerBuilder reads.
type DeserializerInput struct {
	// File is positioned at Start and ends at Size. A deserializer may
	// seek elsewhere (to read a header at 0) as long as it reads on from
	// Start.
	File io.ReadSeeker
	// Start is where reading starts: 0 for a new file, or a position an
	// earlier Mark returned when the source resumes a file.
	Start int64
	// Size is the input's length: the spooling directory source hands the
	// file as it was when it picked it up, so that a file that is still
	// being written is noticed instead of being read half-written.
	Size int64
	// Name identifies the input in errors and logs (the file's path).
	Name string
	// Charset is the source's inputCharset (Flume's default UTF-8), a Java
	// charset name, for deserializers that decode text; binary ones ignore
	// it. The source has checked that flumego knows it.
	Charset string
	// DecodeErrorPolicy is the source's decodeErrorPolicy (FAIL, REPLACE or
	// IGNORE): what a text deserializer does with bytes the charset cannot
	// decode.
	DecodeErrorPolicy string
}

// EventDeserializerBuilder makes a deserializer reading in, with the options
// its factory read; it is called once per input file. An error means the
// file cannot be read in this format (a bad Avro header).
type EventDeserializerBuilder func(in DeserializerInput) (EventDeserializer, error)
