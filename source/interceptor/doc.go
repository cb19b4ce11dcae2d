// Package interceptor holds Flume's built-in interceptors, registered under
// Flume's aliases and builder class names by Register:
//
//	timestamp        org.apache.flume.interceptor.TimestampInterceptor$Builder
//	host             org.apache.flume.interceptor.HostInterceptor$Builder
//	static           org.apache.flume.interceptor.StaticInterceptor$Builder
//	remove_header    org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder
//	(class name only) org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder
//	regex_filter     org.apache.flume.interceptor.RegexFilteringInterceptor$Builder
//	regex_extractor  org.apache.flume.interceptor.RegexExtractorInterceptor$Builder
//	search_replace   org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder
//
// Interceptors run in a source's channel processor before the channel
// selector, in configuration order, and rewrite the events of a batch in
// place (header maps and bodies of events that are not on a channel yet).
// Each reads exactly Flume's properties with Flume's defaults. Java regular
// expressions are compiled by internal/javaregex: RE2 runs every pattern it
// can; a pattern that needs backtracking (lookaround, backreferences, atomic
// groups, possessive quantifiers) runs on a backtracking engine, each match
// bounded in time, and the engine a pattern got is logged at debug level.
// An event a regex gives up on is handled as the type documents (kept, left
// unchanged) and reported in a warning at most once a minute, so a
// catastrophic pattern slows a source by a bounded time per event instead
// of stalling it.
//
// Where Flume misbehaves, these interceptors do what a user expects and the
// difference is documented on the type: a regex_extractor millis value that
// does not parse leaves that header unset instead of failing the whole batch
// (which in Flume makes an RPC sender retry the same poison batch forever).
//
// Delivery guarantee: an interceptor drops an event only when it is a
// filter configured to (regex_filter); none of them returns an error for a
// single bad event.
package interceptor
