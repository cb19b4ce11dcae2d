package app

import (
	"fmt"
	"strings"

	"github.com/flumego/flume/internal/buildinfo"
)

// Version is flumego's release (see internal/buildinfo for what a binary
// reports: a stamped or module version takes precedence).
const Version = buildinfo.Release

// FlumeVersion is the Apache Flume release whose configuration and wire
// protocols flumego follows.
const FlumeVersion = buildinfo.FlumeVersion

// versionText is flume-ng version's output: Flume's lines (Flume, Source
// code repository, Revision, Compiled by) with what the build recorded.
func versionText() string {
	in := buildinfo.Get()
	var b strings.Builder
	fmt.Fprintf(&b, "Flume %s\n", buildinfo.FlumeVersion)
	fmt.Fprintf(&b, "flumego %s (%s %s)\n", in.Version, in.GoVersion, in.Platform)
	fmt.Fprintf(&b, "Source code repository: %s\n", buildinfo.Repository)
	fmt.Fprintf(&b, "Revision: %s\n", in.RevisionText())
	fmt.Fprintf(&b, "Compiled by %s on %s\n", in.GoVersion, in.DateText())
	if in.MainModule != "" && in.MainModule != buildinfo.ModulePath {
		from := ""
		if in.Replaced {
			from = " (flumego from a local directory)"
		}
		fmt.Fprintf(&b, "Built as module %s%s\n", in.MainModule, from)
	}
	for _, p := range in.Plugins {
		fmt.Fprintf(&b, "Plugin compiled in: %s\n", p)
	}
	return b.String()
}
