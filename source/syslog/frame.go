package syslog

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Message is one syslog message as the framing cut it: the bytes Flume's
// SyslogUtils collects for an event (the <PRI> included, the terminating
// newline not), and what the framing learnt about it.
type Message struct {
	// Raw is the message; it is only valid until the next message is read.
	Raw []byte
	// Bad is Flume's "invalid" verdict on the priority: the message does
	// not start with '<', or its priority is empty, longer than three
	// characters or not made of digits.
	Bad bool
	// Incomplete reports that the message was cut at eventSize.
	Incomplete bool
}

// priority returns the priority digits of a message that is not Bad; it
// may be empty (a datagram that ended before its priority did).
func (m Message) priority() []byte {
	if m.Bad || len(m.Raw) == 0 {
		return nil
	}
	end := 1
	for end < len(m.Raw) && end <= 4 && m.Raw[end] >= '0' && m.Raw[end] <= '9' {
		end++
	}
	return m.Raw[1:end]
}

// scan reads the first message of b as Flume's SyslogUtils.extractEvent
// does, byte by byte: newlines before a message are skipped; a message
// starts with '<' and up to three digits and '>', or is Bad from its first
// unexpected byte on; it ends at the next newline (in the data part: a
// newline within the priority is data) or when it holds max bytes
// (Incomplete). It returns the message, the bytes consumed and whether the
// message ended; a message that did not end is what b holds of it. When
// keepNewlines is set (an octet-counted frame), newlines in the data are
// part of the message. It is the reference the stream reader is tested
// against, and it frames datagrams and octet-counted frames.
func scan(b []byte, max int, keepNewlines bool) (m Message, n int, ended bool) {
	const (
		start = iota
		prio
		data
	)
	mode := start
	digits := 0
	var msg []byte
	for n < len(b) {
		c := b[n]
		n++
		switch mode {
		case start:
			switch {
			case c == '<':
				msg = append(msg, c)
				mode = prio
			case c == '\n':
			default:
				m.Bad = true
				msg = append(msg, c)
				mode = data
			}
		case prio:
			msg = append(msg, c)
			if c == '>' {
				if digits == 0 {
					m.Bad = true
				}
				mode = data
				break
			}
			digits++
			if c < '0' || c > '9' || digits > 3 {
				m.Bad = true
				mode = data
			}
		case data:
			if c == '\n' && !keepNewlines {
				m.Raw = msg
				return m, n, true
			}
			msg = append(msg, c)
			if len(msg) >= max {
				m.Raw, m.Incomplete = msg, true
				return m, n, true
			}
		}
	}
	m.Raw = msg
	return m, n, false
}

// reader cuts a TCP stream into messages, in one of two ways:
//
//   - as Flume's syslogtcp source does (scan, byte for byte): newlines
//     before a message are skipped, the priority is checked (Message.Bad),
//     a message ends at a newline or at eventSize bytes (Incomplete);
//   - with lines set, as Flume's multiport_syslogtcp source does: every
//     newline ends a line (an empty line is an empty message), a line of
//     eventSize bytes without a newline ends there (Incomplete), and the
//     priority is left to the parser.
//
// Either way, a flumego addition, a message that starts with a digit other
// than 0 followed by digits and a space ("57 <13>...") is an RFC 6587
// octet-counted frame of that many bytes, which may hold newlines: Flume
// reads such a stream as Invalid messages; rsyslog and syslog-ng send it.
// A frame is one message (framed as a datagram by scan, newlines kept, one
// trailing newline dropped); bytes of it beyond eventSize are skipped.
// Memory per connection is bounded by eventSize.
type reader struct {
	r     *bufio.Reader
	max   int
	lines bool
	// noFrames turns octet counting off (Flume's framing exactly).
	noFrames bool
	msg      []byte
	// started, when set, is called when a message began arriving (its
	// first byte was read): the caller may then time it out.
	started func()
}

func newReader(r *bufio.Reader, max int, lines bool) *reader {
	return &reader{r: r, max: max, lines: lines}
}

// grow replaces the read buffer with one of size bytes, keeping what is
// buffered: a busy connection gets a larger buffer, and so larger batches,
// while idle ones keep a small one.
func (rd *reader) grow(src io.Reader, size int) {
	if rd.r.Size() >= size {
		return
	}
	n := rd.r.Buffered()
	buffered, _ := rd.r.Peek(n)
	rd.r = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(buffered)), src), size)
}

