package flume

import (
	"errors"
	"net/http"
)

// ErrBadRequest marks an HTTPSourceHandler error caused by the request
// itself (a malformed body, a wrong content type): Flume's
// HTTPBadRequestException. The HTTP source answers such a request 400 Bad
// Request; any other handler error 500 Internal Server Error. Wrap it:
//
//	return nil, fmt.Errorf("%w: the body is not a JSON array: %v", flume.ErrBadRequest, err)
var ErrBadRequest = errors.New("bad request")

// HTTPSourceHandler turns one HTTP request into events: Flume's
// HTTPSourceHandler, the "handler" of the HTTP source. The source puts the
// events on its channels in one transaction and answers 200 only once they
// are committed.
//
// Events reads the request's body, headers and URL. It returns an error
// matching ErrBadRequest when the request cannot be turned into events, and
// any other error for a failure of the handler itself. The source may limit
// the body with http.MaxBytesReader: return read errors wrapped, so that the
// source can answer one matching *http.MaxBytesError with 413 Request Entity
// Too Large. Events is called concurrently for concurrent requests; it must
// not keep r after returning, and the events it returns must not share
// memory with buffers it reuses.
type HTTPSourceHandler interface {
	Events(r *http.Request) ([]Event, error)
}
