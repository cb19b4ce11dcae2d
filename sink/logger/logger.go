package logger

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/sink"
)

const batchSize = 100

// Sink logs events.
type Sink struct {
	ch       flume.Channel
	log      *slog.Logger
	maxBytes int
}

// Config is the logger sink's configuration.
type Config struct {
	MaxBytesToLog int // maxBytesToLog: body bytes dumped per event
}

// ParseConfig reads the sink's properties with Flume's defaults. Problems
// are recorded in cfg.
func ParseConfig(cfg *flume.Context) Config {
	return Config{MaxBytesToLog: cfg.IntAtLeast("maxBytesToLog", 16, 0)}
}

// Factory builds a logger sink.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, in), nil
}

// New returns a logger sink that takes from in.
func New(set flume.Settings, c Config, in flume.Channel) *Sink {
	return &Sink{ch: in, log: set.Log(), maxBytes: c.MaxBytesToLog}
}

// Register adds the logger sink to r.
func Register(r *flume.Registry) error {
	return r.RegisterSink("logger", Factory, "org.apache.flume.sink.LoggerSink")
}

// Start does nothing: the sink has no connection.
func (s *Sink) Start(context.Context) error { return nil }

// Stop does nothing.
func (s *Sink) Stop(context.Context) error { return nil }

// Process logs up to 100 events.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: batchSize}, nil, func(_ context.Context, events []flume.Event) error {
		for _, e := range events {
			s.log.Info("Event: " + Dump(e, s.maxBytes))
		}
		return nil
	})
	return res.Status, err
}

// Dump formats an event as Flume's EventHelper.dumpEvent does: Java Map
// syntax for the headers (sorted here), then a commons-io hex dump of the
// first maxBytes body bytes without its leading offset.
func Dump(e flume.Event, maxBytes int) string {
	headers := make([]flume.Header, 0, e.HeaderCount())
	for k, v := range e.AllHeaders() {
		headers = append(headers, flume.Header{Name: k, Value: v})
	}
	sort.Slice(headers, func(i, j int) bool { return headers[i].Name < headers[j].Name })
	var b strings.Builder
	b.WriteString("{ headers:{")
	for i, h := range headers {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(h.Name)
		b.WriteByte('=')
		b.WriteString(h.Value)
	}
	b.WriteString("} body:")
	body := e.Body
	if len(body) > maxBytes {
		body = body[:maxBytes]
	}
	dump := strings.TrimSpace(hexDump(body))
	b.WriteString(strings.TrimPrefix(dump, "00000000"))
	b.WriteString(" }")
	return b.String()
}

// hexDump writes data as commons-io HexDump.dump does: rows of 16 bytes,
// each an 8-digit offset, the bytes in upper-case hex, then the printable
// characters ('.' for the others).
func hexDump(data []byte) string {
	var b strings.Builder
	for row := 0; row < len(data); row += 16 {
		n := min(16, len(data)-row)
		fmt.Fprintf(&b, "%08X ", row)
		for k := 0; k < 16; k++ {
			if k < n {
				fmt.Fprintf(&b, "%02X", data[row+k])
			} else {
				b.WriteString("  ")
			}
			b.WriteByte(' ')
		}
		for _, c := range data[row : row+n] {
			if c >= ' ' && c < 127 {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
