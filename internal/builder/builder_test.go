package builder

import (
	"context"
	"strings"
	"testing"

	"github.com/flumego/flume/internal/buildinfo"
)

func TestParsePlugin(t *testing.T) {
	for in, want := range map[string]Plugin{
		"example.com/mysink":                  {Path: "example.com/mysink"},
		"example.com/mysink@v1.2.3":           {Path: "example.com/mysink", Version: "v1.2.3"},
		"example.com/mysink=../mysink":        {Path: "example.com/mysink", Dir: "../mysink"},
		"example.com/mysink/sub@latest=/x y":  {Path: "example.com/mysink/sub", Version: "latest", Dir: "/x y"},
		"github.com/a/b@0123456789abcdef0123": {Path: "github.com/a/b", Version: "0123456789abcdef0123"},
	} {
		got, err := ParsePlugin(in)
		if err != nil || got != want {
			t.Errorf("ParsePlugin(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "@v1", "./mysink", "/abs/mysink", "example.com/x=", "a b"} {
		if _, err := ParsePlugin(in); err == nil {
			t.Errorf("ParsePlugin(%q) succeeded", in)
		}
	}
	if _, err := ParseReplace("github.com/flumego/flume"); err == nil {
		t.Error("ParseReplace without = succeeded")
	}
	if r, err := ParseReplace("a.com/b=../b"); err != nil || r != (Replace{"a.com/b", "../b"}) {
		t.Errorf("ParseReplace = %+v, %v", r, err)
	}
}

func TestOwnVersion(t *testing.T) {
	for _, c := range []struct {
		in   buildinfo.Info
		want string
	}{
		{buildinfo.Info{Version: "0.3.0", VersionFrom: "stamp", Commit: "abc"}, "v0.3.0"},
		{buildinfo.Info{Version: "0.3.0", VersionFrom: "module"}, "v0.3.0"},
		{buildinfo.Info{Version: "0.1.1-0.20261201100000-0123456789ab", VersionFrom: "module", Commit: "0123456789ab"}, "v0.1.1-0.20261201100000-0123456789ab"},
		// make build from an untagged commit: the source's Release is no tag.
		{buildinfo.Info{Version: "0.1.0", VersionFrom: "source", Commit: "0123456789abcdef0123456789abcdef01234567"}, "0123456789abcdef0123456789abcdef01234567"},
	} {
		got, err := ownVersion(c.in)
		if err != nil || got != c.want {
			t.Errorf("ownVersion(%+v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []buildinfo.Info{
		{Version: "0.1.0-dev"},                                // no commit known
		{Version: "0.1.0-dev", Commit: "abc", Modified: true}, // a changed tree
		{Version: "0.1.0", Replaced: true},                    // itself built from a directory
	} {
		if _, err := ownVersion(in); err == nil || !strings.Contains(err.Error(), "--replace github.com/flumego/flume=DIRECTORY") {
			t.Errorf("ownVersion(%+v): %v, want advice on --flumego/--replace", in, err)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"a=b": "a=b", "a=b (c d)": "'a=b (c d)'", "a='x y'": `"a='x y'"`} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuildRefusesIncompleteOptions(t *testing.T) {
	if err := Build(context.Background(), Options{Plugins: []Plugin{{Path: "example.com/x"}}}); err == nil || !strings.Contains(err.Error(), "-o") {
		t.Errorf("no output: %v", err)
	}
	if err := Build(context.Background(), Options{Output: "x"}); err == nil || !strings.Contains(err.Error(), "--with") {
		t.Errorf("no plugin: %v", err)
	}
	running := buildinfo.Info{Version: "0.1.0", VersionFrom: "source"}
	err := Build(context.Background(), Options{Output: t.TempDir() + "/x", Plugins: []Plugin{{Path: "example.com/x"}}, Running: &running})
	if err == nil || !strings.Contains(err.Error(), "--flumego VERSION") {
		t.Errorf("unversioned running binary: %v", err)
	}
}
