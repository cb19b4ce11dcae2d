package sinkgroup

import (
	"github.com/flumego/flume"
)

// NamedSink is a sink with its configured name.
type NamedSink struct {
	Name string
	flume.Sink
}

// New builds the processor of a sink group. Until the failover and
// load_balance processors land, only the default processor (one sink) is
// available.
func New(set flume.Settings, cfg *flume.Context, sinks []NamedSink, reg *flume.Registry) (flume.Sink, error) {
	cfg.MarkUsed("sinks")
	typ := cfg.String("processor.type", "default")
	if typ != "default" && typ != "org.apache.flume.sink.DefaultSinkProcessor" {
		cfg.Errorf("processor.type", "sink processor type is not available yet")
		return nil, cfg.Err()
	}
	if len(sinks) != 1 {
		cfg.Errorf("sinks", "the default sink processor takes exactly one sink, not %d", len(sinks))
		return nil, cfg.Err()
	}
	return sinks[0].Sink, nil
}
