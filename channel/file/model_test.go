package file

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
)

const modelSeedEnv = "FLUMEGO_FILECHANNEL_MODEL_SEED"

// TestModel drives the channel with random puts, takes, commits,
// rollbacks, checkpoints, clean restarts and simulated crashes, and checks
// every result against an in-memory reference queue.
func TestModel(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv(modelSeedEnv); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set %s to repeat)", seed, modelSeedEnv)
	rng := rand.New(rand.NewPCG(seed, 1))
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	cfg := testConfig(t, 60, 8)
	cfg.KeepAlive = 0
	cfg.MaxFileSize = 2 << 10
	c := openChannel(t, cfg)
	ctx := context.Background()

	type mtx struct {
		tx        flume.Transaction
		puts      []int
		takes     []int
		firstTake int
	}
	var (
		queue     []int // the reference queue
		open      []*mtx
		next      int // next sequence number to put
		takeOrder int
	)
	reserved := func() int {
		n := 0
		for _, m := range open {
			n += len(m.puts) + len(m.takes)
		}
		return n
	}
	// restart reopens the channel; crash tells whether it was killed.
	restart := func(crash bool) {
		if crash {
			c.crash()
		} else if err := c.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		takers := slices.DeleteFunc(slices.Clone(open), func(m *mtx) bool { return len(m.takes) == 0 })
		slices.SortFunc(takers, func(a, b *mtx) int { return a.firstTake - b.firstTake })
		var head []int
		for _, m := range takers {
			head = append(head, m.takes...)
		}
		queue = append(head, queue...)
		open = nil
		c = openChannel(t, cfg)
		got := peek(t, c)
		if crash {
			// After a crash, events taken but not committed come back, and
			// the order of events reordered by rollbacks since the last
			// checkpoint is the log's; compare contents, then adopt.
			a, b := slices.Clone(got), slices.Clone(queue)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Fatalf("after a crash the channel holds %v, want %v", got, queue)
			}
			queue = got
		} else if !slices.Equal(got, queue) {
			t.Fatalf("after a restart the channel holds %v, want %v", got, queue)
		}
	}
	for step := range steps {
		var m *mtx
		if len(open) > 0 {
			m = open[rng.IntN(len(open))]
		}
		switch op := rng.IntN(100); {
		case op < 15 || m == nil:
			if len(open) < 4 {
				tx, err := c.Begin()
				if err != nil {
					t.Fatal(err)
				}
				open = append(open, &mtx{tx: tx})
			}
		case op < 40:
			n := 1 + rng.IntN(5)
			err := m.tx.Put(ctx, channeltest.Events(next, next+n)...)
			switch {
			case len(m.takes) > 0:
				if !errors.Is(err, errMixed) {
					t.Fatalf("step %d: put in a taking transaction: %v", step, err)
				}
			case len(m.puts)+n > cfg.TransactionCapacity:
				if !errors.Is(err, flume.ErrTxFull) {
					t.Fatalf("step %d: put beyond transactionCapacity: %v", step, err)
				}
			case len(queue)+reserved()+n > cfg.Capacity:
				if !errors.Is(err, flume.ErrChannelFull) {
					t.Fatalf("step %d: put beyond capacity: %v", step, err)
				}
			default:
				if err != nil {
					t.Fatalf("step %d: put: %v", step, err)
				}
				m.puts = append(m.puts, span(next, next+n)...)
			}
			next += n
		case op < 65:
			n := 1 + rng.IntN(5)
			evs, err := m.tx.Take(ctx, n)
			switch {
			case len(m.puts) > 0:
				if !errors.Is(err, errMixed) {
					t.Fatalf("step %d: take in a putting transaction: %v", step, err)
				}
			case len(m.takes) >= cfg.TransactionCapacity:
				if !errors.Is(err, flume.ErrTxFull) {
					t.Fatalf("step %d: take beyond transactionCapacity: %v", step, err)
				}
			default:
				if err != nil {
					t.Fatalf("step %d: take: %v", step, err)
				}
				k := min(n, cfg.TransactionCapacity-len(m.takes), len(queue))
				got := make([]int, len(evs))
				for i, e := range evs {
					got[i] = channeltest.Seq(e)
				}
				if !slices.Equal(got, queue[:k]) {
					t.Fatalf("step %d: took %v, want %v", step, got, queue[:k])
				}
				if k > 0 && len(m.takes) == 0 {
					takeOrder++
					m.firstTake = takeOrder
				}
				m.takes = append(m.takes, queue[:k]...)
				queue = slices.Clone(queue[k:])
			}
		case op < 80:
			if err := m.tx.Commit(ctx); err != nil {
				t.Fatalf("step %d: commit: %v", step, err)
			}
			queue = append(queue, m.puts...)
			open = slices.DeleteFunc(open, func(o *mtx) bool { return o == m })
		case op < 92:
			if err := m.tx.Rollback(); err != nil {
				t.Fatalf("step %d: rollback: %v", step, err)
			}
			queue = append(slices.Clone(m.takes), queue...)
			open = slices.DeleteFunc(open, func(o *mtx) bool { return o == m })
		case op < 95:
			if err := c.checkpoint(); err != nil {
				t.Fatal(err)
			}
		case op < 98:
			restart(false)
		default:
			restart(true)
		}
		if c.Len() != len(queue) {
			t.Fatalf("step %d: Len = %d, want %d", step, c.Len(), len(queue))
		}
	}
	for _, m := range open {
		_ = m.tx.Rollback()
	}
}

// peek returns the sequence numbers of the queued events, in order,
// without taking them.
func peek(t *testing.T, c *Channel) []int {
	t.Helper()
	c.mu.Lock()
	ps := c.q.Snapshot(nil)
	c.mu.Unlock()
	evs, bad, errs := c.logs.readEvents(ps, nil)
	if len(bad) > 0 {
		t.Fatalf("queued events do not read back: %v", errs[0])
	}
	out := make([]int, len(evs))
	for i, e := range evs {
		out[i] = channeltest.Seq(e)
	}
	return out
}
