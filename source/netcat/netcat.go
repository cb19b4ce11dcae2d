package netcat

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/source"
)

// Source is a netcat source. Its lifecycle is the source.Endpoint every
// network source shares.
type Source struct {
	*source.Endpoint
	maxLine  int
	ack      bool
	encoding string
	out      flume.ChannelProcessor
	log      *slog.Logger
	warn     ratelog.Limiter // over-long lines: one warning per 10 s
}

// Config is the netcat source's configuration.
type Config struct {
	Bind          string
	Port          int
	MaxLineLength int    // max-line-length, in bytes
	AckEveryEvent bool   // ack-every-event: answer "OK" per line
	Encoding      string // lower case: utf-8, us-ascii or iso-8859-1 (or an alias)
	// Limits are max-connections and request-read-timeout.
	Limits netserver.Limits
}

// ParseConfig reads the source's properties with Flume's defaults.
// Problems are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	c := Config{
		Bind:          cfg.Required("bind"),
		Port:          cfg.Port("port"),
		MaxLineLength: cfg.Positive("max-line-length", 512),
		AckEveryEvent: cfg.Bool("ack-every-event", true),
		Encoding:      strings.ToLower(cfg.String("encoding", "utf-8")),
	}
	cfg.Need(flume.NeedListenHost, "bind", c.Bind)
	c.Limits = netserver.ParseLimits(cfg)
	switch c.Encoding {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1":
	default:
		cfg.Errorf("encoding", "unsupported encoding (flumego supports utf-8, us-ascii and iso-8859-1)")
	}
	return c
}

// Factory builds a netcat source.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, out), nil
}

// New returns a stopped netcat source that hands its events to out.
func New(set flume.Settings, c Config, out flume.ChannelProcessor) *Source {
	log := set.Log()
	s := &Source{maxLine: c.MaxLineLength, ack: c.AckEveryEvent, encoding: c.Encoding, out: out, log: log}
	addr := net.JoinHostPort(c.Bind, strconv.Itoa(c.Port))
	s.Endpoint = source.NewEndpoint("netcat source", set, addr, nil, func() source.Server {
		return netserver.New(netserver.Config{Name: "netcat source", Logger: log, Limits: c.Limits}, s.serve)
	}, c.Limits.LogAttrs()...)
	return s
}

// Register adds the netcat source to r.
func Register(r *flume.Registry) error {
	return r.RegisterSource("netcat", Factory, "org.apache.flume.source.NetcatSource")
}

func (s *Source) serve(ctx context.Context, c *netserver.Conn) {
	r := newLineReader(c, s.maxLine, s.encoding == "utf-8" || s.encoding == "utf8")
	w := bufio.NewWriter(c)
	for {
		if r.buffered() > 0 {
			c.Started() // the next line began arriving with the last one
		}
		line, err := r.next()
		if errors.Is(err, errTooLong) {
			s.tooLong(c, w)
			return
		}
		if err != nil {
			return // EOF, a closed connection, a line not finished within request-read-timeout: a partial line is discarded
		}
		if !c.Begin() {
			return // stopping
		}
		if perr := s.out.Process(ctx, []flume.Event{{Body: s.toUTF8(line)}}); perr != nil {
			fmt.Fprintf(w, "FAILED: %s\n", strings.ReplaceAll(perr.Error(), "\n", " "))
		} else if s.ack {
			w.WriteString("OK\n")
		}
		if r.buffered() == 0 {
			if err := w.Flush(); err != nil {
				c.End()
				return
			}
		}
		if !c.End() {
			_ = w.Flush()
			return
		}
	}
}

// lingerTimeout bounds how long a connection refused for an over-long line
// is read (and discarded) after the FAILED reply, so that the client
// receives the reply before the connection closes.
const lingerTimeout = 5 * time.Second

