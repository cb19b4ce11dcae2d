// Command flume-ng-webhook is flume-ng with the webhook sink compiled in:
// the other way to add custom components, which needs no cgo and works with
// static binaries.
//
//	go build -o bin/flume-ng ./examples/plugins/webhook/cmd/flume-ng-webhook
package main
