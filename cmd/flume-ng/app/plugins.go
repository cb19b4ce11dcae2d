package app

import (
	"log/slog"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/plugins"
)

// loadPlugins loads the plugins found under the plugins.d directories. A
// plugin that cannot be loaded is logged and skipped; components using its
// types are then dropped as unknown types.
func loadPlugins(path string, reg *flume.Registry, log *slog.Logger) error {
	plugins.Load(plugins.DefaultDirs(path), reg, log)
	return nil
}
