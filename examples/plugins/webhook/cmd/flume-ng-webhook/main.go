// Command flume-ng-webhook is flume-ng with the webhook sink compiled in:
// the other way to add custom components, which needs no cgo and works with
// static binaries.
//
//	go build -o bin/flume-ng ./examples/plugins/webhook/cmd/flume-ng-webhook
package main

import (
	"context"
	"os"

	"github.com/flumego/flume/cmd/flume-ng/app"
	_ "github.com/flumego/flume/examples/plugins/webhook"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
