package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
	"github.com/flumego/flume/internal/datahubfake"
)

func main() {
	rate := flag.Int("rate", 100, "access-log lines written per second")
	phase := flag.Int64("phase", 500, "lines each phase delivers before the next step")
	demo.Main(func(ctx context.Context, s *demo.Session) error {
		res, err := run(ctx, s, options{Rate: *rate, Phase: *phase, Every: time.Second})
		if err != nil {
			return err
		}
		return res.verify()
	})
}

// options pace a run.
type options struct {
	Rate  int           // access-log lines per second
	Phase int64         // lines delivered through a sink before the next step
	Every time.Duration // progress line interval
}

// DataHub project, topic and credentials: the topic the collectors'
// DELIMITED serializer writes, created in the fake with the columns of
// serializer.fieldnames.
const (
	project   = "web_logs"
	topic     = "access_log"
	schema    = "seq:BIGINT,time:STRING,client_ip:STRING,method:STRING,path:STRING,status:BIGINT,bytes:BIGINT"
	accessID  = "flumego"
	accessKey = "flumego-secret"
)

// accessLine is line seq of the web server's access log, in the
// comma-separated log_format the collectors' serializer splits into the
// topic's columns.
func accessLine(seq int64) string {
	return fmt.Sprintf("%d,%s,203.0.113.%d,GET,/item/%d,200,%d",
		seq, time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), seq%250+1, seq%997, 512+seq*37%4096)
}

// result is what a run observed, from the web agent's sink counters
// (k1 sends to collector A, k2 to collector B) and the records DataHub
// stored.
type result struct {
	Written       int64       // access-log lines written
	Lines         demo.Report // the lines DataHub stored, by sequence number
	K1BeforeStop  int64       // lines k1 delivered to A before A was stopped
	K2BeforeStop  int64       // lines k2 delivered to B before A was stopped (want 0)
	K2WhileDown   int64       // lines k2 delivered while A was down (want > 0)
	K1WhileDown   int64       // lines k1 delivered while A was down (want 0)
	K1AfterReturn int64       // lines k1 delivered after A's restart (want > 0)
	K2AfterReturn int64       // lines k2 delivered once k1 delivered again (want 0)
	ARestarted    bool        // the restarted collector A accepted events
}

// verify returns what went wrong, if anything.
func (r result) verify() error {
	var errs []error
	if !r.Lines.Complete() {
		errs = append(errs, fmt.Errorf("lost lines: %v", r.Lines))
	}
	if r.K1BeforeStop == 0 || r.K2BeforeStop != 0 {
		errs = append(errs, fmt.Errorf("before A stopped: A got %d lines, B %d (want all on A)", r.K1BeforeStop, r.K2BeforeStop))
	}
	if r.K2WhileDown == 0 || r.K1WhileDown != 0 {
		errs = append(errs, fmt.Errorf("while A was down: B got %d lines, A %d (want all on B)", r.K2WhileDown, r.K1WhileDown))
	}
	if r.K1AfterReturn == 0 || r.K2AfterReturn != 0 || !r.ARestarted {
		errs = append(errs, fmt.Errorf("after A restarted: A got %d lines, B %d (want all on A)", r.K1AfterReturn, r.K2AfterReturn))
	}
	return errors.Join(errs...)
}

