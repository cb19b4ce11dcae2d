package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
				return execHDFS(ctx, p, "exec-hdfs-"+ft.name, "", ft.props)
			}})
		Register(Scenario{Name: "exec-hdfsfake-" + ft.name,
			Desc: "exec `cat` of N lines → memory → HDFS sink (" + ft.name + ", hdfs:// to the fake NameNode and DataNode, a separate hdfs-fake process beside flume-ng), as a separate agent process",
			Run: func(ctx context.Context, p Params) (Result, error) {
				fake, err := startHDFSFake(ctx, p)
				if err != nil {
					return Result{}, err
				}
				defer fake.stop()
				return execHDFS(ctx, p, "exec-hdfsfake-"+ft.name, fake.url, ft.props)
			}})
	}
}

// hdfsFake is a running hdfs-fake process.
type hdfsFake struct {
	cmd *exec.Cmd
	url string
}

// startHDFSFake runs the hdfs-fake command (beside the flume-ng binary, or
// on $PATH; `make bench` builds it), keeping no data, and waits for its
// URI.
func startHDFSFake(ctx context.Context, p Params) (*hdfsFake, error) {
	bin := filepath.Join(filepath.Dir(p.Binary), "hdfs-fake")
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("hdfs-fake"); err != nil {
			return nil, fmt.Errorf("hdfs-fake not found beside %s or on $PATH: go build -o bin/hdfs-fake ./cmd/hdfs-fake", p.Binary)
		}
	}
	ready := filepath.Join(p.Dir, "hdfs-fake.ready")
	_ = os.Remove(ready)
	cmd := exec.Command(bin, "-discard", "-print", "none", "-ready-file", ready)
	logs, err := os.Create(filepath.Join(p.Dir, "hdfs-fake.log"))
	if err != nil {
		return nil, err
	}
	defer logs.Close()
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	f := &hdfsFake{cmd: cmd}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		if data, err := os.ReadFile(ready); err == nil && strings.HasSuffix(string(data), "\n") {
			f.url = strings.TrimSpace(string(data))
			return f, nil
		}
		select {
		case <-wctx.Done():
			f.stop()
			return nil, fmt.Errorf("hdfs-fake did not start (log: %s): %w", logs.Name(), wctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (f *hdfsFake) stop() {
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = f.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = f.cmd.Process.Kill()
		<-done
	}
}

// execHDFS runs exec → memory → HDFS sink, writing to a local directory
// (fsURL "") or to fsURL, until the sink reports every event drained (its
// EventDrainSuccessCount, read from the agent's monitoring server).
func execHDFS(ctx context.Context, p Params, name, fsURL, fileType string) (Result, error) {
	in, size, err := input(p)
	if err != nil {
		return Result{}, err
	}
	out := "file://" + filepath.Join(p.Dir, "hdfs-out")
	if fsURL != "" {
		out = fsURL + "/bench"
	}
	rec := filepath.Join(p.Dir, "hdfs-recovery")
	_ = os.RemoveAll(filepath.Join(p.Dir, "hdfs-out"))
	_ = os.RemoveAll(rec)
	sink := fmt.Sprintf(`a1.sinks.k1.type = hdfs
a1.sinks.k1.hdfs.path = %s
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
	elapsed, cpu := a.Since(), a.CPU()
	rss, err := a.Stop()
	note := "from process start to the last batch flushed (fdatasync) and committed"
	if fsURL != "" {
		note = "from process start to the last batch flushed (hflush) and committed"
	}
	return Result{Scenario: name, Events: int64(p.Events), Bytes: size, Elapsed: elapsed, PeakRSS: rss, CPU: cpu, Note: note}, err
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
