package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/avroevent"
	"github.com/flumego/flume/internal/ratelog"
	"github.com/flumego/flume/sink"
	kafkago "github.com/segmentio/kafka-go"
)

// ClassName is the Java class name Flume configurations use for this sink.
const ClassName = "org.apache.flume.sink.kafka.KafkaSink"

// Register registers the Kafka sink as "kafka" and under Flume's class name.
func Register(r *flume.Registry) error {
	return r.RegisterSink("kafka", Factory, ClassName)
}

// Factory builds a Kafka sink from its Flume properties. It reads key and
// trust stores but opens no connection: brokers are contacted from the
// first Process call on.
func Factory(set flume.Settings, cfg *flume.Context, in flume.Channel) (flume.Sink, error) {
	c := ParseConfig(cfg)
	var topic topicFormat
	if c.AllowTopicOverride {
		var err error
		if topic, err = parseTopic(c.Topic); err != nil {
			cfg.Errorf(keyTopic, "%v", err)
		}
	}
	if err := cfg.Err(); err != nil {
		return nil, fmt.Errorf("kafka sink %q: %w", set.Name, err)
	}
	return newSink(set, c, topic, in), nil
}

// New returns a sink for a configuration built in code.
func New(set flume.Settings, c Config, in flume.Channel) (*Sink, error) {
	var topic topicFormat
	if c.AllowTopicOverride {
		var err error
		if topic, err = parseTopic(c.Topic); err != nil {
			return nil, fmt.Errorf("kafka sink %q: %s: %w", set.Name, keyTopic, err)
		}
	}
	if len(c.Brokers) == 0 || c.BatchSize < 1 {
		return nil, fmt.Errorf("kafka sink %q: brokers and a positive batch size are required", set.Name)
	}
	return newSink(set, c, topic, in), nil
}

func newSink(set flume.Settings, c Config, topic topicFormat, in flume.Channel) *Sink {
	s := &Sink{set: set, cfg: c, topic: topic, in: in, log: set.Log(), perPartition: map[topicPartition]int{}}
	s.badTimestamps.Interval = time.Minute
	for flumeName, kafkaName := range c.HeaderMap {
		s.headerMap = append(s.headerMap, headerMapping{flumeName, kafkaName})
	}
	sort.Slice(s.headerMap, func(i, j int) bool { return s.headerMap[i].flume < s.headerMap[j].flume })
	set.Publish(&s.counter)
	return s
}

// Sink is the Kafka sink. Process is called by one goroutine (the sink
// runner); Start and Stop may be called from another.
type Sink struct {
	set       flume.Settings
	cfg       Config
	topic     topicFormat
	headerMap []headerMapping
	in        flume.Channel
	log       *slog.Logger
	counter   Counter

	mu   sync.Mutex
	prod *producer
	// closing is the producer a Stop began to close, until a Stop saw its
	// close end; another Stop waits for it again.
	closing *producer

	// Process-only scratch space.
	msgs         []kafkago.Message
	keys         []flume.Header // scratch of AppendFlumeEvent
	perPartition map[topicPartition]int

	// Invalid timestamp headers, counted in one warning a minute at most.
	badTimestamps ratelog.Tally
}

type headerMapping struct{ flume, kafka string }

// producer is one started kafka-go writer with its transport.
type producer struct {
	w      *kafkago.Writer
	tr     *kafkago.Transport
	part   *partitioner
	dialer *dialer
	cancel context.CancelFunc

	closed   chan struct{} // closed when the close began by Stop ended
	closeErr error         // the Writer's Close error, set before closed
}

var (
	_ flume.Sink    = (*Sink)(nil)
	_ flume.Batcher = (*Sink)(nil)
)

// BatchSize returns flumeBatchSize (or the deprecated batchSize it was read
// from).
func (s *Sink) BatchSize() (int, string) { return s.cfg.BatchSize, s.cfg.BatchSizeKey }

