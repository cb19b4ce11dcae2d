package netcat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/netserver"
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
}

// Factory builds a netcat source.
func Factory(set flume.Settings, cfg *flume.Context, out flume.ChannelProcessor) (flume.Source, error) {
	addr := net.JoinHostPort(cfg.Required("bind"), strconv.Itoa(cfg.Port("port")))
	s := &Source{
		maxLine:  cfg.Int("max-line-length", 512),
		ack:      cfg.Bool("ack-every-event", true),
		encoding: strings.ToLower(cfg.String("encoding", "utf-8")),
		out:      out,
	}
	limits := netserver.ParseLimits(cfg)
	if s.maxLine <= 0 {
		cfg.Errorf("max-line-length", "must be greater than 0")
	}
	switch s.encoding {
	case "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1":
	default:
		cfg.Errorf("encoding", "unsupported encoding (flumego supports utf-8, us-ascii and iso-8859-1)")
	}
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	log := set.Log()
	s.Endpoint = source.NewEndpoint("netcat source", set, addr, nil, func() source.Server {
		return netserver.New(netserver.Config{Name: "netcat source", Logger: log, Limits: limits}, s.serve)
	}, limits.LogAttrs()...)
	return s, nil
}

// Register adds the netcat source to r.
func Register(r *flume.Registry) error {
	return r.RegisterSource("netcat", Factory, "org.apache.flume.source.NetcatSource")
}

func (s *Source) serve(ctx context.Context, c *netserver.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	for {
		if r.Buffered() > 0 {
			c.Started() // the next line began arriving with the last one
		}
		line, err := s.readLine(r)
		if errors.Is(err, errTooLong) {
			fmt.Fprintf(w, "FAILED: Event exceeds the maximum length (%d chars, including newline)\n", s.maxLine)
			_ = w.Flush()
			return
		}
		if err != nil {
			return // EOF, a closed connection, a line not finished within request-read-timeout: a partial line is discarded
		}
		if !c.Begin() {
			return // stopping
		}
		if perr := s.out.Process(ctx, []flume.Event{{Body: line}}); perr != nil {
			fmt.Fprintf(w, "FAILED: %s\n", strings.ReplaceAll(perr.Error(), "\n", " "))
		} else if s.ack {
			w.WriteString("OK\n")
		}
		if r.Buffered() == 0 {
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

var errTooLong = errors.New("line too long")

// readLine returns the next line without its \n, as UTF-8, or errTooLong
// when it exceeds max-line-length characters (newline included).
func (s *Source) readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		line = append(line, frag...)
		if s.chars(line) > s.maxLine {
			return nil, errTooLong
		}
		switch {
		case err == nil:
			return s.toUTF8(line[:len(line)-1]), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		default:
			return nil, err
		}
	}
}

func (s *Source) chars(b []byte) int {
	if s.encoding == "utf-8" || s.encoding == "utf8" {
		return utf8.RuneCount(b)
	}
	return len(b)
}

func (s *Source) toUTF8(b []byte) []byte {
	if s.encoding != "iso-8859-1" && s.encoding != "latin1" {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
