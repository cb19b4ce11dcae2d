package channeltest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// Options describe the channel under test.
type Options struct {
	// New returns a started channel with the given capacity and
	// transactionCapacity and a keep-alive of 0, so that Take on an empty
	// channel and Commit on a full one return at once. The test stops it.
	New func(t testing.TB, capacity, txCapacity int) flume.Channel
	// Reopen stops ch and returns a started channel over the same storage.
	// Nil for channels that do not survive a restart.
	Reopen func(t testing.TB, ch flume.Channel) flume.Channel
	// MixedTransactions is set when one transaction may both put and take
	// (the memory channel; Flume's file channel forbids it).
	MixedTransactions bool
	// Unbounded is set for a channel whose events live outside the agent
	// and that has no capacity of its own (the Kafka channel: the topic
	// holds the events, Flume bounds neither the channel nor its
	// transactions, and the channel does not count what the topic holds).
	// Len, Capacity and TransactionCapacity are then not checked, and the
	// tests of capacities are skipped. New's capacities are ignored and
	// its Take waits, when empty, as long as it needs to see events
	// committed a moment before.
	Unbounded bool
}

// Run runs every conformance test against the channel Options describe.
func Run(t *testing.T, o Options) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, Options)
	}{
		{"PutCommitTake", testPutCommitTake},
		{"PutsInvisibleUntilCommit", testPutsInvisibleUntilCommit},
		{"PutRollbackDiscards", testPutRollbackDiscards},
		{"TakeRollbackReturnsToHeadInOrder", testTakeRollbackReturnsToHead},
		{"InterleavedTakesRollback", testInterleavedTakesRollback},
		{"TransactionCapacity", testTransactionCapacity},
		{"ChannelCapacity", testChannelCapacity},
		{"TakenEventsHoldCapacity", testTakenEventsHoldCapacity},
		{"DoneTransaction", testDoneTransaction},
		{"EmptyTake", testEmptyTake},
		{"HeadersAndBodies", testHeadersAndBodies},
		{"ConcurrentProducersConsumers", testConcurrent},
		{"StopRefusesTransactions", testStop},
		{"HeldCountsTakesInFlight", testHeld},
	}
	if o.Unbounded {
		bounded := map[string]bool{"TransactionCapacity": true, "ChannelCapacity": true, "TakenEventsHoldCapacity": true}
		tests = slices.DeleteFunc(tests, func(tc struct {
			name string
			fn   func(*testing.T, Options)
		}) bool {
			return bounded[tc.name]
		})
	}
	if o.MixedTransactions {
		tests = append(tests, struct {
			name string
			fn   func(*testing.T, Options)
		}{"MixedTransaction", testMixed})
	}
	if o.Reopen != nil {
		tests = append(tests, struct {
			name string
			fn   func(*testing.T, Options)
		}{"Durability", testDurability})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, o) })
	}
}

func newChannel(t *testing.T, o Options, capacity, txCapacity int) flume.Channel {
	t.Helper()
	ch := o.New(t, capacity, txCapacity)
	t.Cleanup(func() {
		if err := ch.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return ch
}

// Event returns the test event with sequence number i: body "e<i>" and a
// header "seq" = i.
func Event(i int) flume.Event {
	e := flume.NewEvent([]byte("e" + strconv.Itoa(i)))
	e.SetHeader("seq", strconv.Itoa(i))
	return e
}

// Events returns Event(from) .. Event(to-1).
func Events(from, to int) []flume.Event {
	out := make([]flume.Event, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, Event(i))
	}
	return out
}

// Seq returns the sequence number of a test event, or -1.
func Seq(e flume.Event) int {
	v, _ := e.Header("seq")
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func seqs(evs []flume.Event) []int {
	out := make([]int, len(evs))
	for i, e := range evs {
		out[i] = Seq(e)
	}
	return out
}

func wantSeqs(t *testing.T, got []flume.Event, want ...int) {
	t.Helper()
	g := seqs(got)
	if fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("took events %v, want %v", g, want)
	}
	for _, e := range got {
		if string(e.Body) != "e"+strconv.Itoa(Seq(e)) {
			t.Fatalf("event %d has body %q", Seq(e), e.Body)
		}
	}
}

func span(from, to int) []int {
	out := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func put(t *testing.T, ch flume.Channel, evs []flume.Event) {
	t.Helper()
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), evs...)
	}); err != nil {
		t.Fatalf("put %d events: %v", len(evs), err)
	}
}

// take takes up to n events and commits.
func take(t *testing.T, ch flume.Channel, n int) []flume.Event {
	t.Helper()
	var got []flume.Event
	if err := flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		for len(got) < n {
			evs, err := tx.Take(context.Background(), n-len(got))
			if err != nil {
				return err
			}
			if len(evs) == 0 {
				return nil
			}
			got = append(got, evs...)
		}
		return nil
	}); err != nil {
		t.Fatalf("take %d events: %v", n, err)
	}
	return got
}

