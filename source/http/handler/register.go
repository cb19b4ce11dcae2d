package handler

import (
	"errors"

	"github.com/flumego/flume"
)

// The class names of the handlers, the values of the HTTP source's handler
// property.
const (
	JSONClass    = "org.apache.flume.source.http.JSONHandler"
	BlobClass    = "org.apache.flume.sink.solr.morphline.BlobHandler"
	BLOBClass    = "org.apache.flume.source.http.BLOBHandler"
	DefaultClass = JSONClass
)

// Register adds the built-in handlers to r under Flume's class names.
func Register(r *flume.Registry) error {
	return errors.Join(
		r.RegisterHTTPSourceHandler(JSONClass, NewJSON),
		r.RegisterHTTPSourceHandler(BlobClass, NewBlob),
		r.RegisterHTTPSourceHandler(BLOBClass, NewBLOB),
	)
}
