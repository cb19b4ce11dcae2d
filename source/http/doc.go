// Package http is Flume's HTTP source (type "http",
// org.apache.flume.source.http.HTTPSource): an HTTP server whose requests
// a handler turns into events, all events of a request committed in one
// transaction per channel.
//
// Properties, as Flume 1.11 (flumego additions marked +):
//
//	bind                     0.0.0.0
//	port                     required; 0 picks a free port
//	handler                  org.apache.flume.source.http.JSONHandler; also
//	                         org.apache.flume.sink.solr.morphline.BlobHandler,
//	                         org.apache.flume.source.http.BLOBHandler, or a
//	                         plugin's (package handler)
//	handler.*                the handler's settings (BlobHandler:
//	                         maxBlobLength; BLOBHandler: mandatoryParameters)
//	ssl, keystore, keystore-password, keystore-type, keystore-key,
//	include/exclude-protocols, include/exclude-cipher-suites
//	                         TLS, as the avro source; Flume's deprecated
//	                         enableSSL, keystorePassword and excludeProtocols
//	                         are read when the current name is absent
//	QueuedThreadPool.*, HttpConfiguration.*, ServerConnector.*,
//	SslContextFactory.*      Flume passes these to Jetty's setters. flumego
//	                         maps QueuedThreadPool.maxThreads (200: requests
//	                         handled at once), ServerConnector.idleTimeout
//	                         (30000 ms: a kept-alive connection idle that long
//	                         is closed), HttpConfiguration.requestHeaderSize
//	                         (8192 bytes; 431 beyond), sendServerVersion
//	                         (true: "Server: flumego"), sendXPoweredBy,
//	                         sendDateHeader, and the SslContextFactory
//	                         includeProtocols, excludeProtocols,
//	                         includeCipherSuites and excludeCipherSuites,
//	                         which override the source's lists as in Flume;
//	                         every other one is named in a warning (no
//	                         effect), needClientAuth and wantClientAuth are
//	                         refused as not supported
//	max-request-size         + bytes, default 16 MiB (a handler that bounds
//	                         its own reads raises it to its bound: BlobHandler's
//	                         maxBlobLength): a larger body is answered 413, and
//	                         is never held in memory
//	request-read-timeout     + ms, default 120000 (0: none): a request, body
//	                         included, must arrive within it (a connection's
//	                         first request from its opening), or the
//	                         connection is closed; the answer must be taken
//	                         within it too
//	max-connections          + default 0 (no limit): connections over it are
//	                         closed at once (ConnectionRefusedCount)
//
// Answers, as Flume's: GET, HEAD and POST are handled alike, on any path:
//
//	200  every event is committed on every required channel (empty body)
//	400  the handler cannot read the request ("Bad request from client. ...":
//	     malformed JSON, an unsupported charset — Flume answers 500 for the
//	     charset and some malformed bodies)
//	413  the body exceeds max-request-size
//	503  a channel refused the events (full; or more events than its
//	     transactionCapacity): nothing of the request is committed on the
//	     refusing channel, and the client sends it again
//	500  the handler or an interceptor failed otherwise
//	403  TRACE and OPTIONS; 405 PUT and DELETE; 501 other methods
//
// Delivery guarantee: 200 only after the ChannelProcessor committed the
// request's events; the commit goes on if the client disconnects meanwhile
// (a resent request is then duplicated, never lost). Stop lets requests in
// progress commit and answer within its context, then aborts them (their
// clients get no answer and resend). Memory is bounded by max-request-size
// per request and QueuedThreadPool.maxThreads requests at once.
//
// Counters (Flume's SourceCounter, counted as every network source counts,
// source.Acceptor): AppendBatchReceivedCount, AppendBatchAcceptedCount,
// EventReceivedCount, EventAcceptedCount, ChannelWriteFail (503),
// GenericProcessingFail (500 after the handler), EventReadFail (400, 413, a
// handler's failure), OpenConnectionCount, ConnectionRefusedCount.
package http
