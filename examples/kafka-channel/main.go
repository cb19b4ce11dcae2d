package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/examples/internal/demo"
	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	lines := flag.Int64("lines", 100000, "numbers the collector puts (seq 1 N)")
	demo.Main(func(ctx context.Context, s *demo.Session) error {
		res, err := run(ctx, s, options{Lines: *lines, Every: time.Second})
		if err != nil {
			return err
		}
		return res.verify()
	})
}

// options set up a run.
type options struct {
	Lines int64         // seq 1 Lines
	Every time.Duration // progress line interval
}

const (
	topic      = "app_logs"
	partitions = 6
	// sinkBatch is writer.properties' sink.batchSize: the most a killed
	// writer can have written without committing its take.
	sinkBatch = 1000
)

// result is what a run observed.
type result struct {
	Report      demo.Report // the writer's output, by number
	InTopic     int64       // records in the topic (the collector's re-run put its first numbers twice)
	WriterTwice int64       // numbers the writer wrote more often than the topic holds them
	External    bool
}

// verify checks the delivery guarantee: every number written, and what the
// writer wrote beyond what the topic holds no more than its last take,
// which it had written but not committed when it was killed.
func (r result) verify() error {
	var errs []error
	if !r.Report.Complete() {
		errs = append(errs, fmt.Errorf("lost lines: %v", r.Report))
	}
	if r.WriterTwice > sinkBatch {
		errs = append(errs, fmt.Errorf("the writer wrote %d numbers more often than the topic holds them: more than its last batch (%d)", r.WriterTwice, sinkBatch))
	}
	return errors.Join(errs...)
}

// run starts the brokers (unless $KAFKA_BROKERS names a cluster), the
// writer and the collector; kills the collector with SIGKILL once it put a
// third of the numbers and starts it again (its exec source runs seq from
// 1 again); kills the writer once it wrote half of them and starts it
// again; and waits until the writer's output holds every number.
func run(ctx context.Context, s *demo.Session, opts options) (res result, err error) {
	files, err := demo.Files("kafka-channel", "collector.properties", "local-collector.properties",
		"writer.properties", "local-writer.properties")
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	kafka, err := demo.StartKafkaCluster(3, topic, partitions)
	if err != nil {
		return res, err
	}
	s.Defer(kafka.Close)
	res.External = kafka.External
	if kafka.External {
		ends, err := kafka.EndOffsets(ctx, topic)
		if err != nil {
			return res, err
		}
		for _, end := range ends {
			if end > 0 {
				return res, fmt.Errorf("topic %s of your cluster already holds records: the demo counts numbers, use an empty topic", topic)
			}
		}
		s.Printf("Kafka: your cluster at %s ($%s), topic %s", kafka.BrokerList(), demo.KafkaEnv, topic)
	} else {
		s.Printf("Kafka: 3 in-process brokers (franz-go's kfake) at %s, topic %s with %d partitions", kafka.BrokerList(), topic, partitions)
	}
	env := []string{demo.KafkaEnv + "=" + kafka.BrokerList(), "LINES=" + strconv.FormatInt(opts.Lines, 10)}
	collectorSpec := demo.AgentSpec{Label: "collector", Name: "collector", Files: files[:2], Env: env, Monitor: true}
	writerSpec := demo.AgentSpec{Label: "writer", Name: "writer", Files: files[2:], Env: env, Monitor: true}

	writer, err := s.Start(ctx, writerSpec)
	if err != nil {
		return res, err
	}
	if _, err := writer.WaitLog(ctx, "kafka channel: partitions assigned"); err != nil {
		return res, err
	}
	s.Printf("writer (pid %d) reads %s as group writers", writer.Pid(), topic)
	out := &output{dir: filepath.Join(writer.Dir, "out")}
	collector, err := s.Start(ctx, collectorSpec)
	if err != nil {
		return res, err
	}
	s.Printf("collector (pid %d) puts seq 1 %d into the channel", collector.Pid(), opts.Lines)
	stopProgress := s.Progress(opts.Every, func() string {
		got, _ := out.read()
		return fmt.Sprintf("the writer wrote %6d distinct numbers (%6d lines)", len(got.seen), got.lines)
	})
	defer stopProgress()

	// 1. The collector dies a third of the way, and comes back: its exec
	// source runs seq from 1 again; what it had put is in the topic.
	if _, err := collector.WaitCounter(ctx, "SOURCE.r1", "EventAcceptedCount", opts.Lines/3); err != nil {
		return res, err
	}
	if err := collector.Kill(); err != nil {
		return res, err
	}
	s.Printf("killed the collector (SIGKILL to pid %d) after it put at least %d numbers", collector.Pid(), opts.Lines/3)
	if collector, err = s.Start(ctx, collectorSpec); err != nil {
		return res, err
	}
	s.Printf("collector started again (pid %d): seq starts over", collector.Pid())

	// 2. The writer dies half way, and comes back: it reads on from the
	// group's committed offset.
	if err := demo.Wait(ctx, "the writer to write half the numbers", func() (bool, error) {
		got, err := out.read()
		return int64(len(got.seen)) >= opts.Lines/2, err
	}); err != nil {
		return res, err
	}
	if err := writer.Kill(); err != nil {
		return res, err
	}
	s.Printf("killed the writer (SIGKILL to pid %d) half way", writer.Pid())
	if writer, err = s.Start(ctx, writerSpec); err != nil {
		return res, err
	}
	s.Printf("writer started again (pid %d)", writer.Pid())

	// 3. Every number arrives.
	if err := demo.Wait(ctx, "every number in the writer's output", func() (bool, error) {
		got, err := out.read()
		return int64(len(got.seen)) >= opts.Lines, err
	}); err != nil {
		return res, err
	}
	stopProgress()
	got, err := out.read()
	if err != nil {
		return res, err
	}
	tally := demo.NewTally()
	for n, c := range got.seen {
		for range c {
			tally.Add("seq", n)
		}
	}
	res.Report = tally.Report("seq", opts.Lines)
	// What the topic holds tells the collector's re-run (each of its first
	// numbers is in the topic twice) from the writer's own repeats.
	inTopic, err := topicCounts(ctx, kafka)
	if err != nil {
		return res, err
	}
	for n, c := range inTopic {
		res.InTopic += int64(c)
		if extra := got.seen[n] - c; extra > 0 {
			res.WriterTwice += int64(extra)
		}
	}
	s.Printf("%v", res.Report)
	s.Printf("the topic holds %d records (the collector's second run put its first numbers again); the writer wrote %d numbers more often than the topic holds them (at most its last batch, %d)",
		res.InTopic, res.WriterTwice, sinkBatch)
	return res, nil
}

