package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	rate := flag.Int("rate", 500, "events per second the application sends")
	phase := flag.Int64("phase", 2500, "events each step waits for")
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
	Rate  int           // events per second the application sends
	Phase int64         // events each step waits for
	Every time.Duration // progress line interval
}

const topic = "coin_log"

// result is what a run observed.
type result struct {
	Sent        int64       // events the application had acknowledged
	Events      demo.Report // the events in the topic, by sequence number
	Records     int64       // records of this run in the topic
	Backlog     int64       // events in agent 1's file channel when it was killed
	Replayed    int64       // events agent 1 delivered after its restart
	ViaAgent2   int64       // events agent 2 accepted
	ExternalRun bool        // against the user's cluster: no Kafka outage
}

func (r result) verify() error {
	var errs []error
	if !r.Events.Complete() {
		errs = append(errs, fmt.Errorf("lost events: %v", r.Events))
	}
	if r.ViaAgent2 == 0 {
		errs = append(errs, errors.New("the application did not fail over to agent 2"))
	}
	if !r.ExternalRun && (r.Backlog == 0 || r.Replayed < r.Backlog) {
		errs = append(errs, fmt.Errorf("agent 1 was killed with %d events in its file channel and delivered %d after its restart", r.Backlog, r.Replayed))
	}
	return errors.Join(errs...)
}

// run starts the broker (unless $KAFKA_BROKERS names one), two ingest
// agents and the application, and plays the outage described in the
// package comment, then stops the application and reads the topic until
// every acknowledged event is there.
func run(ctx context.Context, s *demo.Session, opts options) (res result, err error) {
	files, err := demo.Files("thrift-sdk-to-kafka", "ingest.properties", "local-ingest.properties",
		"client.properties", "local-client.properties")
	if err != nil {
		return res, err
	}
	ingestFiles, clientFiles := files[:2], files[2:]
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
	agent1, err := startIngest(specs[0])
	if err != nil {
		return res, err
	}
	agent2, err := startIngest(specs[1])
	if err != nil {
		return res, err
	}

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

	// The application, as its own process.
	app, err := s.Start(ctx, demo.AgentSpec{Label: "app", Command: []string{appBin, "-f", clientFiles[0], "-f", clientFiles[1],
		"-rate", strconv.Itoa(opts.Rate), "-run", runID},
		Env: []string{"INGEST_1_PORT=" + strconv.Itoa(ports[0]), "INGEST_2_PORT=" + strconv.Itoa(ports[1])}})
	if err != nil {
		return res, err
	}
	s.Printf("application (pid %d) sends %d events a second through the SDK: client.type = default_failover over thrift, h1 = ingest-1, h2 = ingest-2", app.Pid(), opts.Rate)
	counter := func(a *demo.Agent, group, attr string) int64 {
		n, _ := a.Counter(ctx, group, attr)
		return n
	}
	agents := []*demo.Agent{agent1, agent2}
	stopProgress := s.Progress(opts.Every, func() string {
		line := ""
		for i, a := range agents {
			select {
			case <-a.Exited():
				line += fmt.Sprintf("ingest-%d: down | ", i+1)
			default:
				line += fmt.Sprintf("ingest-%d: %5d accepted, %5d in its file channel | ", i+1,
					counter(a, "SOURCE.r1", "EventAcceptedCount"), counter(a, "CHANNEL.c1", "ChannelSize"))
			}
		}
		return line + fmt.Sprintf("Kafka: %5d records", count.Records())
	})
	defer stopProgress()

	// 1. The application sends to h1, ingest-1, which writes to Kafka.
	if _, err := agent1.WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", opts.Phase); err != nil {
		return res, err
	}

	// 2. Kafka refuses writes: ingest-1 keeps accepting, into its file
	// channel.
	restore, outage := kafka.RefuseWrites(topic)
	defer restore()
	if outage {
		s.Printf("Kafka outage: the broker refuses writes to %s", topic)
		if _, err := agent1.WaitCounter(ctx, "CHANNEL.c1", "ChannelSize", opts.Phase); err != nil {
			return res, err
		}
	}

	// 3. ingest-1 crashes; what its file channel held stays on its disk.
	// The application's next call fails and it fails over to h2.
	if res.Backlog, err = agent1.Counter(ctx, "CHANNEL.c1", "ChannelSize"); err != nil {
		return res, err
	}
	s.Printf("killing ingest-1 (SIGKILL to pid %d) with %d events in its file channel", agent1.Pid(), res.Backlog)
	if err := agent1.Kill(); err != nil {
		return res, err
	}
	if _, err := agent2.WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", opts.Phase); err != nil {
		return res, err
	}
	s.Printf("the application failed over to ingest-2")

	// 4. Kafka is back, ingest-1 restarts: its file channel replays and
	// it delivers the events it held.
	if outage {
		restore()
		s.Printf("Kafka outage over")
	}
	if agent1, err = startIngest(specs[0]); err != nil {
		return res, err
	}
	agents[0] = agent1
	if res.Backlog > 0 {
		if res.Replayed, err = agent1.WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", res.Backlog); err != nil {
			return res, err
		}
		s.Printf("ingest-1 delivered the %d events its file channel kept", res.Replayed)
	}
	if _, err := agent2.WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", 2*opts.Phase); err != nil {
		return res, err
	}

	// 5. Stop the application; every event it had acknowledged is in
	// the topic.
	if err := app.Stop(ctx); err != nil {
		return res, fmt.Errorf("application: %w (log: %s)", err, app.LogPath)
	}
	done, err := app.WaitLog(ctx, "msg=done")
	if err != nil {
		return res, err
	}
	if res.Sent, err = strconv.ParseInt(demo.LogValue(done, "sent"), 10, 64); err != nil {
		return res, fmt.Errorf("application: %q: %w", done, err)
	}
	if res.ViaAgent2, err = agent2.Counter(ctx, "SOURCE.r1", "EventAcceptedCount"); err != nil {
		return res, err
	}
	s.Printf("application stopped after %d acknowledged events; reading the topic until every one is there", res.Sent)
	err = count.WaitFor(ctx, map[string]int64{"coin_log": res.Sent})
	stopProgress()
	res.Events = count.Tally.Report("coin_log", res.Sent)
	res.Records = count.Records()
	if err != nil {
		return res, fmt.Errorf("%w: %v", err, res.Events)
	}
	s.Printf("%d records of this run reached topic %s", res.Records, topic)
	s.Printf("%v", res.Events)
	return res, nil
}
