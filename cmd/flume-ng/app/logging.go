package app

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/flumego/flume/internal/logfile"
	"github.com/flumego/flume/internal/sysprop"
)

// newLogger builds the agent's logger from flume.root.logger
// ("LEVEL,appender": console writes to stderr, LOGFILE to
// ${flume.log.dir}/${flume.log.file}, rotated; see logFile) and the log
// format (text or json). The returned closer closes a log file.
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
			f, err := openLogFile()
			if err != nil {
				return nil, nil, err
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

// logFile is the LOGFILE appender: ${flume.log.dir}/${flume.log.file}
// (default ./logs/flume.log), rolled by size and every night into
// <dir>/archive as Flume's log4j2.xml does (flumego.log.maxFileSize, default 100MB, 0 to never
// roll; flumego.log.maxBackupIndex old files kept, default 10), and
// reopened on SIGHUP for an external logrotate.
type logFile struct {
	*logfile.File
	hup  chan os.Signal
	done chan struct{}
	once sync.Once
}

func openLogFile() (*logFile, error) {
	dir, _ := sysprop.Get("flume.log.dir")
	if dir == "" {
		dir = "./logs"
	}
	name, _ := sysprop.Get("flume.log.file")
	if name == "" {
		name = "flume.log"
	}
	opts := logfile.Options{MaxSize: logfile.DefaultMaxSize, MaxBackups: logfile.DefaultMaxBackups}
	if v, ok := sysprop.Get("flumego.log.maxFileSize"); ok {
		n, err := logfile.ParseSize(v)
		if err != nil {
			return nil, fmt.Errorf("flumego.log.maxFileSize: %w", err)
		}
		opts.MaxSize = n
	}
	if v, ok := sysprop.Get("flumego.log.maxBackupIndex"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("flumego.log.maxBackupIndex: %q is not a number of files (expected 0 or more)", v)
		}
		opts.MaxBackups = n
	}
	// Flume also rolls every night; an external logrotate (size 0) owns
	// all rolling.
	opts.Daily = opts.MaxSize > 0
	f, err := logfile.Open(filepath.Join(dir, name), opts)
	if err != nil {
		return nil, err
	}
	l := &logFile{File: f, hup: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(l.hup, syscall.SIGHUP)
	go l.reopenOnHUP()
	return l, nil
}

func (l *logFile) reopenOnHUP() {
	defer close(l.done)
	for range l.hup {
		if err := l.Reopen(); err != nil {
			fmt.Fprintf(os.Stderr, "flume-ng: reopening %s on SIGHUP: %v\n", l.Path(), err)
		}
	}
}

// Close stops watching SIGHUP and closes the file.
func (l *logFile) Close() error {
	l.once.Do(func() {
		signal.Stop(l.hup)
		close(l.hup)
		<-l.done
	})
	return l.File.Close()
}
