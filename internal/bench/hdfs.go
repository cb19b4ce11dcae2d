package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func init() {
	for _, ft := range []struct{ name, props string }{
		{"datastream", "a1.sinks.k1.hdfs.fileType = DataStream\n"},
		{"sequencefile", "a1.sinks.k1.hdfs.fileType = SequenceFile\n"},
	} {
		Register(Scenario{Name: "exec-hdfs-" + ft.name,
			Desc: "exec `cat` of N lines → memory → HDFS sink (" + ft.name + ", local file system, one file), as a separate agent process",
			Run: func(ctx context.Context, p Params) (Result, error) {
				return execHDFS(ctx, p, "exec-hdfs-"+ft.name, ft.props)
			}})
	}
}

// execHDFS runs exec → memory → HDFS sink writing to a local directory
// until the sink reports every event drained (its EventDrainSuccessCount,
// read from the agent's monitoring server).
func execHDFS(ctx context.Context, p Params, name, fileType string) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	out := filepath.Join(p.Dir, "hdfs-out")
	rec := filepath.Join(p.Dir, "hdfs-recovery")
	_ = os.RemoveAll(out)
	_ = os.RemoveAll(rec)
	sink := fmt.Sprintf(`a1.sinks.k1.type = hdfs
a1.sinks.k1.hdfs.path = file://%s
a1.sinks.k1.hdfs.recoveryDir = %s
a1.sinks.k1.hdfs.rollInterval = 0
a1.sinks.k1.hdfs.rollSize = 0
a1.sinks.k1.hdfs.rollCount = 0
a1.sinks.k1.hdfs.batchSize = %d
%s`, out, rec, p.Batch, fileType)
	a, err := StartAgent(p, "a1", execPipeline(p, in, sink), "-Dflume.root.logger=INFO,console",
		"-Dflume.monitoring.type=http", "-Dflume.monitoring.bind=127.0.0.1", "-Dflume.monitoring.port=0")
	if err != nil {
		return Result{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	addr, err := listenAddress(wctx, a, "monitoring server listening")
	if err == nil {
		err = waitDrained(wctx, addr, "k1", int64(p.Events))
	}
	if err != nil {
		a.Kill()
		return Result{}, err
	}
	elapsed := a.Since()
	rss, err := a.Stop()
	return Result{Scenario: name, Events: int64(p.Events), Bytes: size, Elapsed: elapsed, PeakRSS: rss,
		Note: "from process start to the last batch flushed (fdatasync) and committed"}, err
}

// waitDrained polls the agent's /metrics until sink has drained want
// events.
func waitDrained(ctx context.Context, addr, sink string, want int64) error {
	client := &http.Client{Timeout: 5 * time.Second}
	var got int64
	for {
		if resp, err := client.Get("http://" + addr + "/metrics"); err == nil {
			var m map[string]map[string]string
			err = json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
			if err == nil {
				got, _ = strconv.ParseInt(m["SINK."+sink]["EventDrainSuccessCount"], 10, 64)
				if got >= want {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sink %s drained %d of %d events: %w", sink, got, want, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
