package syslog

import (
	"bufio"
	"bytes"
	"testing"
	"time"
)

// BenchmarkFormat5424 parses the RFC 5424 message of the syslogtcp
// benchmark scenario.
func BenchmarkFormat5424(b *testing.B) {
	f := &Formatter{Location: time.UTC}
	m := Message{Raw: []byte("<13>1 2024-01-02T03:04:05.678Z bench-host app - - - abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Event(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat3164 parses an RFC 3164 message.
func BenchmarkFormat3164(b *testing.B) {
	f := &Formatter{Location: time.UTC}
	m := Message{Raw: []byte("<13>Jan  2 03:04:05 bench-host app: abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrs")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Event(m); err != nil {
			b.Fatal(err)
		}
	}
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
