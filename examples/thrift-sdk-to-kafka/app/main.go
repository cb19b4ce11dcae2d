package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/conf"
	"github.com/flumego/flume/embedded"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var files, sysProps list
	flag.Var(&files, "f", "embedded agent properties file (repeatable; later files override earlier keys; ${env:X} is substituted)")
	flag.Var(&sysProps, "D", "system property key=value (repeatable): flume.monitoring.type, .port and .bind serve the agent's counters as flume-ng does")
	from := flag.Int64("from", 1, "number of the first event")
	to := flag.Int64("to", 0, "number of the last event (0: until SIGINT or SIGTERM)")
	rate := flag.Int("rate", 0, "events per second (0: as fast as the channel takes them)")
	batch := flag.Int("batch", 100, "events per Put")
	state := flag.String("state", "coin_log", `value of the "State" header`)
	run := flag.String("run", "", `run id written into every event's body (to tell runs apart in a shared topic)`)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(files) == 0 {
		log.Error("no embedded agent properties: pass -f app.properties")
		os.Exit(2)
	}
	sys := map[string]string{}
	for _, kv := range sysProps {
		k, v, _ := strings.Cut(kv, "=")
		sys[k] = v
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := send(ctx, log, files, sys, params{from: *from, to: *to, rate: *rate, batch: *batch, state: *state, run: *run}); err != nil {
		log.Error("stopped", "error", err)
		os.Exit(1)
	}
}

type params struct {
	from, to    int64
	rate, batch int
	state, run  string
}

// coinEvent is the body of one event.
type coinEvent struct {
	Run    string `json:"run,omitempty"`
	Seq    int64  `json:"seq"`
	UID    int64  `json:"uid"`
	Coins  int64  `json:"coins"`
	Reason string `json:"reason"`
	TS     int64  `json:"ts"`
}

var reasons = []string{"daily_bonus", "shop", "quest", "gift", "refund"}

func event(seq int64, state, run string) flume.Event {
	body, _ := json.Marshal(coinEvent{Run: run, Seq: seq, UID: 10000 + seq%997, Coins: seq%41 - 20,
		Reason: reasons[seq%int64(len(reasons))], TS: time.Now().UnixMilli()})
	e := flume.NewEvent(body)
	e.SetHeader("State", state) // the ingest agents' multiplexing selector routes on it
	return e
}

// send runs the embedded agent the files configure and puts the events
// p.from..p.to into it (or until ctx ends), then lets it deliver them and
// closes it.
func send(ctx context.Context, log *slog.Logger, files []string, sys map[string]string, p params) error {
	props, err := conf.LoadFiles(files...)
	if err != nil {
		return err
	}
	agent, err := embedded.New(ctx, embedded.Config{Name: "coin-service", Properties: props, Logger: log, SystemProperties: sys})
	if err != nil {
		return err
	}
	c := agent.Counters()
	log.Info("embedded agent started", "replayed", c.Pending, "capacity", c.Capacity, "from", p.from, "to", p.to, "rate", p.rate, "batch", p.batch)

	acked := p.from - 1 // every event up to acked is committed
	start := time.Now()
	progress := time.NewTicker(time.Second)
	defer progress.Stop()
	for (p.to == 0 || acked < p.to) && ctx.Err() == nil {
		sent := acked - p.from + 1
		if p.rate > 0 { // pace: the next Put may start once the previous events are due
			due := start.Add(time.Duration(float64(sent) / float64(p.rate) * float64(time.Second)))
			select {
			case <-ctx.Done():
				continue
			case <-time.After(time.Until(due)):
			}
		}
		size := int64(p.batch)
		if p.to > 0 {
			size = min(size, p.to-acked)
		}
		events := make([]flume.Event, size)
		for i := range events {
			events[i] = event(acked+int64(i)+1, p.state, p.run)
		}
		// Put returns once the events are fsynced in the file channel, or
		// pushes back while the channel is full; a stop signal ends the
		// wait, and then the events are not committed.
		if err := agent.Put(ctx, events...); err != nil {
			if ctx.Err() != nil {
				log.Warn("stopped while the channel was full; these events were not committed", "first", acked+1, "last", acked+size, "error", err)
				break
			}
			_ = agent.Close(context.Background())
			return fmt.Errorf("events %d-%d: %w", acked+1, acked+size, err)
		}
		// The record of what is acknowledged, for whoever checks delivery:
		// written after Put returned, so every number in it is durable.
		fmt.Printf("acked %d %d\n", acked+1, acked+size)
		acked += size
		select {
		case <-progress.C:
			c := agent.Counters()
			log.Info("progress", "acked", acked, "in_channel", c.Pending, "delivered", c.Delivered)
		default:
		}
	}
	if p.to > 0 && acked == p.to {
		log.Info("every event is in the channel; waiting for the collectors to take them")
		tick := time.NewTicker(100 * time.Millisecond)
		for agent.Counters().Pending > 0 && ctx.Err() == nil {
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
		}
		tick.Stop()
	}
	// Close drains what the channel still holds, for at most 10 s; a file
	// channel keeps the rest for the next start.
	closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := agent.Close(closeCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	log.Info("done", "first", p.from, "acked", acked, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