// next returns the next message. io.EOF means the stream ended between
// messages; a message cut short by the end of the stream is discarded (as
// Flume does) and io.ErrUnexpectedEOF returned.
func (rd *reader) next() (Message, error) {
	c, err := rd.r.ReadByte()
	for err == nil && c == '\n' && !rd.lines {
		c, err = rd.r.ReadByte()
	}
	if err != nil {
		return Message{}, err
	}
	if rd.started != nil {
		rd.started()
	}
	if c >= '1' && c <= '9' && !rd.noFrames {
		if m, ok, err := rd.frame(c); ok || err != nil {
			return m, err
		}
	}
	m := Message{}
	msg := append(rd.msg[:0], c)
	switch {
	case rd.lines:
		if c == '\n' {
			rd.msg, m.Raw = msg[:0], msg[:0]
			return m, nil
		}
		if len(msg) >= rd.max {
			rd.msg, m.Raw, m.Incomplete = msg, msg, true
			return m, nil
		}
	case c == '<':
		digits := 0
		for {
			if c, err = rd.r.ReadByte(); err != nil {
				rd.msg = msg
				return Message{}, eof(err)
			}
			msg = append(msg, c)
			if c == '>' {
				m.Bad = digits == 0
				break
			}
			digits++
			if c < '0' || c > '9' || digits > 3 {
				m.Bad = true
				break
			}
		}
	default:
		m.Bad = true
	}
	// The rest, by spans of buffered bytes: up to a newline, or until the
	// message holds eventSize bytes.
	for {
		if _, err := rd.r.Peek(1); err != nil {
			rd.msg = msg
			return Message{}, eof(err)
		}
		buf, _ := rd.r.Peek(rd.r.Buffered())
		w := buf[:min(len(buf), max(rd.max-len(msg), 1))]
		if i := bytes.IndexByte(w, '\n'); i >= 0 {
			msg = append(msg, w[:i]...)
			_, _ = rd.r.Discard(i + 1)
			rd.msg, m.Raw = msg, msg
			return m, nil
		}
		msg = append(msg, w...)
		_, _ = rd.r.Discard(len(w))
		if len(msg) >= rd.max {
			rd.msg, m.Raw, m.Incomplete = msg, msg, true
			return m, nil
		}
	}
}

// frame reads an octet-counted frame whose first digit is first; ok is
// false (nothing consumed but first) when the bytes after it are not
// digits and a space: the message is then a newline-framed one.
func (rd *reader) frame(first byte) (Message, bool, error) {
	n := int(first - '0')
	for k := 1; ; k++ {
		buf, err := rd.r.Peek(k)
		if err != nil {
			if len(buf) < k {
				return Message{}, false, nil // the stream ended: framed by newline (and discarded)
			}
			return Message{}, false, err
		}
		c := buf[k-1]
		if c == ' ' {
			_, _ = rd.r.Discard(k)
			break
		}
		if c < '0' || c > '9' {
			return Message{}, false, nil
		}
		if k == 9 {
			return Message{}, false, nil // ten digits: not a frame length
		}
		n = 10*n + int(c-'0')
	}
	keep := min(n, rd.max)
	if cap(rd.msg) < keep {
		rd.msg = make([]byte, keep)
	}
	body := rd.msg[:keep]
	if _, err := io.ReadFull(rd.r, body); err != nil {
		return Message{}, true, eof(err)
	}
	if _, err := rd.r.Discard(n - keep); err != nil {
		return Message{}, true, eof(err)
	}
	if n == keep && keep > 0 && body[keep-1] == '\n' {
		body = body[:keep-1]
	}
	if rd.lines {
		return Message{Raw: body, Incomplete: n > keep}, true, nil
	}
	m, _, _ := scan(body, len(body)+1, true)
	m.Incomplete = n > keep
	return m, true, nil
}

func eof(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// hasMessage reports whether the bytes already buffered hold a whole
// message (a newline, or a whole octet-counted frame): then the next call
// to next does not wait for the peer.
func (rd *reader) hasMessage() bool {
	n := rd.r.Buffered()
	if n == 0 {
		return false
	}
	buf, _ := rd.r.Peek(n)
	if c := buf[0]; c >= '1' && c <= '9' {
		size := 0
		for i, c := range buf {
			if c == ' ' {
				return size <= rd.max && n >= i+1+size
			}
			if c < '0' || c > '9' || i == 9 {
				break
			}
			size = 10*size + int(c-'0')
		}
	}
	return bytes.IndexByte(buf, '\n') >= 0
}
