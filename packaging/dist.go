package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
	_ "github.com/goreleaser/nfpm/v2/rpm" // registers the rpm packager
)

// buildinfo is where the stamps go (github.com/flumego/flume/internal/buildinfo).
const buildinfo = "github.com/flumego/flume/internal/buildinfo"

// Options say what Dist makes.
type Options struct {
	// Root is the flumego checkout; Out where the artifacts go.
	Root, Out string
	// Arches are GOARCH values (amd64, arm64); Formats are tar, deb, rpm.
	Arches, Formats []string
	// Version is the release; "" takes internal/buildinfo.Release of Root
	// (and stamps none, so the binary reports the source's release).
	Version string
	// Commit, Date (RFC 3339) and Modified are stamped into the binary;
	// Date is also the files' modification time in the archives.
	Commit, Date string
	Modified     bool
	// Go is the go command ("go" when empty); Log receives progress.
	Go  string
	Log io.Writer
}

// Dist builds everything Options ask for and returns the paths written:
// per architecture the binary's tarball and packages, then SHA256SUMS.
func Dist(ctx context.Context, o Options) ([]string, error) {
	if err := o.complete(); err != nil {
		return nil, err
	}
	var written []string
	for _, arch := range o.Arches {
		bin := filepath.Join(o.Out, "build", "linux-"+arch, "flume-ng")
		if err := o.buildBinary(ctx, arch, bin); err != nil {
			return nil, err
		}
		for _, format := range o.Formats {
			var path string
			var err error
			switch format {
			case "tar":
				path, err = o.tarball(arch, bin)
			case "deb", "rpm":
				path, err = o.pkg(format, arch, bin)
			default:
				err = fmt.Errorf("unknown format %q (expected tar, deb or rpm)", format)
			}
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(o.Log, "dist: wrote %s\n", path)
			written = append(written, path)
		}
	}
	sums, err := writeSums(filepath.Join(o.Out, "SHA256SUMS"), written)
	if err != nil {
		return nil, err
	}
	return append(written, sums), nil
}

func (o *Options) complete() error {
	var err error
	if o.Root, err = filepath.Abs(o.Root); err != nil {
		return err
	}
	if o.Out, err = filepath.Abs(o.Out); err != nil {
		return err
	}
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if len(o.Arches) == 0 || len(o.Formats) == 0 {
		return errors.New("no architecture or no format given")
	}
	if o.Date == "" {
		o.Date = time.Now().UTC().Format(time.RFC3339)
	}
	if _, err := time.Parse(time.RFC3339, o.Date); err != nil {
		return fmt.Errorf("-date %q: expected RFC 3339 (2026-12-01T10:00:00Z)", o.Date)
	}
	return os.MkdirAll(o.Out, 0o755)
}

var releaseConst = regexp.MustCompile(`(?m)^const Release = "([^"]+)"`)

// release is the version to name the artifacts with.
func (o *Options) release() (string, error) {
	if o.Version != "" {
		return strings.TrimPrefix(o.Version, "v"), nil
	}
	src, err := os.ReadFile(filepath.Join(o.Root, "internal", "buildinfo", "buildinfo.go"))
	if err != nil {
		return "", fmt.Errorf("reading the release: %w", err)
	}
	m := releaseConst.FindSubmatch(src)
	if m == nil {
		return "", errors.New("internal/buildinfo/buildinfo.go declares no `const Release = \"...\"`")
	}
	return string(m[1]), nil
}

func (o *Options) mtime() time.Time {
	t, _ := time.Parse(time.RFC3339, o.Date)
	return t
}

