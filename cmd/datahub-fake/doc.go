// Command datahub-fake runs the in-process fake of Alibaba Cloud DataHub
// (internal/datahubfake) as a local HTTP service, so an agent with a DataHub
// sink can run without a cloud account:
//
//	datahub-fake -addr 127.0.0.1:18460 -project flume -topic logs -schema 'line:STRING'
//
// It creates one topic, verifies the signature of every request against
// -access-id/-access-key, and prints what it stores: every record as a JSON
// line (-print records, the default), a running count (-print count) or
// nothing (-print none). The first line on standard error says where it
// listens; -ready-file also writes the URL to a file once it listens.
// SIGINT or SIGTERM (or -exit-after N stored records) stops it; it then
// prints the number of records stored.
//
// It is a test double, not DataHub: records are kept in memory only.
package main
