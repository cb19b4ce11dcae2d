package app

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/flumego/flume/internal/sysprop"
)

// newLogger builds the agent's logger from flume.root.logger
// ("LEVEL,appender": console writes to stderr, LOGFILE to
// ${flume.log.dir}/${flume.log.file}) and the log format (text or json).
// The returned closer closes a log file.
func newLogger(format string, stderr io.Writer) (*slog.Logger, io.Closer, error) {
	spec, _ := sysprop.Get("flume.root.logger")
	if spec == "" {
		spec = "INFO,console"
	}
	parts := strings.Split(spec, ",")
	var level slog.Level
	switch strings.ToUpper(strings.TrimSpace(parts[0])) {
	case "TRACE", "DEBUG", "ALL":
		level = slog.LevelDebug
	case "INFO", "":
		level = slog.LevelInfo
	case "WARN":
		level = slog.LevelWarn
	case "ERROR", "FATAL", "OFF":
		level = slog.LevelError
	default:
		return nil, nil, fmt.Errorf("flume.root.logger: unknown level %q (expected DEBUG, INFO, WARN or ERROR)", parts[0])
	}
	var out io.Writer = stderr
	var closer io.Closer = io.NopCloser(nil)
	for _, a := range parts[1:] {
		if strings.EqualFold(strings.TrimSpace(a), "LOGFILE") {
			dir, _ := sysprop.Get("flume.log.dir")
			if dir == "" {
				dir = "./logs"
			}
			name, _ := sysprop.Get("flume.log.file")
			if name == "" {
				name = "flume.log"
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, nil, fmt.Errorf("log directory: %w", err)
			}
			f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return nil, nil, fmt.Errorf("log file: %w", err)
			}
			out, closer = f, f
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(out, opts)), closer, nil
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), closer, nil
	}
	return nil, nil, fmt.Errorf("--log-format: expected text or json, got %q", format)
}