// buildBinary cross-compiles the static release binary, stamped.
func (o *Options) buildBinary(ctx context.Context, arch, out string) error {
	ldflags := []string{"-s", "-w", "-X", buildinfo + ".date=" + o.Date}
	if o.Version != "" {
		ldflags = append(ldflags, "-X", buildinfo+".version="+strings.TrimPrefix(o.Version, "v"))
	}
	if o.Commit != "" {
		ldflags = append(ldflags, "-X", buildinfo+".commit="+o.Commit)
	}
	if o.Modified {
		ldflags = append(ldflags, "-X", buildinfo+".modified=true")
	}
	cmd := exec.CommandContext(ctx, o.Go, "build", "-trimpath", "-ldflags", strings.Join(ldflags, " "), "-o", out, "./cmd/flume-ng")
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for linux/%s: %w", arch, err)
	}
	fmt.Fprintf(o.Log, "dist: built linux/%s flume-ng in %s\n", arch, time.Since(start).Round(time.Millisecond))
	return nil
}

// entry is one file of the tarball: its path inside, its source (""
// for a directory) and mode.
type entry struct {
	name, src string
	mode      int64
}

// tarballEntries is the layout of Flume's binary release, for flume-ng.
func (o *Options) tarballEntries(bin string) []entry {
	p := func(rel string) string { return filepath.Join(o.Root, rel) }
	return []entry{
		{"bin/", "", 0o755},
		{"bin/flume-ng", bin, 0o755},
		{"conf/", "", 0o755},
		{"conf/flume-conf.properties.template", p("packaging/conf/flume-conf.properties.template"), 0o644},
		{"conf/flume-env.sh.template", p("packaging/conf/flume-env.sh.template"), 0o644},
		{"plugins.d/", "", 0o755},
		{"plugins.d/README.md", p("packaging/plugins.d/README.md"), 0o644},
		{"docs/", "", 0o755},
		{"docs/README.md", p("README.md"), 0o644},
		{"docs/plugins.md", p("docs/plugins.md"), 0o644},
		{"docs/flume-ng@.service", p("packaging/systemd/flume-ng@.service"), 0o644},
		{"LICENSE", p("LICENSE"), 0o644},
		{"NOTICE", p("NOTICE"), 0o644},
	}
}

