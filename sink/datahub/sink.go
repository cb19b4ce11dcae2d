package datahub

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/background"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/sink"
	"github.com/flumego/flume/sink/datahub/internal/client"
)

// ClassName is the Java plugin's sink class, accepted as a type.
const ClassName = "com.aliyun.datahub.flume.sink.DatahubSink"

// Register registers the sink as "datahub" and under the plugin's class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("datahub", Factory, ClassName)
}

// Counter is the sink's counter group: Flume's sink counters plus the
// DataHub-specific ones.
type Counter struct {
	flume.SinkCounter
	// DirtyEventCount counts events written to the dirty-data file.
	DirtyEventCount atomic.Int64
	// PutRetryCount counts PutRecords calls that were retries.
	PutRetryCount atomic.Int64
	// RecordPutCount counts records DataHub accepted.
	RecordPutCount atomic.Int64
}

// dataHubFields are the DataHub-specific counters.
func (c *Counter) dataHubFields() []flume.CounterField {
	return []flume.CounterField{
		{Name: "DirtyEventCount", Value: &c.DirtyEventCount},
		{Name: "PutRetryCount", Value: &c.PutRetryCount},
		{Name: "RecordPutCount", Value: &c.RecordPutCount},
	}
}

// Attributes returns the sink counters followed by the DataHub ones.
func (c *Counter) Attributes() []flume.Attribute {
	return flume.AppendCounters(c.SinkCounter.Attributes(), c.dataHubFields()...)
}

// Started resets the counters and records the start time.
func (c *Counter) Started() {
	c.SinkCounter.Started()
	flume.ResetCounters(c.dataHubFields()...)
}

// Sink writes the events of a channel to a DataHub topic. See the package
// documentation.
type Sink struct {
	name      string
	cfg       Config
	ch        flume.Channel
	log       *slog.Logger
	counter   *Counter
	userAgent string

	mu     sync.Mutex // guards client and dirty across Process and Stop
	client *client.Client
	dirty  *os.File

	// State of the connection to the topic, set up by the first Process.
	ready   bool
	topic   *client.Topic
	tuple   *tupleBuilder
	reader  rowReader
	shards  []string // writable shards, in ListShard order
	next    int      // round-robin position over shards
	refresh bool     // the shard list must be read again

	// Per-batch buffers, reused.
	recs    []client.Record
	recEv   []int // event index of each record
	hashes  []int
	values  []client.Value
	vals    []string
	present []bool
	dirtyEv []dirtyLine

	// Repeated warnings, one per 10 s: dirty lines (counted), failed takes,
	// retried puts.
	dirtyLog  ratelog.Tally
	takeWarn  ratelog.Limiter
	retryWarn ratelog.Limiter
}

type dirtyLine struct {
	event  int
	reason string
}

var _ flume.Sink = (*Sink)(nil)
var _ flume.Batcher = (*Sink)(nil)

// Factory builds a DataHub sink from its properties.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(cfg)
	if err := cfg.Err(); err != nil {
		return nil, err
	}
	return New(set, c, in)
}

// New returns a sink with an already parsed configuration.
func New(set flume.Settings, c Config, in flume.Channel) (*Sink, error) {
	if _, err := client.New(client.Config{Endpoint: c.Endpoint, Compress: c.Compress}); err != nil {
		return nil, fmt.Errorf("datahub sink %q: %w", set.Name, err)
	}
	s := &Sink{name: set.Name, cfg: c, ch: in, log: set.Log(), counter: &Counter{},
		userAgent: "flumego-datahub-sink (datahub-flume-plugin-2.0.0 compatible)"}
	s.reader.sc = c.Serializer
	if re := c.Serializer.Regex; re != nil {
		s.log.Debug("regex compiled", "key", "serializer.regex", "regex", re.String(), "engine", re.Describe())
	}
	if re := c.Serializer.Delimiter; re != nil && c.Serializer.Literal == "" {
		s.log.Debug("regex compiled", "key", "serializer.delimiter", "regex", re.String(), "engine", re.Describe())
	}
	set.Publish(s.counter)
	return s, nil
}

// BatchSize is the largest number of events taken in one transaction.
func (s *Sink) BatchSize() (int, string) { return s.cfg.BatchSize, s.cfg.BatchSizeKey }

