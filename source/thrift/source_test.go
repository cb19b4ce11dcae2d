package thrift

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/flumego/flume"
	"github.com/flumego/flume/internal/flumetest"
	"github.com/flumego/flume/internal/tlsconf/tlstest"
	"github.com/flumego/flume/rpc"
	"github.com/flumego/flume/rpc/thriftrpc"
)

// startSource builds a source from properties (bind and port default to
// 127.0.0.1:0) and starts it.
func startSource(t testing.TB, props map[string]string, out flume.ChannelProcessor) *Source {
	t.Helper()
	m := map[string]string{"bind": "127.0.0.1", "port": "0"}
	for k, v := range props {
		m[k] = v
	}
	cfg := flume.ContextFromMap(m)
	src, err := Factory(flume.Settings{Name: "r1"}, cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	if u := cfg.Unused(); len(u) > 0 {
		t.Fatalf("unused keys: %v", u)
	}
	s := src.(*Source)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
	return s
}

func testEvents(from, to int) []flume.Event {
	out := make([]flume.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, flumetest.EventWithHeaders([]byte(fmt.Sprintf("event %d \x00\xff", i)), map[string]string{"seq": strconv.Itoa(i), "State": "CA", "ünï": "cödé ✓"}))
	}
	return out
}

func TestParseConfig(t *testing.T) {
	cases := []struct {
		props   map[string]string
		check   func(Config) bool
		errText string // "" = no error
		warn    string
	}{
		{props: map[string]string{}, check: func(c Config) bool {
			return c.Protocol == thriftrpc.Compact && c.Threads == 0 && c.MaxFrameSize == thriftrpc.DefaultMaxFrameSize && c.TLS == nil
		}},
		{props: map[string]string{"protocol": "binary", "threads": "200"}, check: func(c Config) bool {
			return c.Protocol == thriftrpc.Binary && c.Threads == 200
		}},
		{props: map[string]string{"protocol": "BINARY"}, check: func(c Config) bool { return c.Protocol == thriftrpc.Binary }, warn: "exact lower-case"},
		{props: map[string]string{"protocol": "json"}, errText: "expected compact or binary"},
		{props: map[string]string{"threads": "many"}, check: func(c Config) bool { return c.Threads == 0 }, warn: "expected an integer"},
		{props: map[string]string{"max-frame-size": "10"}, errText: "at least 1024"},
		{props: map[string]string{"ssl": "true"}, errText: "no keystore"},
		{props: map[string]string{"kerberos": "true", "agent-principal": "flume/_HOST@EXAMPLE.COM", "agent-keytab": "/k"}, errText: "not supported"},
		{props: map[string]string{"agent-principal": "flume/_HOST@EXAMPLE.COM"}, warn: "Kerberos is off"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.props), func(t *testing.T) {
			m := map[string]string{"bind": "0.0.0.0", "port": "4141"}
			for k, v := range tc.props {
				m[k] = v
			}
			cfg := flume.ContextFromMap(m)
			c := ParseConfig(cfg)
			err := cfg.Err()
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("err = %v, want %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil && !tc.check(c) {
				t.Fatalf("config %+v", c)
			}
			if tc.warn != "" && !strings.Contains(cfg.Problems().Error(), tc.warn) {
				t.Fatalf("warnings %q lack %q", cfg.Problems().Error(), tc.warn)
			}
			if u := cfg.Unused(); len(u) > 0 {
				t.Fatalf("unused keys %v", u)
			}
		})
	}
}

func TestKerberosIsUnsupported(t *testing.T) {
	_, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{
		"bind": "0.0.0.0", "port": "4141", "kerberos": "true", "agent-principal": "p", "agent-keytab": "k",
	}), nil)
	if !errors.Is(err, flume.ErrUnsupported) {
		t.Fatalf("err = %v, want flume.ErrUnsupported", err)
	}
	var ps flume.Problems
	if !errors.As(err, &ps) || ps[0].Key != "kerberos" {
		t.Fatalf("err = %#v, want a located problem", err)
	}
}

func TestMissingBindAndPort(t *testing.T) {
	_, err := Factory(flume.Settings{Name: "r1"}, flume.ContextFromMap(map[string]string{}), nil)
	if err == nil || !strings.Contains(err.Error(), "bind") || !strings.Contains(err.Error(), "port") {
		t.Fatalf("err = %v", err)
	}
}

func TestRegister(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"thrift", "THRIFT", "org.apache.flume.source.ThriftSource"} {
		if _, canon, err := r.Source(name); err != nil || canon != "thrift" {
			t.Fatalf("%s: %q %v", name, canon, err)
		}
	}
}