// run starts the DataHub fake, collectors A and B and the web agent,
// writes access-log lines at opts.Rate, stops collector A (SIGTERM) once
// A delivered opts.Phase lines, restarts it once B delivered opts.Phase
// more, stops writing once A delivered opts.Phase lines after its
// restart, and waits until DataHub holds every line.
func run(ctx context.Context, s *demo.Session, opts options) (res result, err error) {
	files, err := demo.Files("failover-collectors", "web.properties", "local-web.properties",
		"collector.properties", "local-collector.properties")
	if err != nil {
		return res, err
	}
	webFiles, collectorFiles := files[:2], files[2:]
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	// DataHub: the in-repo fake, counting stored lines by sequence number.
	lines := demo.NewTally()
	hub := datahubfake.New(accessID, accessKey)
	spec, err := datahubfake.ParseSchema(schema)
	if err != nil {
		return res, err
	}
	if err := hub.CreateTopic(project, topic, spec); err != nil {
		return res, err
	}
	hub.DiscardRecords = true
	hub.OnStore = func(_, _ string, recs []datahubfake.Record) {
		for _, r := range recs {
			seq, _ := strconv.ParseInt(r.Values[0].S, 10, 64)
			lines.Add("access.log", seq)
		}
	}
	endpoint, err := hub.Start("127.0.0.1:0")
	if err != nil {
		return res, err
	}
	s.Defer(func() { _ = hub.Close() })
	s.Printf("DataHub fake at %s, topic %s/%s", endpoint, project, topic)

	// Collectors A and B: the same files, one port each.
	portA, err := demo.FreePort()
	if err != nil {
		return res, err
	}
	portB, err := demo.FreePort()
	if err != nil {
		return res, err
	}
	collector := func(label string, port int) demo.AgentSpec {
		return demo.AgentSpec{Label: label, Name: "collector", Files: collectorFiles, Monitor: true, Env: []string{
			"COLLECTOR_PORT=" + strconv.Itoa(port), "DATAHUB_ENDPOINT=" + endpoint,
			"DATAHUB_ACCESS_ID=" + accessID, "DATAHUB_ACCESS_KEY=" + accessKey}}
	}
	specA, specB := collector("collector-a", portA), collector("collector-b", portB)
	startCollector := func(spec demo.AgentSpec) (*demo.Agent, error) {
		a, err := s.Start(ctx, spec)
		if err != nil {
			return nil, err
		}
		line, err := a.WaitLog(ctx, "avro source listening")
		if err != nil {
			return nil, err
		}
		s.Printf("%s (pid %d) listening on %s", spec.Label, a.Pid(), demo.LogValue(line, "address"))
		return a, nil
	}
	collA, err := startCollector(specA)
	if err != nil {
		return res, err
	}
	if _, err := startCollector(specB); err != nil {
		return res, err
	}

	// The web server's access log and the web agent following it.
	web, err := s.Start(ctx, demo.AgentSpec{Label: "web", Name: "web", Files: webFiles, Monitor: true, Env: []string{
		"COLLECTOR_A_PORT=" + strconv.Itoa(portA), "COLLECTOR_B_PORT=" + strconv.Itoa(portB)}})
	if err != nil {
		return res, err
	}
	accessLog, err := demo.NewLogWriter(filepath.Join(web.Dir, "access.log"), accessLine)
	if err != nil {
		return res, err
	}
	defer accessLog.Close()
	if _, err := web.WaitLog(ctx, "agent started"); err != nil {
		return res, err
	}
	k1 := func() (int64, error) { return web.Counter(ctx, "SINK.k1", "EventDrainSuccessCount") }
	k2 := func() (int64, error) { return web.Counter(ctx, "SINK.k2", "EventDrainSuccessCount") }
	stopProgress := s.Progress(opts.Every, func() string {
		n1, err1 := k1()
		n2, err2 := k2()
		if err1 != nil || err2 != nil {
			return ""
		}
		return fmt.Sprintf("written %5d lines | web agent sent %5d to A (k1), %5d to B (k2) | DataHub holds %5d distinct lines",
			accessLog.Written(), n1, n2, lines.Distinct("access.log"))
	})
	defer stopProgress()
	s.Printf("web agent (pid %d) follows %s; writing %d lines a second", web.Pid(), accessLog.Path, opts.Rate)
	accessLog.Start(opts.Rate)

	// 1. Everything goes to A, the higher priority.
	if res.K1BeforeStop, err = web.WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", opts.Phase); err != nil {
		return res, err
	}
	if res.K2BeforeStop, err = k2(); err != nil {
		return res, err
	}

	// 2. Stop A: the web agent fails over to B.
	s.Printf("stopping collector A (SIGTERM to pid %d): it stops listening, drains its channel to DataHub and exits", collA.Pid())
	if err := collA.Stop(ctx); err != nil {
		return res, fmt.Errorf("collector A: %w", err)
	}
	s.Printf("collector A exited")
	// The failover group calls one sink at a time: once k2 delivered, k1
	// has failed and its count is final until A is back.
	if _, err := web.WaitCounter(ctx, "SINK.k2", "EventDrainSuccessCount", res.K2BeforeStop+1); err != nil {
		return res, err
	}
	k1Stopped, err := k1()
	if err != nil {
		return res, err
	}
	s.Printf("failing over: A got %d lines before it stopped; B is receiving", k1Stopped)
	k2Down, err := web.WaitCounter(ctx, "SINK.k2", "EventDrainSuccessCount", res.K2BeforeStop+opts.Phase)
	if err != nil {
		return res, err
	}
	res.K2WhileDown = k2Down - res.K2BeforeStop
	s.Printf("failed over: B received %d lines while A was down", res.K2WhileDown)

	// 3. Restart A: once its penalty (2 s, doubling up to maxpenalty 10 s)
	// has passed, the failover group tries k1 again and traffic returns.
	k1Down, err := k1()
	if err != nil {
		return res, err
	}
	res.K1WhileDown = k1Down - k1Stopped
	collA, err = startCollector(specA)
	if err != nil {
		return res, err
	}
	s.Printf("collector A restarted; waiting for the failover group to retry k1 (at most maxpenalty, 10 s)")
	if _, err := web.WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", k1Down+1); err != nil {
		return res, err
	}
	k2Back, err := k2()
	if err != nil {
		return res, err
	}
	k1Back, err := k1()
	if err != nil {
		return res, err
	}
	s.Printf("traffic is back on A")
	if _, err := web.WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", k1Back+opts.Phase); err != nil {
		return res, err
	}
	if err := accessLog.Stop(); err != nil {
		return res, err
	}
	res.Written = accessLog.Written()
	s.Printf("stopped writing after %d lines; waiting until DataHub holds them all", res.Written)

	// 4. Every line reaches DataHub.
	if err := demo.Wait(ctx, "every line in DataHub", func() (bool, error) {
		return lines.Distinct("access.log") >= res.Written, nil
	}); err != nil {
		res.Lines = lines.Report("access.log", res.Written)
		return res, fmt.Errorf("%w: %v", err, res.Lines)
	}
	stopProgress()
	k1Final, err := k1()
	if err != nil {
		return res, err
	}
	k2Final, err := k2()
	if err != nil {
		return res, err
	}
	res.K1AfterReturn = k1Final - k1Down
	res.K2AfterReturn = k2Final - k2Back
	accepted, err := collA.Counter(ctx, "SOURCE.r1", "EventAcceptedCount")
	if err != nil {
		return res, err
	}
	res.ARestarted = accepted > 0
	res.Lines = lines.Report("access.log", res.Written)
	s.Printf("A (k1): %d lines before the stop, %d while down, %d after the restart", res.K1BeforeStop, res.K1WhileDown, res.K1AfterReturn)
	s.Printf("B (k2): %d lines before the stop, %d while A was down, %d after A was back", res.K2BeforeStop, res.K2WhileDown, res.K2AfterReturn)
	s.Printf("DataHub %v", res.Lines)
	return res, nil
}