// Start creates the HTTP client; the topic is looked up by the first
// Process, so an unreachable DataHub delays delivery but not the agent.
func (s *Sink) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		cl, err := client.New(client.Config{
			Endpoint: s.cfg.Endpoint, AccessID: s.cfg.AccessID, AccessKey: s.cfg.AccessKey,
			UserAgent: s.userAgent, Protobuf: s.cfg.Protobuf, Compress: s.cfg.Compress,
		})
		if err != nil {
			return fmt.Errorf("datahub sink %q: %w", s.name, err)
		}
		s.client = cl
	}
	s.ready, s.shards = false, nil
	s.counter.Started()
	s.log.Info("datahub sink starting", "config", s.cfg.String())
	return nil
}

// Stop closes idle connections and the dirty-data file. Process is not
// running when the runner calls Stop.
func (s *Sink) Stop(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		return nil
	}
	s.client.Close()
	s.client = nil
	if s.ready {
		s.counter.ConnectionClosedCount.Add(1)
	}
	var err error
	if s.dirty != nil {
		err = s.dirty.Close()
		s.dirty = nil
	}
	s.counter.Stopped()
	if err != nil {
		return fmt.Errorf("datahub sink %q: close dirty-data file: %w", s.name, err)
	}
	return nil
}

func (s *Sink) getClient() *client.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// Process takes a batch from the channel, writes it to DataHub and commits.
// Any failure rolls the batch back; nothing taken is lost.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	cl := s.getClient()
	if cl == nil {
		return flume.Backoff, fmt.Errorf("datahub sink %q is not started", s.name)
	}
	if err := s.connect(ctx, cl); err != nil {
		s.counter.ConnectionFailedCount.Add(1)
		return flume.Backoff, fmt.Errorf("datahub sink %q: %w", s.name, err)
	}
	// With datahub.batchTimeout the batch fills over several takes while
	// events keep coming, until it is full, holds more than maxBufferSize
	// body bytes or the timeout passes, as the 2.x plugin does; an idle
	// channel (a take that waited the channel's keep-alive in vain) ends it
	// early.
	res, err := sink.Step(ctx, s.ch, sink.Options{BatchSize: s.cfg.BatchSize, BatchTimeout: s.cfg.BatchTimeout, MaxBytes: s.cfg.MaxBufferSize},
		&s.counter.SinkCounter, func(ctx context.Context, events []flume.Event) error { return s.deliver(ctx, cl, events) })
	if res.TakeErr != nil {
		s.takeWarn.Warn(s.log, "unable to take events from the channel", "error", res.TakeErr)
	}
	if err != nil {
		return res.Status, fmt.Errorf("datahub sink %q: %w", s.name, err)
	}
	return res.Status, nil
}

// connect looks the topic up (once) and reads its shards (again after a
// shard error).
func (s *Sink) connect(ctx context.Context, cl *client.Client) error {
	if !s.ready {
		t, err := cl.GetTopic(ctx, s.cfg.Project, s.cfg.Topic)
		if err != nil {
			return err
		}
		switch t.RecordType {
		case client.Tuple:
			if s.cfg.Serializer.Kind == "" {
				return fmt.Errorf("topic %s/%s is a TUPLE topic: set serializer (DELIMITED, JSON or REGEX) and serializer.fieldnames", s.cfg.Project, s.cfg.Topic)
			}
			tb, err := newTupleBuilder(&s.cfg, t.Fields)
			if err != nil {
				return fmt.Errorf("topic %s/%s: %w", s.cfg.Project, s.cfg.Topic, err)
			}
			s.tuple = tb
		case client.Blob:
			if s.cfg.Serializer.Kind != "" {
				s.log.Info("topic is a BLOB topic: event bodies are written as they are; the serializer settings are not used")
			}
			if len(s.cfg.ShardColumns) > 0 {
				return fmt.Errorf("topic %s/%s is a BLOB topic: datahub.shard.columns needs a TUPLE topic", s.cfg.Project, s.cfg.Topic)
			}
			s.tuple = nil
		}
		s.topic = t
		s.refresh = true
	}
	if s.refresh || len(s.shards) == 0 {
		if err := s.readShards(ctx, cl); err != nil {
			return err
		}
	}
	if !s.ready {
		s.ready = true
		s.counter.ConnectionCreatedCount.Add(1)
		s.log.Info("datahub sink connected", "project", s.cfg.Project, "topic", s.cfg.Topic,
			"recordType", s.topic.RecordType, "fields", len(s.topic.Fields), "shards", strings.Join(s.shards, ","))
	}
	return nil
}