// Start prepares the producer. kafka-go connects lazily, so Start does no
// I/O and an unreachable cluster shows as failing Process calls, as with
// Flume's KafkaProducer.
func (s *Sink) Start(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prod != nil {
		return nil
	}
	if s.closing != nil {
		select {
		case <-s.closing.closed: // ended since the Stop that gave up on it
			s.closing = nil
			s.counter.Stopped()
		default:
			return fmt.Errorf("kafka sink %q: the previous producer is still closing", s.set.Name)
		}
	}
	pc := s.cfg.Producer
	ctx, cancel := context.WithCancel(context.Background())
	d := &dialer{counter: &s.counter, conns: map[*trackedConn]struct{}{}}
	d.Timeout = pc.DialTimeout
	tr := &kafkago.Transport{
		Dial:        d.DialContext,
		DialTimeout: pc.DialTimeout,
		IdleTimeout: pc.IdleTimeout,
		MetadataTTL: pc.MetadataTTL,
		ClientID:    pc.ClientID,
		TLS:         pc.Security.TLS,
		SASL:        pc.Security.SASL,
		Context:     ctx,
	}
	if tr.ClientID == "" {
		tr.ClientID = "flumego-" + s.set.Name
	}
	part := newPartitioner(pc.StickyBytes)
	w := &kafkago.Writer{
		Addr:            newBrokerAddr(s.cfg.Brokers),
		Balancer:        part,
		MaxAttempts:     pc.MaxAttempts,
		WriteBackoffMin: max(pc.RetryBackoff, time.Millisecond),
		WriteBackoffMax: backoffMax(pc.RetryBackoff),
		// One Flume batch is one WriteMessages call; each partition's share
		// goes out in one request (up to max.request.size) as soon as it is
		// assembled, as Flume's producer.flush() sends everything at once.
		// BatchSize is set before each write to the largest share.
		BatchSize:    s.cfg.BatchSize,
		BatchBytes:   pc.MaxRequestSize,
		BatchTimeout: time.Nanosecond,
		ReadTimeout:  pc.RequestTimeout,
		WriteTimeout: pc.RequestTimeout,
		RequiredAcks: pc.Acks,
		Compression:  pc.Compression,
		Transport:    tr,
		// Java's producer asks the broker to create unknown topics (the
		// broker's auto.create.topics.enable decides); so do we.
		AllowAutoTopicCreation: true,
		ErrorLogger: kafkago.LoggerFunc(func(msg string, args ...any) {
			s.log.Debug("kafka-go: " + fmt.Sprintf(msg, args...))
		}),
	}
	s.prod = &producer{w: w, tr: tr, part: part, dialer: d, cancel: cancel, closed: make(chan struct{})}
	s.counter.Started()
	s.log.Info("kafka sink started", "brokers", strings.Join(s.cfg.Brokers, ","), "topic", s.cfg.Topic,
		"batchSize", s.cfg.BatchSize, "producer", pc.String())
	return nil
}

// Stop closes the producer and waits for its goroutines, at most until ctx
// ends. A write abandoned by a cancelled Process (its events were rolled
// back) is cut short: the sink's connections are closed and no new one is
// opened, so kafka-go's last retries fail at once. When ctx ends first,
// the transport is cancelled too and an error wrapping ctx.Err() is
// returned; the next Stop waits for the close again.
func (s *Sink) Stop(ctx context.Context) error {
	s.mu.Lock()
	if p := s.prod; p != nil {
		s.prod, s.closing = nil, p
		p.dialer.close()
		go func() {
			p.closeErr = p.w.Close()
			p.tr.CloseIdleConnections()
			p.cancel()
			close(p.closed)
		}()
	}
	p := s.closing
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.closed:
	default:
		select {
		case <-p.closed:
		case <-ctx.Done():
			p.cancel() // abort what the writer still waits for
			return fmt.Errorf("kafka sink %q: stop: %w", s.set.Name, ctx.Err())
		}
	}
	s.mu.Lock()
	last := s.closing == p
	if last {
		s.closing = nil
	}
	s.mu.Unlock()
	if !last {
		return nil // a concurrent Stop saw the close end and reports it
	}
	s.counter.Stopped()
	if p.closeErr != nil {
		return fmt.Errorf("kafka sink %q: stop: %w", s.set.Name, p.closeErr)
	}
	s.log.Info("kafka sink stopped")
	return nil
}