// topicCounts reads the whole topic: number → records holding it.
func topicCounts(ctx context.Context, k *demo.Kafka) (map[int64]int, error) {
	ends, err := k.EndOffsets(ctx, topic)
	if err != nil {
		return nil, err
	}
	var want int64
	for _, e := range ends {
		want += e
	}
	counts := map[int64]int{}
	var read int64
	var bad error
	err = k.Collect(ctx, topic, nil, func(r *kgo.Record) {
		read++
		e, err := avroevent.Unmarshal(r.Value)
		if err != nil {
			bad = fmt.Errorf("%s/%d offset %d is not an AvroFlumeEvent: %w", r.Topic, r.Partition, r.Offset, err)
			return
		}
		if n, err := strconv.ParseInt(string(e.Body), 10, 64); err == nil {
			counts[n]++
		}
	}, func() bool { return read >= want })
	if err == nil {
		err = bad
	}
	return counts, err
}

// output reads the writer's file_roll directory.
type output struct{ dir string }

type written struct {
	lines int64
	seen  map[int64]int // number → times written
}

// read counts the complete lines in the output.
func (o *output) read() (written, error) {
	out := written{seen: map[int64]int{}}
	entries, err := os.ReadDir(o.dir)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(o.dir, e.Name()))
		if err != nil {
			return out, err
		}
		r := bufio.NewReaderSize(f, 1<<16)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break // EOF, or a line still being written
			}
			n, err := strconv.ParseInt(strings.TrimSuffix(line, "\n"), 10, 64)
			if err != nil {
				continue
			}
			out.lines++
			out.seen[n]++
		}
		f.Close()
	}
	return out, nil
}
