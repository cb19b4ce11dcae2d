package buildinfo

import (
	"reflect"
	"runtime/debug"
	"testing"
)

func TestGet(t *testing.T) {
	flumegoMain := func(version string, settings ...debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: ModulePath, Version: version}, Settings: settings}
	}
	custom := func(dep *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "flume-ng-custom", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "example.com/other", Version: "v9.9.9"}, dep}}
	}
	cases := []struct {
		name                           string
		bi                             *debug.BuildInfo
		stampV, stampC, stampD, stampP string
		want                           Info
	}{
		{name: "go build, no VCS stamping (GOFLAGS=-buildvcs=false, a git worktree, a source tarball)",
			bi:   flumegoMain("(devel)"),
			want: Info{Version: Release, VersionFrom: "source", MainModule: ModulePath}},
		{name: "go build with VCS stamping",
			bi: flumegoMain("(devel)", debug.BuildSetting{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
				debug.BuildSetting{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, debug.BuildSetting{Key: "vcs.modified", Value: "true"}),
			want: Info{Version: Release, VersionFrom: "source", MainModule: ModulePath, Commit: "0123456789abcdef0123456789abcdef01234567",
				Date: "2026-12-01T10:00:00Z", Modified: true}},
		{name: "go install @v0.3.1",
			bi:   flumegoMain("v0.3.1"),
			want: Info{Version: "0.3.1", VersionFrom: "module", MainModule: ModulePath}},
		{name: "go install @commit: a pseudo-version names the commit and its time",
			bi:   flumegoMain("v0.1.1-0.20261201100000-0123456789ab"),
			want: Info{Version: "0.1.1-0.20261201100000-0123456789ab", VersionFrom: "module", MainModule: ModulePath, Commit: "0123456789ab", Date: "2026-12-01T10:00:00Z"}},
		{name: "make build stamps everything",
			bi:     flumegoMain("(devel)"),
			stampV: "v0.2.0", stampC: "fedcba", stampD: "2026-12-02T00:00:00Z",
			want: Info{Version: "0.2.0", VersionFrom: "stamp", MainModule: ModulePath, Commit: "fedcba", Date: "2026-12-02T00:00:00Z"}},
		{name: "flume-ng build: flumego is a dependency",
			bi:     custom(&debug.Module{Path: ModulePath, Version: "v0.4.0"}),
			stampP: "example.com/mysink@v1.2.3, example.com/other@v9.9.9",
			want: Info{Version: "0.4.0", VersionFrom: "module", MainModule: "flume-ng-custom",
				Plugins: []string{"example.com/mysink@v1.2.3", "example.com/other@v9.9.9"}}},
		{name: "flume-ng build with --replace to a checkout",
			bi:     custom(&debug.Module{Path: ModulePath, Version: "v0.0.0-00010101000000-000000000000", Replace: &debug.Module{Path: "/src/flume"}}),
			stampC: "abc",
			want:   Info{Version: Release, VersionFrom: "source", MainModule: "flume-ng-custom", Replaced: true, Commit: "abc"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := get(c.bi, c.stampV, c.stampC, c.stampD, c.stampP)
			c.want.GoVersion = "go1.26.8"
			c.want.Platform = got.Platform
			if got.Platform == "" {
				t.Error("no platform")
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestTaggedAndText(t *testing.T) {
	for v, want := range map[string]bool{"0.1.0": true, "10.20.30": true, "0.1.1-0.20261201100000-0123456789ab": false, "0.2.0-rc1": false} {
		if got := (Info{Version: v, VersionFrom: "module"}).Tagged(); got != want {
			t.Errorf("Tagged(%q) = %v", v, got)
		}
	}
	if (Info{Version: Release, VersionFrom: "source"}).Tagged() {
		t.Error("the source's Release counts as a published tag")
	}
	if got := (Info{}).RevisionText(); got != "unknown" {
		t.Errorf("empty revision: %q", got)
	}
	if got := (Info{Commit: "abc", Modified: true}).RevisionText(); got != "abc (modified)" {
		t.Errorf("modified revision: %q", got)
	}
}

func TestGetFromThisTestBinary(t *testing.T) {
	in := Get()
	if in.Version == "" || in.GoVersion == "" || in.Platform == "" {
		t.Fatalf("incomplete: %+v", in)
	}
}
