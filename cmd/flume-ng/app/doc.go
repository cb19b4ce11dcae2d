// Package app is the flume-ng command line: `agent` (alias `node`),
// `avro-client`, `version`, `help`, and flumego's `check` and `bench`. It
// accepts Flume's spellings (-n/--name/-name, -f/--conf-file/-conf-file,
// -c/--conf, -Dkey=value system properties, JVM flags such as -Xmx512m that
// are accepted and ignored).
//
// A custom binary with its own components is a main package that imports
// this one and the plugin packages (which register themselves from init):
//
//	package main
//
//	import (
//		"context"
//		"os"
//
//		"github.com/flumego/flume/cmd/flume-ng/app"
//		_ "example.com/myplugins/webhook"
//	)
//
//	func main() { os.Exit(app.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
package app
