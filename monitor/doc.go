// Package monitor serves the counters every component publishes, as Flume's
// HTTP monitoring does and in Prometheus format.
//
// The agent creates one Registry and hands each component
// Settings.Publisher = reg.Publisher(name); a component's counter group is
// then listed under "<Type>.<name>" (SOURCE.r1, CHANNEL.c1, SINK.k1).
// FromSystemProperties reads Flume's -Dflume.monitoring.* properties and
// returns the Server to start, or nil when monitoring is off:
//
//	-Dflume.monitoring.type=http -Dflume.monitoring.port=34545
//
// The server answers like Flume's HTTPMetricsServer:
//
//	GET /metrics (any case)   200 application/json, Flume's JSON shape
//	GET /                     200 text/html, a link to ./metrics
//	TRACE or OPTIONS          403
//	anything else             404
//
// and adds GET /version (what the binary is, as JSON: flumego version,
// revision, build date, Go release, compiled-in plugins) and GET /prometheus: the same counters in the Prometheus text
// format. With flume.monitoring.type=prometheus (or the class name of the
// Prometheus server in Flume's development branch,
// org.apache.flume.instrumentation.http.PrometheusHTTPMetricsServer),
// /metrics serves the Prometheus format instead, the path Prometheus scrapes
// by default, and /prometheus still works. flume.monitoring.bind (an
// extension) restricts the listening address; Flume listens on all
// interfaces, and so does flumego by default.
//
// Prometheus metric names: "flume_" + the lower-cased Type + "_" + the
// attribute name in snake case, with the component name in the label
// "component". Counters keep Flume's names (no _total suffix), gauges
// (ChannelSize, ChannelCapacity, ChannelFillPercentage, OpenConnectionCount,
// StartTime, StopTime, ...) are typed as gauges:
//
//	flume_source_event_received_count{component="r1"} 1200
//	flume_channel_channel_size{component="c1"} 0
//	flume_sink_event_drain_success_count{component="k1"} 1200
//
// StartTime and StopTime are epoch milliseconds, as in the JSON. The gauge
// flume_build_info (always 1) names the running binary in its labels:
//
//	flume_build_info{build_date="2026-12-01T10:00:00Z",flume_version="1.11.0",goversion="go1.26.8",plugins="",revision="0123abc...",version="0.1.0"} 1
package monitor