// errNotStarted is returned by Process before Start or after Stop.
var errNotStarted = errors.New("kafka sink is not running")

// Process takes up to flumeBatchSize events, writes them to Kafka and
// commits the channel transaction once every record was acknowledged.
func (s *Sink) Process(ctx context.Context) (flume.Status, error) {
	s.mu.Lock()
	p := s.prod
	s.mu.Unlock()
	if p == nil {
		return flume.Backoff, fmt.Errorf("kafka sink %q: %w", s.set.Name, errNotStarted)
	}
	res, err := sink.Step(ctx, s.in, sink.Options{BatchSize: s.cfg.BatchSize}, &s.counter.SinkCounter,
		func(ctx context.Context, events []flume.Event) error { return s.deliver(ctx, p, events) })
	if res.RolledBack {
		s.counter.RollbackCount.Add(1)
	}
	if err != nil {
		return res.Status, fmt.Errorf("kafka sink %q: %w", s.set.Name, err)
	}
	return res.Status, nil
}

// deliver writes events as records and returns nil once all were
// acknowledged.
func (s *Sink) deliver(ctx context.Context, p *producer, events []flume.Event) error {
	start := time.Now()
	var arena []byte
	if s.cfg.UseFlumeEventFormat {
		n := 0
		for _, e := range events {
			n += avroevent.EncodedSize(e)
		}
		arena = make([]byte, 0, n) // fresh per batch: kafka-go may read it after an abandoned write
	}
	msgs := s.msgs[:0]
	defer func() {
		clear(msgs)
		s.msgs = msgs[:0]
	}()
	badTimestamps := 0
	for i := range events {
		e := &events[i]
		m := kafkago.Message{Time: start}
		topic, err := s.topicOf(*e)
		if err != nil {
			return fmt.Errorf("event %d of %d: %w", i+1, len(events), err)
		}
		if topic == "" {
			return fmt.Errorf("event %d of %d: the topic is empty (header %q)", i+1, len(events), s.cfg.TopicHeader)
		}
		m.Topic = topic
		if k, ok := e.Header("key"); ok {
			m.Key = append(make([]byte, 0, len(k)), k...) // an empty key is a key, not none
		}
		if s.cfg.PartitionHeader != "" {
			if v, ok := e.Header(s.cfg.PartitionHeader); ok {
				id, err := strconv.ParseInt(v, 10, 32)
				if err != nil {
					return fmt.Errorf("event %d of %d: non integer partition id %q in header %q", i+1, len(events), v, s.cfg.PartitionHeader)
				}
				m.WriterData = int(id)
			}
		}
		if m.WriterData == nil && s.cfg.HasStaticPartition {
			m.WriterData = s.cfg.StaticPartition
		}
		if s.cfg.TimestampHeader != "" {
			if v, ok := e.Header(s.cfg.TimestampHeader); ok {
				if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 {
					m.Time = time.UnixMilli(ms)
				} else {
					badTimestamps++
				}
			}
		}
		if s.cfg.UseFlumeEventFormat {
			from := len(arena)
			arena, s.keys = AppendFlumeEvent(arena, *e, s.keys)
			m.Value = arena[from:len(arena):len(arena)]
		} else if m.Value = e.Body; m.Value == nil {
			m.Value = []byte{} // an empty body is an empty value, never a tombstone
		}
		m.Headers = s.recordHeaders(*e)
		msgs = append(msgs, m)
	}
	if badTimestamps > 0 {
		s.badTimestamps.Add(s.log, int64(badTimestamps), "events with an invalid timestamp header were given the current time",
			"events", "header", s.cfg.TimestampHeader)
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.Producer.DeliveryTimeout)
	most, err := s.assign(wctx, p, msgs)
	if err != nil {
		cancel()
		return err
	}
	// kafka-go sizes each partition's batch buffer by BatchSize: the
	// largest share of this write avoids allocating flumeBatchSize
	// messages per partition. Only this goroutine reads it.
	p.w.BatchSize = most
	err = p.w.WriteMessages(wctx, msgs...)
	cancel()
	if err != nil {
		return s.describe(ctx, err, msgs)
	}
	s.counter.KafkaEventSendTimer.Add(time.Since(start).Milliseconds())
	return nil
}

