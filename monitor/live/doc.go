// Package live serves the monitoring server's page at /: the running
// agent drawn as a graph (sources, selectors, channels, sink groups,
// sinks, each with its type), with live rates on nodes and edges, each
// channel's fill, the state of each failover member (active, or failed and
// in penalty until when), errors and rollbacks in the last minute, and a
// sparkline of the last five minutes per component.
//
// The page (assets/, embedded in the binary: no CDN, no build step) polls
// GET /live/state every second: a JSON document built from the agent's
// topology (package topology) at the time of the request, with the rates
// of the last samples. A sampler takes a sample every second while the
// page's server runs and keeps the last five minutes in a ring (History),
// so a page opened now draws five minutes at once; ?since=N returns only
// the samples after sample N. The ring is bounded: 300 samples of a few
// numbers per component.
//
// Rates come from Flume's counters: events in and out of a source
// (EventReceivedCount, EventAcceptedCount), a channel (EventPutSuccessCount,
// EventTakeSuccessCount) and a sink (EventDrainAttemptCount,
// EventDrainSuccessCount); a sink group adds up its sinks'. Errors are the
// attributes that count failures (…Fail, …ErrorCount, …FailedCount);
// rollbacks the events put into a channel but not committed, the events a
// sink took but did not deliver, and RollbackCount where a component has
// it. A counter that goes back (the component restarted) starts over.
//
// The page is read-only: GET and HEAD only, no configuration values (a
// component's configuration is shown as a digest), every name written as
// text, a Content-Security-Policy that allows only the page's own script
// and style. It keeps working across configuration reloads: each state
// carries the current topology.
package live
