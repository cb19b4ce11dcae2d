// Package handler holds the HTTP source's built-in handlers, which turn a
// request into events (flume.HTTPSourceHandler), registered under Flume's
// class names for the source's handler property:
//
//	org.apache.flume.source.http.JSONHandler          JSON (the default)
//	org.apache.flume.sink.solr.morphline.BlobHandler  Blob: handler.maxBlobLength
//	org.apache.flume.source.http.BLOBHandler          BLOB: handler.mandatoryParameters
//
// Other handlers are plugins: a Go package calls
// flume.RegisterHTTPSourceHandler("com.example.MyHandler", factory) from
// its init function, and configurations name it as they name a Java class.
//
// A handler's error matching flume.ErrBadRequest is answered 400 with its
// message; a request body cut by the source's max-request-size reaches the
// handler as a read error wrapping *http.MaxBytesError, which the handlers
// return wrapped (413). A handler may declare that it never reads more than
// a bound of a body (MaxBodySize, as Blob does): the source then sizes its
// limit by it.
package handler
