package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/flumego/flume/conf"
)

// ConfigSource is where an agent's configuration comes from.
type ConfigSource struct {
	// Load reads and parses the configuration. An error keeps the agent
	// from starting, or, on a reload, keeps the running configuration.
	Load func(ctx context.Context) (*conf.AgentConfig, error)
	// Version returns a value that changes when the configuration does
	// (FilesVersion, ContentVersion): the agent polls it to reload. nil
	// means the configuration never changes.
	Version func(ctx context.Context) (string, error)
}

// Files is the configuration of agent name in Java properties files, later
// files overriding earlier ones; it changes when a file's size or
// modification time does.
func Files(name string, paths ...string) ConfigSource {
	return ConfigSource{
		Load: func(context.Context) (*conf.AgentConfig, error) {
			props, err := conf.LoadFiles(paths...)
			if err != nil {
				return nil, err
			}
			return conf.Agent(name, props), nil
		},
		Version: func(context.Context) (string, error) { return FilesVersion(paths...) },
	}
}

// Static is a configuration that never changes, for an agent whose
// configuration the application builds (conf.Parse, conf.Agent).
func Static(cfg *conf.AgentConfig) ConfigSource {
	return ConfigSource{Load: func(context.Context) (*conf.AgentConfig, error) { return cfg, nil }}
}

// FilesVersion returns a value that changes when any of the files changes:
// their sizes and modification times (Flume reloads when a file's mtime
// increases).
func FilesVersion(paths ...string) (string, error) {
	var b strings.Builder
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String(), nil
}

// ContentVersion returns a digest of data, for sources without a
// modification time (http URIs).
func ContentVersion(data ...[]byte) string {
	h := sha256.New()
	for _, d := range data {
		h.Write(d)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Watch calls version every interval and onChange whenever the version
// differs from the last one seen (starting from initial), until ctx ends.
// An error from version (a file being replaced) is retried at the next tick.
func Watch(ctx context.Context, interval time.Duration, initial string, version func() (string, error), onChange func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	last := initial
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := version()
		if err != nil || v == last {
			continue
		}
		last = v
		onChange()
	}
}
