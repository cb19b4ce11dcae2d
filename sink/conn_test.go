package sink

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flumego/flume"
)

// pipeEnd is a connection whose Close may fail.
type pipeEnd struct {
	id       int
	closeErr error
	closed   bool
}

func (p *pipeEnd) Close() error { p.closed = true; return p.closeErr }

func TestConnLifecycle(t *testing.T) {
	ctx := context.Background()
	var c flume.SinkCounter
	now := time.Unix(1000, 0)
	var dialed []*pipeEnd
	dialErr := error(nil)
	k := Conn[*pipeEnd]{
		Dial: func(context.Context) (*pipeEnd, error) {
			if dialErr != nil {
				return nil, dialErr
			}
			p := &pipeEnd{id: len(dialed)}
			dialed = append(dialed, p)
			return p, nil
		},
		ResetInterval: 30 * time.Second,
		Counter:       &c,
		Now:           func() time.Time { return now },
	}
	use := func(fail error) (int, error) {
		id := -1
		err := k.Do(ctx, func(p *pipeEnd) error { id = p.id; return fail })
		return id, err
	}
	counts := func() [3]int64 {
		return [3]int64{c.ConnectionCreatedCount.Load(), c.ConnectionClosedCount.Load(), c.ConnectionFailedCount.Load()}
	}
	if id, err := use(nil); id != 0 || err != nil || counts() != [3]int64{1, 0, 0} {
		t.Fatalf("first use: conn %d, %v, counts %v", id, err, counts())
	}
	now = now.Add(29 * time.Second)
	if id, _ := use(nil); id != 0 {
		t.Fatalf("reconnected before the interval: conn %d", id)
	}
	now = now.Add(time.Second)
	if id, _ := use(nil); id != 1 || !dialed[0].closed || counts() != [3]int64{2, 1, 0} {
		t.Fatalf("after the interval: conn %d, counts %v", id, counts())
	}
	boom := errors.New("call failed")
	if _, err := use(boom); !errors.Is(err, boom) || !dialed[1].closed || counts() != [3]int64{2, 2, 0} {
		t.Fatalf("failed call: %v, counts %v", err, counts())
	}
	dialErr = errors.New("connection refused")
	if _, err := use(nil); !errors.Is(err, dialErr) || counts() != [3]int64{2, 2, 1} {
		t.Fatalf("failed dial: %v, counts %v", err, counts())
	}
	dialErr = nil
	if id, _ := use(nil); id != 2 {
		t.Fatalf("after a failed dial: conn %d", id)
	}
	dialed[2].closeErr = errors.New("reset by peer")
	k.Close()
	k.Close() // idempotent
	if !dialed[2].closed || counts() != [3]int64{3, 2, 2} {
		t.Fatalf("Close: counts %v", counts())
	}
}

func TestParseResetInterval(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  time.Duration
		warn  string
	}{
		{map[string]string{}, 0, ""},
		{map[string]string{"reset-connection-interval": "30"}, 30 * time.Second, ""},
		{map[string]string{"reset-connection-interval": "-5"}, 0, "at least 0"},
		{map[string]string{"reset-connection-interval": "soon"}, 0, "using the default 0"},
		{map[string]string{"connection-reset-interval": "40"}, 40 * time.Second, "user guide"},
		{map[string]string{"connection-reset-interval": "40", "reset-connection-interval": "30"}, 30 * time.Second, "precedence"},
	} {
		cfg := flume.ContextFromMap(tc.props)
		if got := ParseResetInterval(cfg); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.props, got, tc.want)
		}
		if err := cfg.Err(); err != nil {
			t.Errorf("%v: error %v; Flume only ignores such values", tc.props, err)
		}
		if ps := cfg.Problems(); (tc.warn == "") != (len(ps) == 0) || (tc.warn != "" && !strings.Contains(ps.Error(), tc.warn)) {
			t.Errorf("%v: problems %v, want a warning about %q", tc.props, ps, tc.warn)
		}
		if u := cfg.Unused(); len(u) > 0 {
			t.Errorf("%v: unused %v", tc.props, u)
		}
	}
}
