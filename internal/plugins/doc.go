// Package plugins loads custom components built as Go plugins
// (go build -buildmode=plugin) from Flume's plugins.d layout:
//
//	plugins.d/
//	  webhook/
//	    lib/webhook.so      loaded at start
//	    libext/             dependencies (not loaded; Go plugins link theirs in)
//	    native/             native libraries (not loaded)
//
// A plugin registers its types from an init function with
// flume.RegisterSource, RegisterSink, ... into the default registry, exactly
// as a component compiled into a custom binary does. Loading reports which
// types each plugin added, of every kind flume.Kinds lists (sources,
// channels, sinks, interceptors, sink and channel selectors, sink
// processors, event serializers and deserializers, HTTP source handlers),
// and refuses a plugin whose registration clashed with a name already
// taken. A plugin built with another Go version or other
// module versions than the agent cannot be loaded: that is reported as an
// error naming the plugin, and the agent goes on without it. Go can load
// plugins only into binaries built with cgo; the static (CGO_ENABLED=0)
// build reports that instead.
package plugins