func (s *Sink) topicOf(e flume.Event) (string, error) {
	if !s.cfg.AllowTopicOverride {
		return s.cfg.Topic, nil
	}
	if t, ok := e.Header(s.cfg.TopicHeader); ok {
		return t, nil
	}
	return s.topic.expand(e)
}

// recordHeaders returns the Kafka record headers of an event: the
// header.* mappings, or with kafkaRecordHeaders = all every header.
func (s *Sink) recordHeaders(e flume.Event) []kafkago.Header {
	if s.cfg.RecordHeaders == HeadersAll {
		if e.HeaderCount() == 0 {
			return nil
		}
		out := make([]kafkago.Header, 0, e.HeaderCount())
		for k, v := range e.AllHeaders() {
			name := k
			if mapped, ok := s.cfg.HeaderMap[k]; ok {
				name = mapped
			}
			out = append(out, kafkago.Header{Key: name, Value: []byte(v)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	var out []kafkago.Header
	for _, m := range s.headerMap {
		if v, ok := e.Header(m.flume); ok {
			out = append(out, kafkago.Header{Key: m.kafka, Value: []byte(v)})
		}
	}
	return out
}

// describe turns kafka-go's write error into one that says what happened.
func (s *Sink) describe(ctx context.Context, err error, msgs []kafkago.Message) error {
	var tooLarge kafkago.MessageTooLargeError
	if errors.As(err, &tooLarge) {
		m := tooLarge.Message
		size := len(m.Key) + len(m.Value)
		for _, h := range m.Headers {
			size += len(h.Key) + len(h.Value)
		}
		return fmt.Errorf("a record of about %d bytes exceeds max.request.size (%d) and can never be sent: raise kafka.producer.max.request.size (and the brokers' message.max.bytes) or remove the event: %w",
			size, s.cfg.Producer.MaxRequestSize, err)
	}
	var werrs kafkago.WriteErrors
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if e != nil {
				return fmt.Errorf("%d of %d records not acknowledged: %w", werrs.Count(), len(msgs), e)
			}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return fmt.Errorf("no acknowledgement within delivery.timeout.ms (%s): %w", s.cfg.Producer.DeliveryTimeout, err)
	}
	return fmt.Errorf("write %d records: %w", len(msgs), err)
}

// dialer opens (and counts) the sink's broker connections, and closes them
// all when the sink stops.
type dialer struct {
	net.Dialer
	counter *Counter

	mu     sync.Mutex
	closed bool
	conns  map[*trackedConn]struct{}
}

var errStopped = errors.New("kafka sink stopped")

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed {
		return nil, errStopped
	}
	c, err := d.Dialer.DialContext(ctx, network, addr)
	if err != nil {
		d.counter.ConnectionFailedCount.Add(1)
		return nil, err
	}
	tc := &trackedConn{Conn: c, d: d}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		_ = c.Close()
		return nil, errStopped
	}
	d.conns[tc] = struct{}{}
	d.mu.Unlock()
	d.counter.ConnectionCreatedCount.Add(1)
	return tc, nil
}

func (d *dialer) close() {
	d.mu.Lock()
	d.closed = true
	conns := make([]*trackedConn, 0, len(d.conns))
	for c := range d.conns {
		conns = append(conns, c)
	}
	d.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

type trackedConn struct {
	net.Conn
	d    *dialer
	once sync.Once
}

func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.d.mu.Lock()
		delete(c.d.conns, c)
		c.d.mu.Unlock()
		c.d.counter.ConnectionClosedCount.Add(1)
	})
	return err
}