func dialSource(t testing.TB, s *Source, p thriftrpc.Protocol) *thriftrpc.Conn {
	t.Helper()
	cfg := thriftrpc.ClientConfig{}
	cfg.Protocol = p
	c, err := thriftrpc.Dial(context.Background(), s.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestAppendAndCounters(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 1000, 100, 50*time.Millisecond)
	s := startSource(t, nil, flumetest.Processor(ch))
	c := dialSource(t, s, thriftrpc.Compact)
	ctx := t.Context()
	evs := testEvents(0, 21)
	if st, err := c.Append(ctx, evs[0]); err != nil || st != thriftrpc.OK {
		t.Fatalf("append: %v %v", st, err)
	}
	if st, err := c.AppendBatch(ctx, evs[1:]); err != nil || st != thriftrpc.OK {
		t.Fatalf("appendBatch: %v %v", st, err)
	}
	if st, err := c.AppendBatch(ctx, nil); err != nil || st != thriftrpc.OK {
		t.Fatalf("empty appendBatch: %v %v", st, err)
	}
	flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 21))
	k := &s.counter
	got := []int64{k.AppendReceivedCount.Load(), k.AppendAcceptedCount.Load(), k.AppendBatchReceivedCount.Load(),
		k.AppendBatchAcceptedCount.Load(), k.EventReceivedCount.Load(), k.EventAcceptedCount.Load(), k.OpenConnectionCount.Load()}
	if want := []int64{1, 1, 2, 2, 21, 21, 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counters %v, want %v", got, want)
	}
}

type failingInterceptor struct{}

func (failingInterceptor) Intercept([]flume.Event) ([]flume.Event, error) {
	return nil, errors.New("interceptor exploded")
}

func TestInternalFailureIsAnApplicationException(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 100, 100, time.Second)
	s := startSource(t, nil, flumetest.Processor(ch, failingInterceptor{}))
	c := dialSource(t, s, thriftrpc.Compact)
	_, err := c.AppendBatch(t.Context(), testEvents(0, 3))
	var appErr thrift.TApplicationException
	if !errors.As(err, &appErr) || appErr.TypeId() != thrift.INTERNAL_ERROR || appErr.Error() != "Internal error processing appendBatch" {
		t.Fatalf("err = %v, want Java's INTERNAL_ERROR exception", err)
	}
	if s.counter.GenericProcessingFail.Load() != 1 || ch.Len() != 0 {
		t.Fatalf("GenericProcessingFail %d, channel %d", s.counter.GenericProcessingFail.Load(), ch.Len())
	}
}

func TestFullChannelAnswersFailed(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10, 10, 20*time.Millisecond)
	s := startSource(t, map[string]string{"protocol": "binary"}, flumetest.Processor(ch))
	c := dialSource(t, s, thriftrpc.Binary)
	ctx := t.Context()
	if st, err := c.AppendBatch(ctx, testEvents(0, 10)); err != nil || st != thriftrpc.OK {
		t.Fatalf("first batch: %v %v", st, err)
	}
	if st, err := c.AppendBatch(ctx, testEvents(10, 15)); err != nil || st != thriftrpc.Failed {
		t.Fatalf("batch into a full channel: %v %v", st, err)
	}
	if s.counter.ChannelWriteFail.Load() != 1 {
		t.Fatalf("ChannelWriteFail = %d", s.counter.ChannelWriteFail.Load())
	}
	got := flumetest.TakeAll(t, ch)
	if st, err := c.AppendBatch(ctx, testEvents(10, 15)); err != nil || st != thriftrpc.OK {
		t.Fatalf("retry after draining: %v %v", st, err)
	}
	flumetest.SameEvents(t, append(got, flumetest.TakeAll(t, ch)...), testEvents(0, 15))
}