// tooLong answers a line longer than max-line-length as Flume does, then
// closes the connection. Closing a socket with unread input makes the
// kernel reset the connection, and the reset discards the reply at the
// client; so the source sends the reply, shuts its side down (the client
// reads the reply and then end of stream) and discards what the client
// still sends, until it closes its side or lingerTimeout passes.
func (s *Source) tooLong(c *netserver.Conn, w *bufio.Writer) {
	s.warn.Warn(s.log, "netcat source: a client sent a line longer than max-line-length; answered FAILED and closed the connection",
		"remote", c.RemoteAddr().String(), "max_line_length", s.maxLine)
	fmt.Fprintf(w, "FAILED: Event exceeds the maximum length (%d chars, including newline)\n", s.maxLine)
	if w.Flush() != nil {
		return
	}
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); !ok || cw.CloseWrite() != nil {
		return
	}
	// Read the socket itself: this is not a request (netserver.Conn would
	// time it as one).
	_ = c.Conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, c.Conn)
}

var errTooLong = errors.New("line too long")

// lineReader splits a connection's input into lines of at most max
// characters, newline included (Flume's max-line-length). Every byte is
// examined once however large max is and however the input is split into
// reads, and an over-long line is reported as soon as max characters have
// arrived without a newline, without waiting for more.
type lineReader struct {
	r    io.Reader
	max  int
	utf8 bool // count characters as UTF-8 runes, else as bytes

	buf        []byte
	start, end int // unread input is buf[start:end]
	scanned    int // bytes of buf[start:end] searched for '\n'
	chars      int // characters in buf[start:start+scanned]
}

func newLineReader(r io.Reader, max int, utf8 bool) *lineReader {
	return &lineReader{r: r, max: max, utf8: utf8, buf: make([]byte, min(4096, 4*max+4))}
}

// buffered returns the number of bytes read but not yet returned.
func (l *lineReader) buffered() int { return l.end - l.start }

// next returns the next line without its newline. The slice is valid until
// the next call.
func (l *lineReader) next() ([]byte, error) {
	for {
		if i := bytes.IndexByte(l.buf[l.start+l.scanned:l.end], '\n'); i >= 0 {
			line := l.buf[l.start : l.start+l.scanned+i]
			chars := l.chars + l.count(l.buf[l.start+l.scanned:l.start+l.scanned+i]) + 1
			l.start += l.scanned + i + 1
			l.scanned, l.chars = 0, 0
			if chars > l.max {
				return nil, errTooLong
			}
			return line, nil
		}
		// Count the whole characters received so far; a multi-byte
		// character cut by the read waits for its end.
		k := l.start + l.scanned
		l.chars += l.count(l.buf[k:l.end])
		l.scanned = l.end - l.start - l.partial(l.buf[k:l.end])
		if l.chars >= l.max {
			return nil, errTooLong // with its newline it would be longer still
		}
		if err := l.fill(); err != nil {
			return nil, err
		}
	}
}

// count returns the characters in b, up to its last whole character.
func (l *lineReader) count(b []byte) int {
	if !l.utf8 {
		return len(b)
	}
	return utf8.RuneCount(b[:len(b)-l.partial(b)])
}

// partial returns the length of an incomplete UTF-8 sequence ending b.
func (l *lineReader) partial(b []byte) int {
	if !l.utf8 {
		return 0
	}
	for n := 1; n <= min(3, len(b)); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0 // ASCII: complete
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-n:]) {
				return 0
			}
			return n
		}
	}
	return 0
}

// fill reads more input, moving the unread bytes to the front of the buffer
// or growing it (geometrically, so a long line costs linear time).
func (l *lineReader) fill() error {
	if l.end == len(l.buf) {
		n := l.end - l.start
		if n > len(l.buf)/2 {
			nb := make([]byte, 2*len(l.buf))
			copy(nb, l.buf[l.start:l.end])
			l.buf = nb
		} else {
			copy(l.buf, l.buf[l.start:l.end])
		}
		l.start, l.end = 0, n
	}
	n, err := l.r.Read(l.buf[l.end:])
	l.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

func (s *Source) toUTF8(b []byte) []byte {
	if s.encoding != "iso-8859-1" && s.encoding != "latin1" {
		return bytes.Clone(b)
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
