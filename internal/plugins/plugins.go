package plugins

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"plugin"
	"slices"
	"strings"

	"github.com/flumego/flume"
)

// Result describes one loaded (or refused) plugin file.
type Result struct {
	Plugin string   // the plugins.d sub-directory name
	File   string   // the .so path
	Added  []string // "<kind> <name>": "sink com.example.flume.WebhookSink", "event serializer com.example.Csv$Builder", ...
	Err    error
}

// Load opens every plugins.d/<name>/lib/*.so under dirs, in name order, and
// returns what each added to reg. Directories that do not exist are
// skipped. Errors are per plugin, in the results; Load itself never fails.
func Load(dirs []string, reg *flume.Registry, log *slog.Logger) []Result {
	var out []Result
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				out = append(out, Result{Plugin: dir, Err: fmt.Errorf("plugins directory %s: %w", dir, err)})
			}
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "lib", "*.so"))
			slices.Sort(files)
			for _, f := range files {
				r := loadOne(e.Name(), f, reg)
				if r.Err != nil {
					log.Error("plugin not loaded", "plugin", r.Plugin, "file", r.File, "error", r.Err)
				} else {
					log.Info("plugin loaded", "plugin", r.Plugin, "file", r.File, "registered", strings.Join(r.Added, ", "))
				}
				out = append(out, r)
			}
		}
	}
	return out
}

func snapshot(reg *flume.Registry) map[string]bool {
	m := map[string]bool{}
	for _, k := range flume.Kinds() {
		for _, t := range reg.Types(k) {
			m[string(k)+" "+t] = true
		}
	}
	return m
}

func loadOne(name, file string, reg *flume.Registry) Result {
	return load(name, file, reg, func(file string) error {
		_, err := plugin.Open(file) // runs the plugin's init functions, which register its types
		return err
	})
}

// load runs open (which loads the plugin) and reports what it registered
// in reg and which registrations were refused.
func load(name, file string, reg *flume.Registry, open func(file string) error) (r Result) {
	r = Result{Plugin: name, File: file}
	before := snapshot(reg)
	_ = reg.TakeErrors()
	defer func() {
		if p := recover(); p != nil {
			r.Err = fmt.Errorf("plugin %q panicked while loading: %v", name, p)
		}
	}()
	if err := open(file); err != nil {
		r.Err = fmt.Errorf("plugin %q (%s) cannot be loaded: %w; build it with the same Go version and module versions as this flume-ng", name, file, err)
		return r
	}
	if errs := reg.TakeErrors(); len(errs) > 0 {
		r.Err = fmt.Errorf("plugin %q: %w", name, errors.Join(errs...))
	}
	for k := range snapshot(reg) {
		if !before[k] {
			r.Added = append(r.Added, k)
		}
	}
	slices.Sort(r.Added)
	return r
}

// DefaultDirs returns the plugins.d directories to search: the
// colon-separated --plugins-path when given, else $FLUME_HOME/plugins.d,
// else plugins.d next to the directory holding the binary (bin/..), as
// Flume's script does.
func DefaultDirs(pluginsPath string) []string {
	if pluginsPath != "" {
		return filepath.SplitList(pluginsPath)
	}
	if home := os.Getenv("FLUME_HOME"); home != "" {
		return []string{filepath.Join(home, "plugins.d")}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return []string{filepath.Join(filepath.Dir(filepath.Dir(exe)), "plugins.d")}
}
