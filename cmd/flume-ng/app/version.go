package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is flumego's release.
const Version = "0.1.0"

// FlumeVersion is the Apache Flume release whose configuration and wire
// protocols flumego follows.
const FlumeVersion = "1.11.0"

func versionText() string {
	revision, when := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			}
		}
	}
	return fmt.Sprintf(`Flume %s
flumego %s (%s %s/%s)
Source code repository: https://github.com/flumego/flume
Revision: %s
Compiled by %s on %s
`, FlumeVersion, Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, revision, runtime.Version(), when)
}
