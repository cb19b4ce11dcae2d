package app

import (
	"log/slog"

	"github.com/flumego/flume"
)

// loadPlugins loads the plugins found under the plugins.d directories.
// Placeholder until plugin loading lands.
func loadPlugins(path string, reg *flume.Registry, log *slog.Logger) error {
	if path != "" {
		log.Warn("--plugins-path is not supported yet; build a custom binary with your plugins instead")
	}
	return nil
}
