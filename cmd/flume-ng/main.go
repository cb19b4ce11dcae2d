package main

import (
	"context"
	"os"

	"github.com/flumego/flume/cmd/flume-ng/app"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
