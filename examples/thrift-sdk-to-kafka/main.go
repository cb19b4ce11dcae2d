package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	events := flag.Int64("events", 15000, "events the application puts, numbered from 1")
	rate := flag.Int("rate", 1000, "events per second the application puts")
	phase := flag.Int64("phase", 2000, "events each step waits for")
	demo.Main(func(ctx context.Context, s *demo.Session) error {
		res, err := run(ctx, s, options{Events: *events, Rate: *rate, RestartRate: *rate, Phase: *phase, Every: time.Second})
		if err != nil {
			return err
		}
		return res.verify()
	})
}

// options pace a run.
type options struct {
	Events      int64         // events the application puts: 1..Events
	Rate        int           // events per second the application puts
	RestartRate int           // the same after its restart (0: as fast as its channel takes them)
	Phase       int64         // events each step waits for
	Every       time.Duration // progress line interval
}

const (
	topic = "coin_log"
	// The embedded agent's component names (embedded.Names("coin-service")).
	appSource  = "SOURCE.source-coin-service"
	appChannel = "CHANNEL.channel-coin-service"
)

// result is what a run observed.
type result struct {
	Events      demo.Report // the events in the topic, by sequence number
	Records     int64       // records of this run in the topic
	Backlog     int64       // events in ingest agent 1's file channel when it was killed
	Replayed    int64       // events ingest agent 1 delivered after its restart
	ViaAgent2   int64       // events ingest agent 2 accepted
	AckedAtKill int64       // the last number the application had acknowledged when it was killed
	AppBacklog  int64       // events in the application's file channel when it was killed
	AppReplayed int64       // events the restarted application found in its file channel
	ExternalRun bool        // against the user's cluster: no Kafka outage
}

func (r result) verify() error {
	var errs []error
	if !r.Events.Complete() {
		errs = append(errs, fmt.Errorf("lost events: %v", r.Events))
	}
	if r.ViaAgent2 == 0 {
		errs = append(errs, errors.New("the application did not fail over to ingest agent 2"))
	}
	if !r.ExternalRun && (r.Backlog == 0 || r.Replayed < r.Backlog) {
		errs = append(errs, fmt.Errorf("ingest agent 1 was killed with %d events in its file channel and delivered %d after its restart", r.Backlog, r.Replayed))
	}
	if r.AppBacklog == 0 || r.AppReplayed < r.AppBacklog {
		errs = append(errs, fmt.Errorf("the application was killed with %d events in its file channel and found %d after its restart", r.AppBacklog, r.AppReplayed))
	}
	if r.AckedAtKill >= r.Events.Want {
		errs = append(errs, fmt.Errorf("the application had put every event (%d) before it was killed", r.AckedAtKill))
	}
	return errors.Join(errs...)
}

// running holds the processes the progress line reports on; the run
// replaces them as it restarts them.
type running struct {
	mu     sync.Mutex
	agents []*demo.Agent
	app    *demo.Agent
}

func (r *running) set(agents []*demo.Agent, app *demo.Agent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.agents, r.app = slices.Clone(agents), app
}

func (r *running) get() ([]*demo.Agent, *demo.Agent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.agents, r.app
}

// lastAcked returns the last number this run of the application printed
// as acknowledged ("acked FIRST LAST"), or 0.
func lastAcked(app *demo.Agent) int64 {
	var last int64
	for line := range strings.Lines(app.Log()) {
		var first, l int64
		if _, err := fmt.Sscanf(line, "acked %d %d\n", &first, &l); err == nil {
			last = l
		}
	}
	return last
}