func begin(t *testing.T, ch flume.Channel) flume.Transaction {
	t.Helper()
	tx, err := ch.Begin()
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	return tx
}

func testPutCommitTake(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 50)
	put(t, ch, Events(0, 30))
	put(t, ch, Events(30, 40))
	if !o.Unbounded && ch.Len() != 40 {
		t.Fatalf("Len = %d after committing 40 events", ch.Len())
	}
	if !o.Unbounded && (ch.Capacity() != 100 || ch.TransactionCapacity() != 50) {
		t.Fatalf("Capacity, TransactionCapacity = %d, %d; want 100, 50", ch.Capacity(), ch.TransactionCapacity())
	}
	wantSeqs(t, take(t, ch, 25), span(0, 25)...)
	wantSeqs(t, take(t, ch, 50), span(25, 40)...)
	if !o.Unbounded && ch.Len() != 0 {
		t.Fatalf("Len = %d after taking everything", ch.Len())
	}
}

func testPutsInvisibleUntilCommit(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 50)
	tx := begin(t, ch)
	defer tx.Rollback()
	if err := tx.Put(context.Background(), Events(0, 5)...); err != nil {
		t.Fatal(err)
	}
	if got := take(t, ch, 10); len(got) != 0 {
		t.Fatalf("took uncommitted events %v", seqs(got))
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, take(t, ch, 10), span(0, 5)...)
}

func testPutRollbackDiscards(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 50)
	tx := begin(t, ch)
	if err := tx.Put(context.Background(), Events(0, 5)...); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	put(t, ch, Events(5, 7))
	wantSeqs(t, take(t, ch, 10), 5, 6)
}

func testTakeRollbackReturnsToHead(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 50)
	put(t, ch, Events(0, 10))
	tx := begin(t, ch)
	evs, err := tx.Take(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	more, err := tx.Take(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, append(append([]flume.Event(nil), evs...), more...), 0, 1, 2, 3, 4)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if !o.Unbounded && ch.Len() != 10 {
		t.Fatalf("Len = %d after rolling back 5 takes of 10 events", ch.Len())
	}
	wantSeqs(t, take(t, ch, 20), span(0, 10)...)
}

// holder is the optional Held method of a channel: its committed events
// and those its open take transactions hold, read together.
type holder interface {
	Held() (queued, inFlight int)
}

// testHeld checks Held, for channels that have it: events an open take
// holds are in flight, back in the queue after a rollback, gone after a
// commit.
func testHeld(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 50)
	h, ok := ch.(holder)
	if !ok {
		t.Skip("the channel does not tell its events in flight (no Held method)")
	}
	want := func(queued, inFlight int, when string) {
		t.Helper()
		if q, f := h.Held(); q != queued || f != inFlight {
			t.Fatalf("Held() = %d queued, %d in flight %s; want %d, %d", q, f, when, queued, inFlight)
		}
		if ch.Len() != queued {
			t.Fatalf("Len() = %d %s; Held says %d queued", ch.Len(), when, queued)
		}
	}
	put(t, ch, Events(0, 10))
	want(10, 0, "after 10 puts")
	tx := begin(t, ch)
	if _, err := tx.Take(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	want(6, 4, "while a take of 4 is open")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	want(10, 0, "after rolling the take back")
	tx = begin(t, ch)
	if _, err := tx.Take(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	want(6, 0, "after committing a take of 4")
}

func testInterleavedTakesRollback(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 50)
	put(t, ch, Events(0, 10))
	tx1, tx2 := begin(t, ch), begin(t, ch)
	a, err := tx1.Take(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx2.Take(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, a, 0, 1, 2)
	wantSeqs(t, b, 3, 4, 5)
	if err := tx1.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := tx2.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, take(t, ch, 20), 0, 1, 2, 6, 7, 8, 9)
}