// readShards sets the writable shards: the configured ids (as they are on
// the first call, as the plugin does; the ACTIVE ones among them after a
// shard error), or every ACTIVE shard.
func (s *Sink) readShards(ctx context.Context, cl *client.Client) error {
	if len(s.cfg.ShardIDs) > 0 && len(s.shards) == 0 && !s.ready {
		s.shards = append([]string(nil), s.cfg.ShardIDs...)
		s.refresh = false
		return nil
	}
	list, err := cl.ListShards(ctx, s.cfg.Project, s.cfg.Topic)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, id := range s.cfg.ShardIDs {
		want[id] = true
	}
	var active []string
	for _, sh := range list {
		if sh.State == client.ShardActive && (len(want) == 0 || want[sh.ID]) {
			active = append(active, sh.ID)
		}
	}
	if len(active) == 0 {
		if len(want) > 0 {
			return fmt.Errorf("none of the configured shards (%s) of %s/%s is ACTIVE", strings.Join(s.cfg.ShardIDs, ","), s.cfg.Project, s.cfg.Topic)
		}
		return fmt.Errorf("topic %s/%s has no ACTIVE shard", s.cfg.Project, s.cfg.Topic)
	}
	if s.ready && strings.Join(active, ",") != strings.Join(s.shards, ",") {
		s.log.Info("datahub shards changed", "shards", strings.Join(active, ","))
	}
	s.shards, s.refresh = active, false
	return nil
}

// deliver turns the events into records, writes them with retries, and
// writes the dirty lines to the dirty-data file. It returns nil only when
// every event is either stored in DataHub or in the (synced) dirty file.
func (s *Sink) deliver(ctx context.Context, cl *client.Client, events []flume.Event) error {
	s.build(events)
	if len(s.dirtyEv) > 0 && !s.cfg.DirtyDataContinue {
		d := s.dirtyEv[0]
		return fmt.Errorf("dirty line (%s): %q; set datahub.dirtyDataContinue = true to divert such lines to datahub.dirtyDataFile",
			d.reason, truncate(string(events[d.event].Body), 200))
	}
	if len(s.recs) > 0 {
		if err := s.put(ctx, cl, events); err != nil {
			return err
		}
	}
	if len(s.dirtyEv) > 0 {
		if err := s.writeDirty(events); err != nil {
			return err
		}
	}
	return nil
}

// build fills s.recs (and s.recEv) from the events; lines that do not fit
// the schema go to s.dirtyEv.
func (s *Sink) build(events []flume.Event) {
	s.recs, s.recEv, s.hashes, s.dirtyEv = s.recs[:0], s.recEv[:0], s.hashes[:0], s.dirtyEv[:0]
	if s.tuple == nil {
		for i, e := range events {
			s.recs = append(s.recs, client.Record{IsBlob: true, Blob: e.Body})
			s.recEv = append(s.recEv, i)
		}
		return
	}
	width := len(s.tuple.fields)
	names := len(s.cfg.Serializer.FieldNames)
	if cap(s.values) < width*len(events) {
		s.values = make([]client.Value, width*len(events))
	}
	values := s.values[:width*len(events)]
	if len(s.vals) < names {
		s.vals, s.present = make([]string, names), make([]bool, names)
	}
	for i, e := range events {
		line := decodeBody(e.Body, s.cfg.Serializer.Charset, s.cfg.Serializer.Decoder)
		out := values[i*width : (i+1)*width : (i+1)*width]
		reason := s.reader.read(line, s.vals, s.present)
		if reason == "" {
			reason = s.tuple.build(s.vals, s.present, out)
		}
		if reason != "" {
			s.dirtyEv = append(s.dirtyEv, dirtyLine{i, reason})
			continue
		}
		s.recs = append(s.recs, client.Record{Values: out})
		s.recEv = append(s.recEv, i)
		if len(s.tuple.hashNames) > 0 {
			s.hashes = append(s.hashes, s.tuple.hash(s.vals, s.present))
		}
	}
}

// assignShards sets the shard of the records at idx: the next shard in
// turn for the whole batch, or by hash of the shard columns.
func (s *Sink) assignShards(idx []int) {
	if len(s.hashes) > 0 {
		for _, i := range idx {
			s.recs[i].ShardID = s.shards[s.hashes[i]%len(s.shards)]
		}
		return
	}
	shard := s.shards[s.next%len(s.shards)]
	s.next++
	for _, i := range idx {
		s.recs[i].ShardID = shard
	}
}

