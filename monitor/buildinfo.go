package monitor

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flumego/flume/internal/buildinfo"
)

// buildInfoCollector returns the gauge flume_build_info, always 1, whose
// labels name the running binary, as Prometheus exporters conventionally
// do: version, revision, build_date, goversion, flume_version (the Apache
// Flume release flumego follows) and plugins (the modules flume-ng build
// compiled in, comma-separated).
func buildInfoCollector(in buildinfo.Info) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "flume_build_info",
		Help: "The running flumego binary: version, commit, build date, Go release and compiled-in plugins; always 1.",
		ConstLabels: prometheus.Labels{
			"version":       in.Version,
			"revision":      in.RevisionText(),
			"build_date":    in.DateText(),
			"goversion":     in.GoVersion,
			"flume_version": buildinfo.FlumeVersion,
			"plugins":       strings.Join(in.Plugins, ","),
		},
	}, func() float64 { return 1 })
}

// versionJSON is GET /version: what the binary is, as JSON. It is served
// beside Flume's /metrics rather than inside it, so that /metrics keeps
// Flume's exact shape.
func versionJSON(in buildinfo.Info) http.HandlerFunc {
	body, _ := json.Marshal(struct {
		Flumego      string   `json:"flumego"`
		Revision     string   `json:"revision"`
		Modified     bool     `json:"modified,omitempty"`
		BuildDate    string   `json:"buildDate"`
		GoVersion    string   `json:"goVersion"`
		Platform     string   `json:"platform"`
		FlumeVersion string   `json:"flumeVersion"`
		Plugins      []string `json:"plugins,omitempty"`
	}{in.Version, in.RevisionText(), in.Modified, in.DateText(), in.GoVersion, in.Platform, buildinfo.FlumeVersion, in.Plugins})
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_, _ = w.Write(body)
	}
}