// run starts the broker (unless $KAFKA_BROKERS names one), two ingest
// agents and the application, and plays the outages described in the
// package comment; the application puts opts.Events events, and run reads
// the topic until every one is there.
func run(ctx context.Context, s *demo.Session, opts options) (res result, err error) {
	files, err := demo.Files("thrift-sdk-to-kafka", "ingest.properties", "local-ingest.properties",
		"app.properties", "local-app.properties")
	if err != nil {
		return res, err
	}
	ingestFiles, appFiles := files[:2], files[2:]
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	runID := strconv.FormatUint(rand.Uint64(), 36)

	appBin, err := demo.Build(ctx, "./examples/thrift-sdk-to-kafka/app")
	if err != nil {
		return res, err
	}
	kafka, err := demo.StartKafka(topic, 3)
	if err != nil {
		return res, err
	}
	s.Defer(kafka.Close)
	res.ExternalRun = kafka.External
	from, err := kafka.EndOffsets(ctx, topic)
	if err != nil {
		return res, err
	}
	if kafka.External {
		s.Printf("Kafka: your cluster at %s ($%s), topic %s", kafka.BrokerList(), demo.KafkaEnv, topic)
	} else {
		s.Printf("Kafka: in-process broker (franz-go's kfake) at %s, topic %s with 3 partitions", kafka.BrokerList(), topic)
	}

	// Two ingest agents: the same files, one port and directory each.
	ports := make([]int, 2)
	specs := make([]demo.AgentSpec, 2)
	for i := range specs {
		if ports[i], err = demo.FreePort(); err != nil {
			return res, err
		}
		specs[i] = demo.AgentSpec{Label: fmt.Sprintf("ingest-%d", i+1), Name: "ingest", Files: ingestFiles, Monitor: true,
			Env: []string{"INGEST_PORT=" + strconv.Itoa(ports[i]), demo.KafkaEnv + "=" + kafka.BrokerList()}}
	}
	startIngest := func(spec demo.AgentSpec) (*demo.Agent, error) {
		a, err := s.Start(ctx, spec)
		if err != nil {
			return nil, err
		}
		line, err := a.WaitLog(ctx, "thrift source listening")
		if err != nil {
			return nil, err
		}
		s.Printf("%s (pid %d) listening on %s", spec.Label, a.Pid(), demo.LogValue(line, "address"))
		return a, nil
	}
	agents := make([]*demo.Agent, 2)
	for i, spec := range specs {
		if agents[i], err = startIngest(spec); err != nil {
			return res, err
		}
	}
	procs := &running{}

	// Count this run's events in the topic as they arrive.
	count := kafka.Count(ctx, topic, from, func(r *kgo.Record) (string, int64, bool) {
		var e struct {
			Run string `json:"run"`
			Seq int64  `json:"seq"`
		}
		if json.Unmarshal(r.Value, &e) != nil || e.Run != runID {
			return "", 0, false
		}
		return "coin_log", e.Seq, true
	})
	defer count.Stop()

	// The application, as its own process, serving its embedded agent's
	// counters as flume-ng does.
	startApp := func(first int64, rate int) (*demo.Agent, int64, error) {
		a, err := s.Start(ctx, demo.AgentSpec{Label: "app", Monitor: true, Command: []string{appBin,
			"-f", appFiles[0], "-f", appFiles[1], "-from", strconv.FormatInt(first, 10), "-to", strconv.FormatInt(opts.Events, 10),
			"-rate", strconv.Itoa(rate), "-run", runID,
			"-D", "flume.monitoring.type=http", "-D", "flume.monitoring.port=0", "-D", "flume.monitoring.bind=127.0.0.1"},
			Env: []string{"INGEST_1_PORT=" + strconv.Itoa(ports[0]), "INGEST_2_PORT=" + strconv.Itoa(ports[1])}})
		if err != nil {
			return nil, 0, err
		}
		line, err := a.WaitLog(ctx, "embedded agent started")
		if err != nil {
			return nil, 0, err
		}
		replayed, err := strconv.ParseInt(demo.LogValue(line, "replayed"), 10, 64)
		if err != nil {
			return nil, 0, fmt.Errorf("application: %q: %w", line, err)
		}
		s.Printf("application (pid %d) puts events %d-%d, %s, into its embedded agent: file channel, failover h1 = ingest-1, h2 = ingest-2 over thrift; %d events in its file channel at start",
			a.Pid(), first, opts.Events, map[bool]string{true: strconv.Itoa(rate) + " a second", false: "as fast as it can"}[rate > 0], replayed)
		return a, replayed, nil
	}
	app, _, err := startApp(1, opts.Rate)
	if err != nil {
		return res, err
	}
	procs.set(agents, app)
	counter := func(a *demo.Agent, group, attr string) int64 {
		n, _ := a.Counter(ctx, group, attr)
		return n
	}
	down := func(a *demo.Agent) bool {
		select {
		case <-a.Exited():
			return true
		default:
			return false
		}
	}
	stopProgress := s.Progress(opts.Every, func() string {
		agents, app := procs.get()
		line := ""
		for i, a := range agents {
			if down(a) {
				line += fmt.Sprintf("ingest-%d: down | ", i+1)
			} else {
				line += fmt.Sprintf("ingest-%d: %6d accepted, %6d in its file channel | ", i+1,
					counter(a, "SOURCE.r1", "EventAcceptedCount"), counter(a, "CHANNEL.c1", "ChannelSize"))
			}
		}
		if down(app) {
			line += "app: down | "
		} else {
			line += fmt.Sprintf("app: acked to %6d, %6d in its file channel | ", lastAcked(app), counter(app, appChannel, "ChannelSize"))
		}
		return line + fmt.Sprintf("Kafka: %6d records", count.Records())
	})
	defer stopProgress()

	// 1. The application's embedded agent sends to h1, ingest-1, which
	// writes to Kafka.
	if _, err := agents[0].WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", opts.Phase); err != nil {
		return res, err
	}

	// 2. Kafka refuses writes: ingest-1 keeps accepting, into its file
	// channel.
	restore, outage := kafka.RefuseWrites(topic)
	defer restore()
	if outage {
		s.Printf("Kafka outage: the broker refuses writes to %s", topic)
		if _, err := agents[0].WaitCounter(ctx, "CHANNEL.c1", "ChannelSize", opts.Phase); err != nil {
			return res, err
		}
	}

	// 3. ingest-1 crashes; what its file channel held stays on its disk.
	// The application's h1 sink fails and its failover group moves to h2.
	if res.Backlog, err = agents[0].Counter(ctx, "CHANNEL.c1", "ChannelSize"); err != nil {
		return res, err
	}
	s.Printf("killing ingest-1 (SIGKILL to pid %d) with %d events in its file channel", agents[0].Pid(), res.Backlog)
	if err := agents[0].Kill(); err != nil {
		return res, err
	}
	if _, err := agents[1].WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", opts.Phase); err != nil {
		return res, err
	}
	s.Printf("the application failed over to ingest-2")

	// 4. Kafka is back, ingest-1 restarts: its file channel replays and
	// it delivers the events it held.
	if outage {
		restore()
		s.Printf("Kafka outage over")
	}
	if agents[0], err = startIngest(specs[0]); err != nil {
		return res, err
	}
	procs.set(agents, app)
	if res.Backlog > 0 {
		if res.Replayed, err = agents[0].WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", res.Backlog); err != nil {
			return res, err
		}
		s.Printf("ingest-1 delivered the %d events its file channel kept", res.Replayed)
	}
	if res.ViaAgent2, err = agents[1].Counter(ctx, "SOURCE.r1", "EventAcceptedCount"); err != nil {
		return res, err
	}

	// 5. Both ingest agents go down (a collector outage): the application
	// keeps putting, into its own file channel.
	for i, a := range agents {
		if err := a.Stop(ctx); err != nil {
			return res, fmt.Errorf("ingest-%d: %w (log: %s)", i+1, err, a.LogPath)
		}
	}
	s.Printf("both ingest agents stopped; the application keeps its events in its file channel")
	if _, err := app.WaitCounter(ctx, appChannel, "ChannelSize", opts.Phase); err != nil {
		return res, err
	}

	// 6. The application crashes, with that backlog on its disk.
	if res.AppBacklog, err = app.Counter(ctx, appChannel, "ChannelSize"); err != nil {
		return res, err
	}
	s.Printf("killing the application (SIGKILL to pid %d) with %d events in its file channel", app.Pid(), res.AppBacklog)
	if err := app.Kill(); err != nil {
		return res, err
	}
	res.AckedAtKill = lastAcked(app)
	s.Printf("it had acknowledged events 1-%d", res.AckedAtKill)

	// 7. The application restarts after the last event it acknowledged,
	// while the ingest agents are still down: its file channel replays the
	// backlog. Then the ingest agents come back, and it delivers the
	// backlog and the rest.
	if app, res.AppReplayed, err = startApp(res.AckedAtKill+1, opts.RestartRate); err != nil {
		return res, err
	}
	procs.set(agents, app)
	for i, spec := range specs {
		if agents[i], err = startIngest(spec); err != nil {
			return res, err
		}
	}
	procs.set(agents, app)

	// 8. The application puts the rest, waits until the ingest agents
	// took everything and exits; every event is in the topic.
	select {
	case <-app.Exited():
	case <-ctx.Done():
		return res, fmt.Errorf("the application did not finish: %w (log: %s)", ctx.Err(), app.LogPath)
	}
	if err := app.ExitErr(); err != nil {
		return res, fmt.Errorf("application: %w (log: %s)", err, app.LogPath)
	}
	if _, err := app.WaitLog(ctx, "msg=done"); err != nil {
		return res, err
	}
	s.Printf("the application put events %d-%d and exited; reading the topic until every one is there", res.AckedAtKill+1, opts.Events)
	err = count.WaitFor(ctx, map[string]int64{"coin_log": opts.Events})
	stopProgress()
	res.Events = count.Tally.Report("coin_log", opts.Events)
	res.Records = count.Records()
	if err != nil {
		return res, fmt.Errorf("%w: %v", err, res.Events)
	}
	s.Printf("%d records of this run reached topic %s", res.Records, topic)
	s.Printf("%v", res.Events)
	return res, nil
}
