package monitor

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/flumego/flume/internal/buildinfo"
)

// TestBuildInfo checks that both monitoring outputs name the running
// binary: /version as JSON and flume_build_info in the Prometheus format,
// while /metrics keeps Flume's shape (no extra key).
func TestBuildInfo(t *testing.T) {
	want := buildinfo.Get()
	for _, typ := range []string{"http", "prometheus"} {
		base := startServer(t, map[string]string{"flume.monitoring.type": typ}, NewRegistry())
		code, hdr, body := get(t, "GET", base+"/version")
		if code != 200 || hdr.Get("Content-Type") != "application/json;charset=utf-8" {
			t.Fatalf("%s: GET /version: %d %q", typ, code, hdr.Get("Content-Type"))
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("%s: /version: %v in %q", typ, err, body)
		}
		if v["flumego"] != want.Version || v["revision"] != want.RevisionText() || v["flumeVersion"] != buildinfo.FlumeVersion || v["goVersion"] != want.GoVersion {
			t.Errorf("%s: /version = %s, want version %s revision %s", typ, body, want.Version, want.RevisionText())
		}
		_, _, body = get(t, "GET", base+"/prometheus")
		parser := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		f := fams["flume_build_info"]
		if f == nil || len(f.Metric) != 1 || f.Metric[0].GetGauge().GetValue() != 1 {
			t.Fatalf("%s: flume_build_info: %v", typ, f)
		}
		labels := map[string]string{}
		for _, l := range f.Metric[0].Label {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["version"] != want.Version || labels["revision"] != want.RevisionText() || labels["flume_version"] != buildinfo.FlumeVersion {
			t.Errorf("%s: flume_build_info labels %v", typ, labels)
		}
		if typ == "http" {
			if _, _, body := get(t, "GET", base+"/metrics"); body != "{}" {
				t.Errorf("/metrics of an empty registry: %q", body)
			}
		}
	}
}
