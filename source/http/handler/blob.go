package handler

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/ratelog"
)

// DefaultMaxBlobLength is BlobHandler's default handler.maxBlobLength.
const DefaultMaxBlobLength = 100 * 1000 * 1000

// Blob is Flume's BlobHandler (org.apache.flume.sink.solr.morphline.
// BlobHandler): the whole request body is one event, up to
// handler.maxBlobLength bytes (default 100000000; a longer body is cut
// there, with a warning, as Flume does). Its headers are the request's
// Content-Type (as "Content-Type"), when it has one, and the request
// parameters, each with its first value: the query string's, and a form's
// for a POST of application/x-www-form-urlencoded, whose body then is the
// form (the event's body is empty, as with Flume's servlet container).
type Blob struct {
	max  int64
	log  *slog.Logger
	warn ratelog.Limiter
}

// NewBlob builds a BlobHandler from the source's handler.* settings.
func NewBlob(set flume.Settings, cfg *flume.Context) (flume.HTTPSourceHandler, error) {
	max := cfg.Positive("maxBlobLength", DefaultMaxBlobLength)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return &Blob{max: int64(max), log: set.Log()}, nil
}

// MaxBodySize returns maxBlobLength: the handler never reads more of a
// body (the HTTP source sizes its request limit by it).
func (b *Blob) MaxBodySize() int64 { return b.max }

// Events returns the request body as one event.
func (b *Blob) Events(r *http.Request) ([]flume.Event, error) {
	params, err := parameters(r)
	if err != nil {
		return nil, err
	}
	e := flume.NewEvent(nil)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		e.SetHeader("Content-Type", ct)
	}
	for k, v := range params {
		e.SetHeader(k, v)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, b.max))
	if err != nil {
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	if int64(len(body)) >= b.max {
		b.warn.Warn(b.log, "request length exceeds handler.maxBlobLength; the event is truncated", "maxBlobLength", b.max)
	}
	e.Body = body
	return []flume.Event{e}, nil
}

// BLOB is Flume's other BLOBHandler (org.apache.flume.source.http.
// BLOBHandler): the request body is one event whose headers are the
// request parameters (the first value of each), and
// handler.mandatoryParameters, a comma-separated list, names parameters
// every request must have (400 otherwise; Flume answers 500, and with the
// default, an empty list, refuses every request).
type BLOB struct {
	mandatory []string
}

// NewBLOB builds a BLOBHandler from the source's handler.* settings.
func NewBLOB(_ flume.Settings, cfg *flume.Context) (flume.HTTPSourceHandler, error) {
	h := &BLOB{}
	for _, p := range strings.Split(cfg.String("mandatoryParameters", ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			h.mandatory = append(h.mandatory, p)
		}
	}
	return h, nil
}

// Events returns the request body as one event.
func (h *BLOB) Events(r *http.Request) ([]flume.Event, error) {
	params, err := parameters(r)
	if err != nil {
		return nil, err
	}
	for _, p := range h.mandatory {
		if _, ok := params[p]; !ok {
			return nil, fmt.Errorf("%w: Please specify %s parameter in the request.", flume.ErrBadRequest, p)
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read the request body: %w", err)
	}
	e := flume.NewEvent(body)
	for k, v := range params {
		e.SetHeader(k, v)
	}
	return []flume.Event{e}, nil
}

// parameters returns the request's parameters as a servlet container
// reads them, each with its first value: the query string's, then, for a
// POST or PUT of a URL-encoded form, the form's (which consumes the body).
func parameters(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if (r.Method == http.MethodPost || r.Method == http.MethodPut) &&
		strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, fmt.Errorf("read the form: %w", tooBig)
			}
			return nil, fmt.Errorf("%w: malformed form: %v", flume.ErrBadRequest, err)
		}
		for k, v := range r.PostForm {
			if _, ok := out[k]; !ok {
				out[k] = v[0]
			}
		}
	}
	return out, nil
}
