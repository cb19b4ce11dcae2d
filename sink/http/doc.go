// Package http is Flume's HTTP sink (type "http",
// org.apache.flume.sink.http.HttpSink): it POSTs each event's body, one
// event per transaction, to an endpoint, and decides from the answer's
// status code whether to commit or roll the event back and whether to back
// off. (The sink and the HTTP source share the alias http; the registry
// keeps one table per kind.)
//
// Properties, as Flume 1.11:
//
//	endpoint                  required: the http:// or https:// URL
//	connectTimeout            5000 ms (> 0)
//	requestTimeout            5000 ms (> 0): the wait for the answer; the
//	                          whole exchange is bounded by connectTimeout +
//	                          requestTimeout
//	contentTypeHeader         text/plain
//	acceptHeader              text/plain
//	defaultBackoff            true: back off after an answer
//	defaultRollback           true: roll the event back after an answer
//	defaultIncrementMetrics   false: count an answered event in
//	                          EventDrainSuccessCount
//	backoff.CODE, rollback.CODE, incrementMetrics.CODE
//	                          the same per status: CODE is a code (503) or a
//	                          class (5XX); an exact code takes precedence over
//	                          its class, which takes precedence over the
//	                          default, as in Flume. Other keys never apply and
//	                          draw a warning.
//
// As in Flume, the defaults roll back and back off after every answer, 200
// included: a configuration sets rollback.2XX = false (or rollback.200) and
// usually backoff.2XX = false and incrementMetrics.2XX = true, as Flume's
// user guide shows; check warns about a configuration that does not. An
// https endpoint is verified against the JVM-wide trust store
// (-Djavax.net.ssl.trustStore, FLUME_SSL_TRUSTSTORE_PATH) or the system's
// roots, as Java's HttpsURLConnection does.
//
// Per event: an empty body is committed without a request (Flume's
// "Processed empty event") and the sink backs off; a request that fails
// (no connection, a timeout, a broken answer) or an answer below 100 rolls
// the event back, counts EventWriteFail (the failed request only), and
// returns an error: the sink runner backs off, a sink group fails over
// (Flume returns BACKOFF there, which fails over nothing). Otherwise the
// answer's status decides, per the properties above. The answer's body is
// read (up to 64 KiB) and discarded, keeping the connection for the next
// event.
//
// Delivery guarantee: an event is committed only after an answer whose
// status is configured not to roll back; until then it stays at the head
// of the channel and is sent again (at least once: an answer lost on the
// way makes a duplicate). What a committed answer means is the
// configuration's: with rollback.5XX = false a 500 commits, and the event
// is gone.
//
// Counters, as Flume's HttpSink keeps them: EventDrainAttemptCount (each
// request), EventDrainSuccessCount (answers whose incrementMetrics is
// true, rolled back or not), EventWriteFail, ChannelReadFail.
//
// examples/plugins/webhook is a different sink, the plugin example: it
// POSTs batches as a JSON array in the HTTP source's format and commits on
// any 2xx.
package http
