package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	rate := flag.Int("rate", 50, "access-log lines written per second on each web server")
	phase := flag.Int64("phase", 250, "lines per web server each step waits for")
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
	Rate  int           // lines per second on each web server
	Phase int64         // lines per web server each step waits for
	Every time.Duration // progress line interval
}

const topic = "access_log"

var webServers = []string{"web1", "web2"}

// accessLine returns the line-numbering access-log format of the demo: the
// server's name and the line number first, then a combined-log line, and
// the run's id last (so a run against a shared cluster counts its own
// records only).
func accessLine(server, run string) func(seq int64) string {
	return func(seq int64) string {
		return fmt.Sprintf(`%s %d 198.51.100.%d - - [%s] "GET /item/%d HTTP/1.1" 200 %d "-" "demo/%s"`,
			server, seq, seq%250+1, time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"), seq%997, 512+seq*37%4096, run)
	}
}

// parseLine returns the server and line number of a record of this run.
func parseLine(value []byte, run string) (server string, seq int64, ok bool) {
	line := string(value)
	if !strings.HasSuffix(line, `"demo/`+run+`"`) {
		return "", 0, false
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return "", 0, false
	}
	seq, err := strconv.ParseInt(f[1], 10, 64)
	return f[0], seq, err == nil
}

// result is what a run observed.
type result struct {
	Records     int64         // records of this run in the topic
	Lines       []demo.Report // per web server, by line number
	Buffered    []int64       // events each web agent's file channel held while the consolidator was down
	ExternalRun bool          // against the user's cluster
}

func (r result) verify() error {
	var errs []error
	for _, l := range r.Lines {
		if !l.Complete() {
			errs = append(errs, fmt.Errorf("lost lines: %v", l))
		}
	}
	for i, b := range r.Buffered {
		if b == 0 {
			errs = append(errs, fmt.Errorf("%s buffered nothing while the consolidation agent was down", webServers[i]))
		}
	}
	return errors.Join(errs...)
}

// run starts the broker (unless $KAFKA_BROKERS names one), the
// consolidation agent and two web agents, writes lines at opts.Rate on each
// web server, stops the consolidation agent (SIGTERM) once opts.Phase
// lines per server reached it, restarts it once each web agent's file
// channel holds opts.Phase lines, stops writing once opts.Phase more lines
// per server went through, and reads the topic until every line is there.
func run(ctx context.Context, s *demo.Session, opts options) (res result, err error) {
	files, err := demo.Files("web-to-kafka", "web.properties", "local-web.properties",
		"consolidator.properties", "local-consolidator.properties")
	if err != nil {
		return res, err
	}
	webFiles, consolidatorFiles := files[:2], files[2:]
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	runID := strconv.FormatUint(rand.Uint64(), 36)

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

	port, err := demo.FreePort()
	if err != nil {
		return res, err
	}
	consolidatorSpec := demo.AgentSpec{Label: "consolidator", Name: "consolidator", Files: consolidatorFiles, Monitor: true,
		Env: []string{"CONSOLIDATOR_PORT=" + strconv.Itoa(port), demo.KafkaEnv + "=" + kafka.BrokerList()}}
	startConsolidator := func() (*demo.Agent, error) {
		a, err := s.Start(ctx, consolidatorSpec)
		if err != nil {
			return nil, err
		}
		line, err := a.WaitLog(ctx, "avro source listening")
		if err != nil {
			return nil, err
		}
		s.Printf("consolidation agent (pid %d) listening on %s", a.Pid(), demo.LogValue(line, "address"))
		return a, nil
	}
	consolidator, err := startConsolidator()
	if err != nil {
		return res, err
	}

	webs := make([]*demo.Agent, len(webServers))
	logs := make([]*demo.LogWriter, len(webServers))
	for i, name := range webServers {
		if webs[i], err = s.Start(ctx, demo.AgentSpec{Label: name, Name: "web", Files: webFiles, Monitor: true,
			Env: []string{"CONSOLIDATOR_PORT=" + strconv.Itoa(port)}}); err != nil {
			return res, err
		}
		if logs[i], err = demo.NewLogWriter(filepath.Join(webs[i].Dir, "access.log"), accessLine(name, runID)); err != nil {
			return res, err
		}
		defer logs[i].Close()
	}
	for i, web := range webs {
		if _, err := web.WaitLog(ctx, "agent started"); err != nil {
			return res, err
		}
		s.Printf("web agent %s (pid %d) follows %s", webServers[i], web.Pid(), logs[i].Path)
	}

	// Count this run's records in the topic as they arrive.
	count := kafka.Count(ctx, topic, from, func(r *kgo.Record) (string, int64, bool) { return parseLine(r.Value, runID) })
	defer count.Stop()
	channelSize := func(i int) int64 {
		n, _ := webs[i].Counter(ctx, "CHANNEL.c1", "ChannelSize")
		return n
	}
	stopProgress := s.Progress(opts.Every, func() string {
		var b strings.Builder
		for i, name := range webServers {
			fmt.Fprintf(&b, "%s: %5d written, %4d in its file channel | ", name, logs[i].Written(), channelSize(i))
		}
		fmt.Fprintf(&b, "Kafka: %5d records", count.Records())
		return b.String()
	})
	defer stopProgress()
	s.Printf("writing %d lines a second on each web server", opts.Rate)
	for _, l := range logs {
		l.Start(opts.Rate)
	}

	// 1. Lines flow to Kafka.
	if _, err := consolidator.WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", int64(len(webs))*opts.Phase); err != nil {
		return res, err
	}

	// 2. The consolidation agent goes away: the web agents keep the lines
	// in their file channels.
	s.Printf("stopping the consolidation agent (SIGTERM to pid %d): it drains its memory channel to Kafka and exits", consolidator.Pid())
	if err := consolidator.Stop(ctx); err != nil {
		return res, fmt.Errorf("consolidation agent: %w", err)
	}
	res.Buffered = make([]int64, len(webs))
	for i, web := range webs {
		if res.Buffered[i], err = web.WaitCounter(ctx, "CHANNEL.c1", "ChannelSize", opts.Phase); err != nil {
			return res, err
		}
	}
	s.Printf("the web agents hold %d and %d lines in their file channels", res.Buffered[0], res.Buffered[1])

	// 3. It comes back: the web agents' avro sinks reconnect (their runner
	// retries every 5 s) and send the backlog.
	if consolidator, err = startConsolidator(); err != nil {
		return res, err
	}
	backlog := int64(0)
	for _, b := range res.Buffered {
		backlog += b
	}
	if _, err := consolidator.WaitCounter(ctx, "SINK.k1", "EventDrainSuccessCount", backlog+int64(len(webs))*opts.Phase); err != nil {
		return res, err
	}
	want := map[string]int64{}
	for i, l := range logs {
		if err := l.Stop(); err != nil {
			return res, err
		}
		want[webServers[i]] = l.Written()
	}
	s.Printf("stopped writing (%s: %d lines, %s: %d lines); reading the topic until every line is there",
		webServers[0], want[webServers[0]], webServers[1], want[webServers[1]])

	// 4. Every line is in the topic.
	err = count.WaitFor(ctx, want)
	stopProgress()
	for _, name := range webServers {
		res.Lines = append(res.Lines, count.Tally.Report(name, want[name]))
	}
	res.Records = count.Records()
	if err != nil {
		return res, fmt.Errorf("%w: %v", err, res.Lines)
	}
	s.Printf("%d records of this run reached topic %s", res.Records, topic)
	for _, l := range res.Lines {
		s.Printf("%v", l)
	}
	return res, nil
}
