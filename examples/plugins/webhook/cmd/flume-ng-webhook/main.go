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
