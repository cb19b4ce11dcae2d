package kafka

import (
	"fmt"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/bucketpath"
)

// topicFormat is kafka.topic parsed for Flume's escapes (BucketPath, see
// internal/bucketpath): %{header}, %[localhost] %[IP] %[FQDN], and the
// time escapes of the event's "timestamp" header (epoch ms, required) in
// the local time zone, without rounding.
type topicFormat struct {
	p *bucketpath.Pattern
}

// topicTime is how the topic's time escapes read an event's time.
var topicTime = bucketpath.Options{}

// parseTopic parses kafka.topic. An unknown %[name] is an error, as in
// Flume (where it fails every event).
func parseTopic(s string) (topicFormat, error) {
	p, err := bucketpath.Parse(s)
	return topicFormat{p}, err
}

// errNoTimestamp is returned for time escapes on an event without a
// "timestamp" header.
var errNoTimestamp = bucketpath.ErrNoTimestamp

// expand returns the topic for an event.
func (f *topicFormat) expand(e flume.Event) (string, error) {
	if f.p == nil {
		return "", nil
	}
	if lit, ok := f.p.Literal(); ok {
		return lit, nil
	}
	var at *bucketpath.Time
	if f.p.NeedsTime() {
		v, ok := e.Header("timestamp")
		t, err := topicTime.At(v, ok, 0)
		if err != nil {
			return "", fmt.Errorf("the topic %q has time escapes: %w", f.p.String(), err)
		}
		at = &t
	}
	return string(bucketpath.Expand(nil, f.p, e, at)), nil
}

// hostInfo returns this host's name (localhost), address (ip) or
// canonical name (fqdn), looked up once.
func hostInfo(key string) string { return bucketpath.Host(key) }