func TestStartFailsOnBusyPortAndStopIsIdempotent(t *testing.T) {
	ch := flumetest.MemoryChannel(t, 10, 10, time.Second)
	s := startSource(t, nil, flumetest.Processor(ch))
	_, port, _ := strings.Cut(s.Addr().String(), ":")
	src, err := Factory(flume.Settings{Name: "r2"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": port}), flumetest.Processor(ch))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Start(context.Background()); err == nil {
		t.Fatal("second source bound a busy port")
	}
	if err := src.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	never, _ := Factory(flume.Settings{Name: "r3"}, flume.ContextFromMap(map[string]string{"bind": "127.0.0.1", "port": "0"}), flumetest.Processor(ch))
	if err := never.Stop(context.Background()); err != nil {
		t.Fatalf("stop without start: %v", err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTLSKeystores(t *testing.T) {
	files := tlstest.Generate(t)
	stores := map[string]map[string]string{
		"JKS":    {"keystore": files.KeystoreJKS, "keystore-password": tlstest.Password, "keystore-type": "JKS"},
		"PKCS12": {"keystore": files.KeystoreP12, "keystore-password": tlstest.Password, "keystore-type": "PKCS12"},
		"PEM":    {"keystore": files.ServerPEM, "keystore-type": "PEM"},
	}
	for name, props := range stores {
		t.Run(name, func(t *testing.T) {
			props["ssl"] = "true"
			props["exclude-protocols"] = "SSLv3 TLSv1"
			ch := flumetest.MemoryChannel(t, 100, 100, 50*time.Millisecond)
			s := startSource(t, props, flumetest.Processor(ch))
			ccfg := flume.ContextFromMap(map[string]string{"ssl": "true", "truststore": files.TruststoreJKS, "truststore-password": tlstest.Password})
			cc := rpc.ParseThriftClient(ccfg)
			if err := ccfg.Err(); err != nil {
				t.Fatal(err)
			}
			c, err := thriftrpc.Dial(t.Context(), s.Addr().String(), cc)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if st, err := c.AppendBatch(t.Context(), testEvents(0, 5)); err != nil || st != thriftrpc.OK {
				t.Fatalf("appendBatch over TLS: %v %v", st, err)
			}
			flumetest.SameEvents(t, flumetest.TakeAll(t, ch), testEvents(0, 5))

			// A plain client on the TLS port loses only its connection.
			plain := dialSource(t, s, thriftrpc.Compact)
			if _, err := plain.Append(t.Context(), testEvents(0, 1)[0]); err == nil {
				t.Fatal("plain client was answered by a TLS source")
			}
		})
	}
}

// countingProcessor records how many Process calls run at once.
type countingProcessor struct {
	flume.ChannelProcessor
	cur, peak atomic.Int64
}

func (p *countingProcessor) Process(ctx context.Context, evs []flume.Event) error {
	n := p.cur.Add(1)
	defer p.cur.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return p.ChannelProcessor.Process(ctx, evs)
}

// 200 concurrent client connections (the typical threads = 200 setup, and
// fewer workers to show the bound) each send batches while a sink drains
// the channel: every event arrives exactly once, and no more calls than
// threads are ever processed at once, which bounds the decoded events held
// in memory to threads × batch.
func TestManyConcurrentConnections(t *testing.T) {
	for _, threads := range []int{200, 16} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) { testManyConnections(t, threads) })
	}
}

func testManyConnections(t *testing.T, threads int) {
	const conns, batches, batchSize = 200, 3, 50
	ch := flumetest.MemoryChannel(t, 2000, batchSize, 200*time.Millisecond)
	cp := &countingProcessor{ChannelProcessor: flumetest.Processor(ch)}
	s := startSource(t, map[string]string{"threads": strconv.Itoa(threads)}, cp)

	seen := make([]atomic.Int32, conns*batches*batchSize)
	stopDrain := make(chan struct{})
	drained := make(chan int)
	go func() {
		n := 0
		for {
			var got []flume.Event
			_ = flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
				var err error
				got, err = tx.Take(context.Background(), batchSize)
				return err
			})
			for _, e := range got {
				i, _ := strconv.Atoi(flumetest.Headers(e)["seq"])
				seen[i].Add(1)
			}
			n += len(got)
			if len(got) == 0 {
				select {
				case <-stopDrain:
					drained <- n
					return
				default:
				}
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := thriftrpc.ClientConfig{}
			c, err := thriftrpc.Dial(context.Background(), s.Addr().String(), cfg)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for b := range batches {
				from := (i*batches + b) * batchSize
				for {
					st, err := c.AppendBatch(context.Background(), testEvents(from, from+batchSize))
					if err != nil {
						errs <- err
						return
					}
					if st == thriftrpc.OK {
						break
					}
					// FAILED: the channel is momentarily full; retry as
					// Flume's clients do.
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	close(stopDrain)
	if n := <-drained; n != len(seen) {
		t.Fatalf("drained %d events, want %d", n, len(seen))
	}
	for i := range seen {
		if n := seen[i].Load(); n != 1 {
			t.Fatalf("event %d arrived %d times", i, n)
		}
	}
	if p := cp.peak.Load(); p > int64(threads) {
		t.Fatalf("%d calls processed at once with threads = %d", p, threads)
	}
	t.Logf("peak concurrent calls %d (threads %d), FAILED answers %d", cp.peak.Load(), threads, s.counter.ChannelWriteFail.Load())
}
