package syslog

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// benchFormat makes events of m as a connection does: headers in the
// connection's shared buffer.
func benchFormat(b *testing.B, raw string) {
	f := &Formatter{Location: time.UTC}
	m := Message{Raw: []byte(raw)}
	var hb flume.HeaderBuffer
	b.ReportAllocs()
	for b.Loop() {
		body, err := f.build(m, &hb)
		if err != nil {
			b.Fatal(err)
		}
		e := flume.NewEvent(body)
		hb.Attach(&e)
	}
}

// BenchmarkFormat5424 parses the RFC 5424 message of the syslogtcp
// benchmark scenario.
func BenchmarkFormat5424(b *testing.B) {
	benchFormat(b, "<13>1 2024-01-02T03:04:05.678Z bench-host app - - - abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs")
}

// BenchmarkFormat3164 parses an RFC 3164 message.
func BenchmarkFormat3164(b *testing.B) {
	benchFormat(b, "<13>Jan  2 03:04:05 bench-host app: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs")
}

// BenchmarkReader frames newline-terminated messages from a buffer.
func BenchmarkReader(b *testing.B) {
	line := []byte("<13>1 2024-01-02T03:04:05.678Z bench-host app - - - abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs\n")
	stream := bytes.Repeat(line, 1000)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		rd := newReader(bufio.NewReaderSize(bytes.NewReader(stream), 64<<10), DefaultEventSize, false)
		for {
			if _, err := rd.next(); err != nil {
				break
			}
		}
	}
}
