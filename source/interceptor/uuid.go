package interceptor

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/flumego/flume"
)

// UUID is Flume's UUIDInterceptor (class name only,
// org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder): it sets
// headerName (default "id") to prefix (default "") followed by a random
// version 4 UUID in canonical lower-case form, keeping an existing value
// unless preserveExisting is false (default true).
type UUID struct {
	Header, Prefix string
	Preserve       bool
}

// NewUUID builds a UUID interceptor from its properties.
func NewUUID(set flume.Settings, cfg *flume.Context) (flume.Interceptor, error) {
	u := &UUID{
		Header:   cfg.String("headerName", "id"),
		Preserve: cfg.Bool("preserveExisting", true),
		Prefix:   cfg.String("prefix", ""),
	}
	return built(cfg, u)
}

// Intercept sets a fresh UUID on each event.
func (u *UUID) Intercept(events []flume.Event) ([]flume.Event, error) {
	setHeader(events, u.Header, u.Preserve, func() string { return u.Prefix + newUUID() })
	return events, nil
}

// newUUID returns a random (version 4, RFC 4122 variant) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