// put writes s.recs. A failed request is retried whole; after a partial
// failure only the records that failed are sent again. A shard error
// re-reads the shard list and moves the records to a writable shard; a
// record DataHub calls malformed becomes a dirty line. It gives up (and the
// batch is rolled back) when the retries are used up or the error cannot
// be fixed by retrying.
func (s *Sink) put(ctx context.Context, cl *client.Client, events []flume.Event) error {
	pending := make([]int, len(s.recs))
	for i := range pending {
		pending[i] = i
	}
	s.assignShards(pending)
	send := make([]client.Record, 0, len(pending))
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			s.counter.PutRetryCount.Add(1)
		}
		send = send[:0]
		for _, i := range pending {
			send = append(send, s.recs[i])
		}
		failed, err := s.putOnce(ctx, cl, send)
		var lastErr error
		var moved []int // records to move to another shard
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return fmt.Errorf("stopped: %w", err)
			}
			if client.IsShardError(client.ErrorCode(err)) {
				moved = pending
			} else if client.Permanent(err) {
				return err
			}
			lastErr = err
		case len(failed) == 0:
			s.counter.RecordPutCount.Add(int64(len(pending)))
			return nil
		default:
			s.counter.RecordPutCount.Add(int64(len(pending) - len(failed)))
			var retry []int
			for _, f := range failed {
				i := pending[f.Index]
				switch {
				case f.Code == client.CodeMalformedRecord:
					if !s.cfg.DirtyDataContinue {
						return fmt.Errorf("DataHub rejected a record as malformed (%s): %q; set datahub.dirtyDataContinue = true to divert such lines to datahub.dirtyDataFile",
							f.Message, truncate(string(events[s.recEv[i]].Body), 200))
					}
					s.dirtyEv = append(s.dirtyEv, dirtyLine{s.recEv[i], "rejected by DataHub: " + f.Message})
					continue
				case client.IsShardError(f.Code):
					moved = append(moved, i)
				}
				retry = append(retry, i)
			}
			lastErr = fmt.Errorf("%d of %d records failed, the first with %s: %s", len(failed), len(pending), failed[0].Code, failed[0].Message)
			pending = retry
			if len(pending) == 0 {
				return nil
			}
		}
		if len(moved) > 0 {
			s.refresh = true
			if err := s.readShards(ctx, cl); err != nil {
				return fmt.Errorf("%v; re-reading the shard list: %w", lastErr, err)
			}
			s.assignShards(moved)
		}
		if s.cfg.RetryTimes >= 0 && attempt >= s.cfg.RetryTimes {
			return fmt.Errorf("giving up after %d attempts: %w", attempt+1, lastErr)
		}
		wait := s.cfg.RetryInterval
		if s.cfg.RetryTimes < 0 {
			wait = max(wait, time.Second) // retrying forever: never spin
		}
		s.retryWarn.Warn(s.log, "datahub put failed; retrying", "records", len(pending), "attempt", attempt+1, "wait", wait, "error", lastErr)
		if err := background.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("stopped while retrying: %w", lastErr)
		}
	}
}

// stopGrace is how long a put already sent may still finish once the sink
// is asked to stop: cutting it off would leave DataHub with records whose
// events are rolled back and written again after a restart.
const stopGrace = 5 * time.Second

// putOnce sends one PutRecords request. Cancelling ctx (the sink stopping)
// gives the request stopGrace more before it is abandoned.
func (s *Sink) putOnce(ctx context.Context, cl *client.Client, recs []client.Record) ([]client.FailedRecord, error) {
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(stopGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-pctx.Done():
		}
	})
	defer stop()
	return cl.PutRecords(pctx, s.cfg.Project, s.cfg.Topic, recs)
}

// writeDirty appends the dirty lines (raw bodies, one per line) to the
// dirty-data file and syncs it, so they are safe before the commit.
func (s *Sink) writeDirty(events []flume.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty == nil {
		f, err := os.OpenFile(s.cfg.DirtyDataFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("open dirty-data file: %w", err)
		}
		s.dirty = f
	}
	var buf []byte
	for _, d := range s.dirtyEv {
		buf = append(buf, events[d.event].Body...)
		buf = append(buf, '\n')
	}
	if _, err := s.dirty.Write(buf); err != nil {
		return fmt.Errorf("write dirty-data file: %w", err)
	}
	if err := s.dirty.Sync(); err != nil {
		return fmt.Errorf("sync dirty-data file: %w", err)
	}
	s.counter.DirtyEventCount.Add(int64(len(s.dirtyEv)))
	// One warning per 10 s at most, counting the lines since the last one:
	// a stream of dirty lines must not become a log line each.
	d := s.dirtyEv[0]
	s.dirtyLog.Add(s.log, int64(len(s.dirtyEv)), "dirty lines written to the dirty-data file", "count", "file", s.cfg.DirtyDataFile,
		"example", truncate(string(events[d.event].Body), 200), "reason", d.reason)
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
