package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume/examples/internal/demo"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	rate := flag.Int("rate", 2000, "records written to the topic per second")
	phase := flag.Int64("phase", 4000, "records each step waits for")
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
	Rate  int           // records per second
	Phase int64         // records each step waits for
	Every time.Duration // progress line interval
}

const (
	topic      = "events"
	partitions = 6
	// sourceBatch and sinkBatch are the batch sizes of archiver.properties:
	// the most a killed agent can leave half done on each side.
	sourceBatch, sinkBatch = 500, 500
)

var agents = []string{"archiver1", "archiver2"}

// result is what a run observed.
type result struct {
	Report     demo.Report      // every number written, over both archives
	Lines      map[string]int64 // lines in each agent's archive
	SelfDups   map[string]int64 // numbers an agent archived more than once
	CrossDups  int64            // numbers both agents archived
	AfterKill  int64            // numbers written while archiver1 was dead, all archived by archiver2
	KilledPid  int
	ExternalRC bool // against the user's cluster
}

// verify checks the delivery guarantee: nothing missing; duplicates only
// from the killed agent's half-done batches (its source's last batch,
// whose offsets it had not committed, read again by the survivor; its
// sink's last batch, written but not taken off its file channel, written
// again after its restart); none from the survivor.
func (r result) verify() error {
	var errs []error
	if !r.Report.Complete() {
		errs = append(errs, fmt.Errorf("lost records: %v", r.Report))
	}
	if d := r.SelfDups[agents[1]]; d != 0 {
		errs = append(errs, fmt.Errorf("the surviving agent archived %d records twice", d))
	}
	if r.CrossDups > sourceBatch {
		errs = append(errs, fmt.Errorf("%d records archived by both agents: more than the killed agent's last source batch (%d)", r.CrossDups, sourceBatch))
	}
	if d := r.SelfDups[agents[0]]; d > sinkBatch {
		errs = append(errs, fmt.Errorf("the killed agent archived %d records twice: more than its sink's last batch (%d)", d, sinkBatch))
	}
	return errors.Join(errs...)
}

// run starts the brokers (unless $KAFKA_BROKERS names a cluster) and two
// archiving agents, writes numbered records at opts.Rate, kills archiver1
// with SIGKILL once both have archived opts.Phase/2 records, waits until
// archiver2 alone archived the next opts.Phase records (it has taken the
// dead agent's partitions over), starts archiver1 again, stops writing
// opts.Phase records later and waits until both archives together hold
// every record.
func run(ctx context.Context, s *demo.Session, opts options) (res result, err error) {
	files, err := demo.Files("kafka-consumer-group", "archiver.properties", "local-archiver.properties")
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	runID := strconv.FormatUint(rand.Uint64(), 36)

	kafka, err := demo.StartKafkaCluster(3, topic, partitions)
	if err != nil {
		return res, err
	}
	s.Defer(kafka.Close)
	res.ExternalRC = kafka.External
	if kafka.External {
		s.Printf("Kafka: your cluster at %s ($%s), topic %s", kafka.BrokerList(), demo.KafkaEnv, topic)
	} else {
		s.Printf("Kafka: 3 in-process brokers (franz-go's kfake) at %s, topic %s with %d partitions", kafka.BrokerList(), topic, partitions)
	}

	specs := map[string]demo.AgentSpec{}
	started := map[string]*demo.Agent{}
	start := func(label string) error {
		spec, ok := specs[label]
		if !ok {
			spec = demo.AgentSpec{Label: label, Name: "archiver", Files: files, Monitor: true,
				Env: []string{demo.KafkaEnv + "=" + kafka.BrokerList()}}
			specs[label] = spec
		}
		a, err := s.Start(ctx, spec)
		if err != nil {
			return err
		}
		line, err := a.WaitLog(ctx, "kafka source: partitions assigned")
		if err != nil {
			return err
		}
		started[label] = a
		s.Printf("%s (pid %d) joined group archivers: %s", label, a.Pid(), demo.LogValue(line, "partitions"))
		return nil
	}
	for _, label := range agents {
		if err := start(label); err != nil {
			return res, err
		}
	}

	w, err := newWriter(kafka, runID)
	if err != nil {
		return res, err
	}
	defer w.close()
	archives := map[string]*archive{}
	for _, label := range agents {
		archives[label] = &archive{dir: filepath.Join(started[label].Dir, "archive"), run: runID}
	}
	stopProgress := s.Progress(opts.Every, func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "written %6d", w.written.Load())
		for _, label := range agents {
			n, _ := archives[label].read()
			fmt.Fprintf(&b, " | %s archived %6d", label, n.lines)
		}
		return b.String()
	})
	defer stopProgress()
	s.Printf("writing %d records a second to %s", opts.Rate, topic)
	go w.run(ctx, opts.Rate)

	// 1. Both agents archive their share.
	for _, label := range agents {
		if _, err := started[label].WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", opts.Phase/2); err != nil {
			return res, err
		}
	}

	// 2. archiver1 dies without a word to the group.
	killed := started[agents[0]]
	killAt := w.written.Load()
	res.KilledPid = killed.Pid()
	if err := killed.Kill(); err != nil {
		return res, err
	}
	s.Printf("killed %s (SIGKILL to pid %d) after record %d; the group notices within its session timeout (2 s)", agents[0], killed.Pid(), killAt)

	// 3. archiver2 takes its partitions over: it archives everything
	// written since, from every partition.
	if err := w.waitWritten(ctx, killAt+opts.Phase); err != nil {
		return res, err
	}
	res.AfterKill = opts.Phase
	if err := demo.Wait(ctx, "archiver2 to archive every record written after the kill", func() (bool, error) {
		got, err := archives[agents[1]].read()
		if err != nil {
			return false, err
		}
		for seq := killAt + 1; seq <= killAt+opts.Phase; seq++ {
			if got.seen[seq] == 0 {
				return false, nil
			}
		}
		return true, nil
	}); err != nil {
		return res, err
	}
	s.Printf("%s archived all %d records written after the kill: it has the dead agent's partitions", agents[1], opts.Phase)

	// 4. archiver1 comes back: its file channel still holds what it had
	// taken in, and the group gives it partitions again.
	if err := start(agents[0]); err != nil {
		return res, err
	}
	if err := w.waitWritten(ctx, killAt+2*opts.Phase); err != nil {
		return res, err
	}
	w.stop()
	total := w.written.Load()
	s.Printf("stopped writing after %d records; waiting for both archives to hold every one", total)
	if err := demo.Wait(ctx, "every record in the archives", func() (bool, error) {
		seen := map[int64]bool{}
		for _, label := range agents {
			got, err := archives[label].read()
			if err != nil {
				return false, err
			}
			for seq := range got.seen {
				seen[seq] = true
			}
		}
		return int64(len(seen)) >= total, nil
	}); err != nil {
		return res, err
	}
	stopProgress()

	tally := demo.NewTally()
	res.Lines, res.SelfDups = map[string]int64{}, map[string]int64{}
	counts := map[string]map[int64]int{}
	for _, label := range agents {
		got, err := archives[label].read()
		if err != nil {
			return res, err
		}
		counts[label] = got.seen
		res.Lines[label] = got.lines
		for seq, n := range got.seen {
			for range n {
				tally.Add("events", seq)
			}
			res.SelfDups[label] += int64(n - 1)
		}
	}
	for seq := range counts[agents[0]] {
		if counts[agents[1]][seq] > 0 {
			res.CrossDups++
		}
	}
	res.Report = tally.Report("events", total)
	s.Printf("%v", res.Report)
	s.Printf("archived by %s %d, by %s %d; archived by both: %d (the killed agent's last source batch has %d at most); twice by %s: %d, by %s: %d",
		agents[0], res.Lines[agents[0]], agents[1], res.Lines[agents[1]], res.CrossDups, sourceBatch,
		agents[0], res.SelfDups[agents[0]], agents[1], res.SelfDups[agents[1]])
	return res, nil
}

