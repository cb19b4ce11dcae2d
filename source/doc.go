// Package source holds what every source shares: the ChannelProcessor that
// runs a source's interceptors and channel selector and commits its events,
// Flume's channel selectors (replicating, multiplexing, load_balancing,
// which Register adds to a flume.Registry), and the construction of both
// from a source's configuration, with the selector's and the interceptors'
// types looked up in the registry. Each source type lives in a sub-package
// (source/exec, source/avro, ...), interceptors in source/interceptor.
//
// Delivery guarantee: Process returns nil only after the events are
// committed on every required channel. Each required channel gets its own
// transaction, in selector order, as in Flume; when one fails, the channels
// before it keep their copy, so a retried batch may be duplicated there but
// never lost.
package source
