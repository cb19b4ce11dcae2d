// Package webhook is an example flumego plugin: a sink that POSTs batches of
// events to an HTTP endpoint as a JSON array in the format of Flume's HTTP
// source (JSONHandler):
//
//	[{"headers": {"host": "web1"}, "body": "GET /index.html 200"}, ...]
//
// so it can feed a Flume or flumego http source, or any web service.
//
// It registers itself under the type com.example.flume.WebhookSink (and the
// short alias "webhook") from init, which is all a plugin has to do; see
// the package's README for the two ways to put it into an agent.
//
// Properties:
//
//	endpoint        (required) http:// or https:// URL
//	batchSize       100 events per request and per channel transaction
//	requestTimeout  10000 ms per request
//	maxRetries      3 extra attempts per batch before giving up (the runner then backs off and retries later)
//	retryBackoff    500 ms before the first retry, doubled each time
//	header.<name>   extra HTTP request headers (e.g. header.Authorization)
//
// Delivery: the channel transaction commits only after the endpoint answered
// 2xx; any other answer, after the retries, rolls the batch back so it is
// sent again later (at-least-once). Bodies are sent as JSON strings, so
// bytes that are not UTF-8 are replaced, as Flume's JSON handler expects text.
package webhook
