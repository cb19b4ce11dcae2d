// Command fcload is a load generator for the file channel: writers put
// and commit batches of events while takers drain them, as an RPC source
// and a sink would, and it prints the throughput. Run it under
// /usr/bin/time -v to see the peak RSS of a standalone channel:
//
//	go build -o /tmp/fcload ./channel/file/internal/fcload
//	/usr/bin/time -v /tmp/fcload -writers 4 -batch 1000 -size 500 -events 2000000
//
// With -takers 0 -dir D the events stay in D; -recover -dir D then measures
// a start over that backlog.
package main
