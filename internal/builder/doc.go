// Package builder makes a flume-ng binary with plugin modules compiled in,
// in the manner of xcaddy and the OpenTelemetry Collector builder: it
// writes a main module that imports github.com/flumego/flume/cmd/flume-ng/app
// and every listed plugin package (each registers its types from init),
// resolves the modules with the go command, and builds a static binary
// (CGO_ENABLED=0, -trimpath) stamped with what went into it.
//
// This is the way to run components written outside flumego's repository.
// A Go plugin (.so in plugins.d) only loads into a host built from the same
// module graph (the same version of every package both use), which a
// published flume-ng and a plugin built in its own module never are; a
// compiled-in plugin has no such constraint and works with static binaries.
//
// flume-ng build is the command line:
//
//	flume-ng build --with example.com/mysink@v1.2.3 -o bin/flume-ng
//	flume-ng build --with example.com/mysink=../mysink \
//	    --replace github.com/flumego/flume=../flume -o bin/flume-ng
//
// flumego itself is taken at the running binary's version (its release
// tag, or its commit) unless --flumego or a --replace names another; the go
// command's minimal version selection may raise it to what a plugin
// requires, and the built binary's flume-ng version reports what it got.
package builder