// writer writes numbered records to the topic, as an application would.
type writer struct {
	cl      *kgo.Client
	runID   string
	written atomic.Int64
	done    chan struct{}
	once    sync.Once
	ended   chan struct{}
}

func newWriter(k *demo.Kafka, run string) (*writer, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.Brokers...), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())
	if err != nil {
		return nil, err
	}
	return &writer{cl: cl, runID: run, done: make(chan struct{}), ended: make(chan struct{})}, nil
}

// record returns the value of record seq: "event <seq> run <id>".
func (w *writer) record(seq int64) *kgo.Record {
	return &kgo.Record{Value: []byte(fmt.Sprintf("event %d run %s", seq, w.runID))}
}

// run writes perSecond records a second, in 20 batches, until stop.
func (w *writer) run(ctx context.Context, perSecond int) {
	defer close(w.ended)
	per := max(perSecond/20, 1)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		next := w.written.Load()
		recs := make([]*kgo.Record, per)
		for i := range recs {
			recs[i] = w.record(next + int64(i) + 1)
		}
		if err := w.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			continue // written again next time: a reader tells duplicates apart
		}
		w.written.Add(int64(per))
	}
}

// waitWritten waits until n records were written.
func (w *writer) waitWritten(ctx context.Context, n int64) error {
	return demo.Wait(ctx, fmt.Sprintf("%d records written", n), func() (bool, error) { return w.written.Load() >= n, nil })
}

func (w *writer) stop() {
	w.once.Do(func() { close(w.done) })
	<-w.ended
}

func (w *writer) close() {
	w.stop()
	w.cl.Close()
}

// archive reads an agent's file_roll directory.
type archive struct {
	dir string
	run string
}

type archived struct {
	lines int64
	seen  map[int64]int // record number → times archived
}

// read counts the complete lines of this run in the archive.
func (a *archive) read() (archived, error) {
	out := archived{seen: map[int64]int{}}
	entries, err := os.ReadDir(a.dir)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	suffix := " run " + a.run
	for _, e := range entries {
		f, err := os.Open(filepath.Join(a.dir, e.Name()))
		if err != nil {
			return out, err
		}
		r := bufio.NewReader(f)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break // EOF, or a line still being written
			}
			line = strings.TrimSuffix(line, "\n")
			rest, ok := strings.CutPrefix(line, "event ")
			if !ok || !strings.HasSuffix(rest, suffix) {
				continue
			}
			seq, err := strconv.ParseInt(strings.TrimSuffix(rest, suffix), 10, 64)
			if err != nil {
				continue
			}
			out.lines++
			out.seen[seq]++
		}
		f.Close()
	}
	return out, nil
}