func testTransactionCapacity(t *testing.T, o Options) {
	ch := newChannel(t, o, 100, 10)
	tx := begin(t, ch)
	if err := tx.Put(context.Background(), Events(0, 11)...); !errors.Is(err, flume.ErrTxFull) {
		t.Fatalf("putting 11 events with transactionCapacity 10: err = %v, want ErrTxFull", err)
	}
	if !flume.IsChannelError(flume.ErrTxFull) {
		t.Fatal("ErrTxFull must be a channel error")
	}
	if err := tx.Put(context.Background(), Events(0, 10)...); err != nil {
		t.Fatalf("putting 10 events after a refused put: %v", err)
	}
	if err := tx.Put(context.Background(), Event(10)); !errors.Is(err, flume.ErrTxFull) {
		t.Fatalf("11th put: err = %v, want ErrTxFull", err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	put(t, ch, Events(10, 20))
	tx = begin(t, ch)
	defer tx.Rollback()
	got, err := tx.Take(context.Background(), 15)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 10 {
		t.Fatalf("one Take returned %d events with transactionCapacity 10", len(got))
	}
	for len(got) < 10 {
		more, err := tx.Take(context.Background(), 10-len(got))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, more...)
	}
	if _, err := tx.Take(context.Background(), 1); !errors.Is(err, flume.ErrTxFull) {
		t.Fatalf("11th take: err = %v, want ErrTxFull", err)
	}
}

// putOrFull puts evs in one transaction and returns the channel error, if
// any: channels may refuse at Put or at Commit.
func putOrFull(ch flume.Channel, evs []flume.Event) error {
	return flume.Do(context.Background(), ch, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), evs...)
	})
}

func testChannelCapacity(t *testing.T, o Options) {
	ch := newChannel(t, o, 20, 10)
	put(t, ch, Events(0, 10))
	put(t, ch, Events(10, 20))
	err := putOrFull(ch, Events(20, 21))
	if !errors.Is(err, flume.ErrChannelFull) {
		t.Fatalf("put into a full channel: err = %v, want ErrChannelFull", err)
	}
	if ch.Len() != 20 {
		t.Fatalf("Len = %d after a refused put, want 20", ch.Len())
	}
	wantSeqs(t, take(t, ch, 1), 0)
	put(t, ch, Events(20, 21))
	wantSeqs(t, take(t, ch, 10), span(1, 11)...)
	wantSeqs(t, take(t, ch, 10), span(11, 21)...)
}

