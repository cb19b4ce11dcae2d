package buildinfo

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Release is the flumego release this source tree is. A stamped version
// (-X ...buildinfo.version) or the module version of a versioned build
// takes precedence.
const Release = "0.1.0"

// FlumeVersion is the Apache Flume release whose configuration and wire
// protocols flumego follows.
const FlumeVersion = "1.11.0"

// ModulePath is flumego's module path.
const ModulePath = "github.com/flumego/flume"

// Repository is where flumego's source lives.
const Repository = "https://github.com/flumego/flume"

// Names of the variables -ldflags -X sets, for the tools that stamp them.
const (
	VersionVar = ModulePath + "/internal/buildinfo.version"
	CommitVar  = ModulePath + "/internal/buildinfo.commit"
	DateVar    = ModulePath + "/internal/buildinfo.date"
	// ModifiedVar is set to "true" for a build from a tree with
	// uncommitted changes.
	ModifiedVar = ModulePath + "/internal/buildinfo.modified"
	PluginsVar  = ModulePath + "/internal/buildinfo.plugins"
)

// Stamped by the linker (-ldflags -X); empty when the build did not.
var (
	version  string
	commit   string
	date     string
	modified string
	plugins  string // comma-separated module@version, by flume-ng build
)

// Info describes the running binary.
type Info struct {
	// Version is the flumego release without a leading "v" (0.1.0), or a
	// module pseudo-version for a build from an untagged commit.
	Version string
	// VersionFrom says where Version comes from: "stamp" (-ldflags -X,
	// from a release tag), "module" (the module version the go command
	// recorded) or "source" (Release, the version this source tree is
	// working towards, which a build from any commit reports).
	VersionFrom string
	// Commit is the full (or, from a pseudo-version, 12-digit) commit
	// hash, or "" when unknown.
	Commit string
	// Modified reports a build from a tree with uncommitted changes, when
	// the toolchain recorded that.
	Modified bool
	// Date is when the binary was built (or, failing that, the commit
	// time), RFC 3339, or "" when unknown.
	Date string
	// GoVersion is the Go release that built the binary.
	GoVersion string
	// Platform is GOOS/GOARCH.
	Platform string
	// MainModule is the main module's path: ModulePath for flume-ng
	// itself, another one for a binary made by flume-ng build or by hand.
	MainModule string
	// Plugins lists the plugin modules compiled in by flume-ng build, as
	// module@version.
	Plugins []string
	// Replaced reports that flumego was built from a local directory in
	// place of a published version (a replace directive).
	Replaced bool
}

// Get returns what is known of the running binary.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	in := get(bi, version, commit, date, plugins)
	if modified == "true" {
		in.Modified = true
	}
	return in
}

var pseudoVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-(?:[0-9A-Za-z.-]+\.)?(?:0\.)?([0-9]{14})-([0-9a-f]{12})(?:\+incompatible)?$`)

func get(bi *debug.BuildInfo, stampedVersion, stampedCommit, stampedDate, stampedPlugins string) Info {
	in := Info{GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	var modVersion string
	if bi != nil {
		in.GoVersion = bi.GoVersion
		in.MainModule = bi.Main.Path
		switch {
		case bi.Main.Path == ModulePath:
			modVersion = bi.Main.Version
		default:
			for _, d := range bi.Deps {
				if d.Path != ModulePath {
					continue
				}
				modVersion = d.Version
				if d.Replace != nil {
					in.Replaced = true
					modVersion = d.Replace.Version // "" for a directory
				}
			}
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Commit = s.Value
			case "vcs.time":
				in.Date = s.Value
			case "vcs.modified":
				in.Modified = s.Value == "true"
			}
		}
	}
	if modVersion == "(devel)" {
		modVersion = ""
	}
	if m := pseudoVersion.FindStringSubmatch(modVersion); m != nil {
		if in.Commit == "" {
			in.Commit = m[2]
		}
		if in.Date == "" {
			if t, err := time.Parse("20060102150405", m[1]); err == nil {
				in.Date = t.UTC().Format(time.RFC3339)
			}
		}
	}
	in.Version, in.VersionFrom = strings.TrimPrefix(modVersion, "v"), "module"
	if in.Version == "" {
		in.Version, in.VersionFrom = Release, "source"
	}
	if stampedVersion != "" {
		in.Version, in.VersionFrom = strings.TrimPrefix(stampedVersion, "v"), "stamp"
	}
	if stampedCommit != "" {
		in.Commit = stampedCommit
	}
	if stampedDate != "" {
		in.Date = stampedDate
	}
	for _, p := range strings.Split(stampedPlugins, ",") {
		if p = strings.TrimSpace(p); p != "" {
			in.Plugins = append(in.Plugins, p)
		}
	}
	return in
}

// Tagged reports whether Version names a published release (1.2.3, no
// pre-release or pseudo-version suffix, stamped or recorded by the go
// command rather than taken from the source), which a module proxy can
// serve as v1.2.3.
func (in Info) Tagged() bool { return in.VersionFrom != "source" && release.MatchString(in.Version) }

var release = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)

// RevisionText is Commit for display: "unknown" when empty, with
// " (modified)" for a build from a changed tree.
func (in Info) RevisionText() string {
	r := in.Commit
	if r == "" {
		r = "unknown"
	}
	if in.Modified {
		r += " (modified)"
	}
	return r
}

// DateText is Date for display, "unknown" when empty.
func (in Info) DateText() string {
	if in.Date == "" {
		return "unknown"
	}
	return in.Date
}