// tarball writes flumego-<version>-linux-<arch>.tar.gz holding
// flumego-<version>-bin/, deterministically (sorted, root-owned, one
// modification time).
func (o *Options) tarball(arch, bin string) (string, error) {
	version, err := o.release()
	if err != nil {
		return "", err
	}
	path := filepath.Join(o.Out, fmt.Sprintf("flumego-%s-linux-%s.tar.gz", version, arch))
	top := fmt.Sprintf("flumego-%s-bin/", version)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	mtime := o.mtime()
	entries := append([]entry{{"", "", 0o755}}, o.tarballEntries(bin)...)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	for _, e := range entries {
		h := &tar.Header{Name: top + e.name, Mode: e.mode, ModTime: mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if e.src == "" {
			h.Typeflag = tar.TypeDir
			if err := tw.WriteHeader(h); err != nil {
				return "", err
			}
			continue
		}
		data, err := os.ReadFile(e.src)
		if err != nil {
			return "", err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			return "", err
		}
		if _, err := tw.Write(data); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := gz.Close(); err != nil {
		return "", err
	}
	return path, f.Close()
}

// The account and directories the packages create.
const (
	account = "flume"
	dataDir = "/var/lib/flume-ng"
	logDir  = "/var/log/flume-ng"
	confDir = "/etc/flume-ng"
	unitDst = "/usr/lib/systemd/system/flume-ng@.service"
)

// packageInfo describes the .deb or .rpm for nfpm.
func (o *Options) packageInfo(format, arch, bin string) (*nfpm.Info, error) {
	version, err := o.release()
	if err != nil {
		return nil, err
	}
	p := func(rel string) string { return filepath.Join(o.Root, rel) }
	mtime := o.mtime()
	fi := func(mode os.FileMode) *files.ContentFileInfo {
		return &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: mtime}
	}
	owned := &files.ContentFileInfo{Owner: account, Group: account, Mode: 0o750, MTime: mtime}
	doc := "/usr/share/doc/flume-ng/"
	contents := files.Contents{
		{Source: bin, Destination: "/usr/bin/flume-ng", FileInfo: fi(0o755)},
		{Destination: confDir, Type: files.TypeDir, FileInfo: fi(0o755)},
		{Source: p("packaging/conf/flume-env.sh.template"), Destination: confDir + "/flume-env.sh", Type: files.TypeConfigNoReplace, FileInfo: fi(0o644)},
		{Source: p("packaging/conf/flume-conf.properties.template"), Destination: confDir + "/flume-conf.properties.template", Type: files.TypeConfigNoReplace, FileInfo: fi(0o644)},
		{Source: p("packaging/default/flume-ng"), Destination: "/etc/default/flume-ng", Type: files.TypeConfigNoReplace, FileInfo: fi(0o644)},
		{Source: p("packaging/systemd/flume-ng@.service"), Destination: unitDst, FileInfo: fi(0o644)},
		{Destination: dataDir, Type: files.TypeDir, FileInfo: owned},
		{Destination: logDir, Type: files.TypeDir, FileInfo: owned},
		{Source: p("README.md"), Destination: doc + "README.md", FileInfo: fi(0o644)},
		{Source: p("docs/plugins.md"), Destination: doc + "plugins.md", FileInfo: fi(0o644)},
		{Source: p("NOTICE"), Destination: doc + "NOTICE", FileInfo: fi(0o644)},
		{Source: p("LICENSE"), Destination: doc + "copyright", FileInfo: fi(0o644), Packager: "deb"},
		{Source: p("LICENSE"), Destination: "/usr/share/licenses/flume-ng/LICENSE", Type: files.TypeRPMLicense, FileInfo: fi(0o644), Packager: "rpm"},
	}
	var kept files.Contents
	for _, c := range contents {
		if c.Packager == "" || c.Packager == format {
			kept = append(kept, c)
		}
	}
	info := &nfpm.Info{
		Name:        "flume-ng",
		Arch:        arch,
		Platform:    "linux",
		Version:     version,
		Release:     "1",
		Section:     "net",
		Priority:    "optional",
		Maintainer:  "flumego maintainers <flumego@users.noreply.github.com>",
		Description: "Apache Flume 1.11 compatible agent in one static binary (flumego)\nflumego reads Flume's configuration files and speaks its wire protocols (Avro RPC,\nThrift). This package installs flume-ng, /etc/flume-ng and the systemd unit\nflume-ng@.service, which runs agent NAME from /etc/flume-ng/NAME.properties as\nthe system user flume.",
		Vendor:      "flumego",
		Homepage:    "https://github.com/flumego/flume",
		License:     "Apache-2.0",
		MTime:       mtime,
		Overridables: nfpm.Overridables{
			Contents: kept,
			Scripts: nfpm.Scripts{
				PreInstall:  p("packaging/scripts/preinstall.sh"),
				PostInstall: p("packaging/scripts/postinstall.sh"),
				PreRemove:   p("packaging/scripts/preremove.sh"),
				PostRemove:  p("packaging/scripts/postremove.sh"),
			},
			RPM: nfpm.RPM{Group: "System Environment/Daemons", Summary: "Apache Flume 1.11 compatible agent (flumego)"},
		},
	}
	return nfpm.WithDefaults(info), nil
}

// pkg writes the .deb or .rpm under its conventional name.
func (o *Options) pkg(format, arch, bin string) (string, error) {
	info, err := o.packageInfo(format, arch, bin)
	if err != nil {
		return "", err
	}
	packager, err := nfpm.Get(format)
	if err != nil {
		return "", err
	}
	path := filepath.Join(o.Out, packager.ConventionalFileName(info))
	info.Target = path
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := packager.Package(info, f); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("%s package for %s: %w", format, arch, err)
	}
	return path, f.Close()
}

// writeSums writes sha256sum's format for the artifacts.
func writeSums(path string, artifacts []string) (string, error) {
	var b strings.Builder
	for _, a := range artifacts {
		f, err := os.Open(a)
		if err != nil {
			return "", err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), filepath.Base(a))
	}
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}