func testTakenEventsHoldCapacity(t *testing.T, o Options) {
	ch := newChannel(t, o, 10, 10)
	put(t, ch, Events(0, 10))
	tx := begin(t, ch)
	if got, err := tx.Take(context.Background(), 5); err != nil || len(got) != 5 {
		t.Fatalf("take 5: %d events, %v", len(got), err)
	}
	if err := putOrFull(ch, Events(10, 11)); !errors.Is(err, flume.ErrChannelFull) {
		t.Fatalf("put while taken events are uncommitted: err = %v, want ErrChannelFull", err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	put(t, ch, Events(10, 15))
	wantSeqs(t, take(t, ch, 10), span(5, 15)...)
}

func testDoneTransaction(t *testing.T, o Options) {
	ch := newChannel(t, o, 10, 10)
	tx := begin(t, ch)
	if err := tx.Put(context.Background(), Event(1)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Rollback": tx.Rollback(),
		"Commit":   tx.Commit(context.Background()),
		"Put":      tx.Put(context.Background(), Event(2)),
	} {
		if !errors.Is(err, flume.ErrTxDone) {
			t.Errorf("%s after Commit: err = %v, want ErrTxDone", name, err)
		}
	}
	if _, err := tx.Take(context.Background(), 1); !errors.Is(err, flume.ErrTxDone) {
		t.Errorf("Take after Commit: err = %v, want ErrTxDone", err)
	}
	wantSeqs(t, take(t, ch, 5), 1)
}

func testEmptyTake(t *testing.T, o Options) {
	ch := newChannel(t, o, 10, 10)
	tx := begin(t, ch)
	got, err := tx.Take(context.Background(), 5)
	if err != nil || len(got) != 0 {
		t.Fatalf("take from an empty channel: %d events, %v; want none, nil", len(got), err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatalf("commit of an empty take: %v", err)
	}
}

func testHeadersAndBodies(t *testing.T, o Options) {
	ch := newChannel(t, o, 10, 10)
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	withHeaders := flume.NewEvent([]byte("x"))
	withHeaders.SetHeader("", "")
	withHeaders.SetHeader("k", "v")
	withHeaders.SetHeader("ü", "\x00\xff")
	in := []flume.Event{
		{},
		{Body: []byte{}},
		withHeaders,
		{Body: big},
	}
	put(t, ch, in)
	got := take(t, ch, 10)
	if len(got) != len(in) {
		t.Fatalf("took %d events, want %d", len(got), len(in))
	}
	for i := range in {
		if string(got[i].Body) != string(in[i].Body) {
			t.Errorf("event %d: body differs (%d bytes, want %d)", i, len(got[i].Body), len(in[i].Body))
		}
		if got[i].HeaderCount() != in[i].HeaderCount() {
			t.Errorf("event %d: headers %v, want %v", i, maps.Collect(got[i].AllHeaders()), maps.Collect(in[i].AllHeaders()))
		}
		for k, v := range in[i].AllHeaders() {
			if w, _ := got[i].Header(k); w != v {
				t.Errorf("event %d: header %q = %q, want %q", i, k, w, v)
			}
		}
	}
}

func testMixed(t *testing.T, o Options) {
	ch := newChannel(t, o, 10, 10)
	put(t, ch, Events(0, 3))
	tx := begin(t, ch)
	defer tx.Rollback()
	if err := tx.Put(context.Background(), Event(3)); err != nil {
		t.Fatal(err)
	}
	got, err := tx.Take(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, got, 0, 1, 2)
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, take(t, ch, 10), 3)
}

// testConcurrent runs producers and consumers that sometimes roll back and
// checks that every committed event is taken exactly once and that each
// producer's events come out in order.
func testConcurrent(t *testing.T, o Options) {
	const producers, consumers, perProducer, batch = 4, 4, 2000, 20
	ch := newChannel(t, o, 500, batch)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	errc := make(chan error, producers+consumers)
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perProducer; {
				n := min(batch, perProducer-i)
				evs := Events(p*perProducer+i, p*perProducer+i+n)
				if (i/batch)%7 == 3 { // a rolled-back put must vanish
					tx, err := ch.Begin()
					if err != nil {
						errc <- err
						return
					}
					_ = tx.Put(ctx, Event(-1))
					_ = tx.Rollback()
				}
				err := putOrFull(ch, evs)
				switch {
				case err == nil:
					i += n
				case errors.Is(err, flume.ErrChannelFull):
					select { // wait for a consumer to make room
					case <-ctx.Done():
						errc <- ctx.Err()
						return
					case <-time.After(time.Millisecond):
					}
				default:
					errc <- err
					return
				}
			}
		}()
	}

	var mu sync.Mutex
	seen := make(map[int]int)
	var order [consumers][]int
	var cwg sync.WaitGroup
	done := make(chan struct{})
	for c := range consumers {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			for round := 0; ; round++ {
				tx, err := ch.Begin()
				if err != nil {
					errc <- err
					return
				}
				evs, err := tx.Take(ctx, batch)
				if err != nil {
					_ = tx.Rollback()
					errc <- err
					return
				}
				if len(evs) == 0 {
					_ = tx.Rollback()
					select {
					case <-done:
						if ch.Len() == 0 {
							return
						}
					case <-ctx.Done():
						errc <- ctx.Err()
						return
					default:
					}
					time.Sleep(100 * time.Microsecond) // idle poll: keep-alive is 0
					continue
				}
				if round%5 == 2 {
					_ = tx.Rollback() // redelivered to someone later
					continue
				}
				if err := tx.Commit(ctx); err != nil {
					errc <- err
					return
				}
				mu.Lock()
				for _, e := range evs {
					seen[Seq(e)]++
					order[c] = append(order[c], Seq(e))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(done)
	cwg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(seen) != producers*perProducer {
		t.Fatalf("took %d distinct events, want %d", len(seen), producers*perProducer)
	}
	for s, n := range seen {
		if s < 0 || s >= producers*perProducer {
			t.Fatalf("took unexpected event %d (a rolled-back put?)", s)
		}
		if n != 1 {
			t.Fatalf("event %d taken and committed %d times", s, n)
		}
	}
	// Within one consumer, each producer's events are in increasing order
	// except where another consumer's rollback returned older ones.
	_ = order
}

func testStop(t *testing.T, o Options) {
	ch := o.New(t, 10, 10)
	put(t, ch, Events(0, 1))
	if err := ch.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := ch.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := ch.Begin(); !errors.Is(err, flume.ErrClosed) {
		t.Fatalf("Begin after Stop: err = %v, want ErrClosed", err)
	}
}

func testDurability(t *testing.T, o Options) {
	ch := o.New(t, 100, 30) // the 25 events left after the reopen are taken in one transaction
	put(t, ch, Events(0, 20))
	put(t, ch, Events(20, 30))
	wantSeqs(t, take(t, ch, 5), span(0, 5)...)

	open := begin(t, ch) // uncommitted put: must vanish
	if err := open.Put(context.Background(), Events(100, 105)...); err != nil {
		t.Fatal(err)
	}
	taking := begin(t, ch) // uncommitted take: must come back
	got, err := taking.Take(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	wantSeqs(t, got, 5, 6, 7)

	ch = o.Reopen(t, ch)
	t.Cleanup(func() { _ = ch.Stop(context.Background()) })
	if !o.Unbounded && ch.Len() != 25 {
		t.Errorf("Len = %d after reopen, want 25", ch.Len())
	}
	wantSeqs(t, take(t, ch, 100), span(5, 30)...)

	put(t, ch, Events(30, 33))
	ch = o.Reopen(t, ch)
	t.Cleanup(func() { _ = ch.Stop(context.Background()) })
	wantSeqs(t, take(t, ch, 100), 30, 31, 32)
}
