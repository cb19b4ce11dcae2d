package main

import (
	"context"
	"encoding/json"
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
	"github.com/flumego/flume/rpc"
)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	var files fileList
	flag.Var(&files, "f", "RpcClient properties file (repeatable; later files override earlier keys; ${env:X} is substituted)")
	n := flag.Int64("n", 0, "events to send (0: until SIGINT or SIGTERM)")
	rate := flag.Int("rate", 0, "events per second (0: as fast as the agents acknowledge)")
	state := flag.String("state", "coin_log", `value of the "State" header`)
	run := flag.String("run", "", `run id written into every event's body (to tell runs apart in a shared topic)`)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if len(files) == 0 {
		log.Error("no client properties: pass -f client.properties")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := send(ctx, log, files, *n, *rate, *state, *run); err != nil {
		log.Error("stopped", "error", err)
		os.Exit(1)
	}
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
	e.SetHeader("State", state) // the agents' multiplexing selector routes on it
	return e
}

// send sends events 1..n (or until ctx ends) through the client the files
// configure.
func send(ctx context.Context, log *slog.Logger, files []string, n int64, rate int, state, run string) error {
	props, err := conf.LoadFiles(files...)
	if err != nil {
		return err
	}
	m := map[string]string{}
	for _, p := range props.All() {
		m[p.Key] = p.Value
	}
	client, err := rpc.NewClient(m)
	if err != nil {
		return err
	}
	defer client.Close()
	log.Info("sending", "client.type", m["client.type"], "hosts", m["hosts"], "batch-size", client.BatchSize(), "events", n, "rate", rate)

	var sent, retries int64
	start := time.Now()
	progress := time.NewTicker(time.Second)
	defer progress.Stop()
	for (n == 0 || sent < n) && ctx.Err() == nil {
		if rate > 0 { // pace: the next batch may start once the previous ones are due
			due := start.Add(time.Duration(float64(sent) / float64(rate) * float64(time.Second)))
			select {
			case <-ctx.Done():
				continue
			case <-time.After(time.Until(due)):
			}
		}
		size := int64(client.BatchSize())
		if n > 0 {
			size = min(size, n-sent)
		}
		batch := make([]flume.Event, size)
		for i := range batch {
			batch[i] = event(sent+int64(i)+1, state, run)
		}
		pause := 500 * time.Millisecond
		// The batch in flight is finished even after a stop signal, so
		// that "sent" is exact; only waiting between failed attempts is
		// cut short.
		for {
			err := client.AppendBatch(context.Background(), batch)
			if err == nil {
				break
			}
			retries++
			log.Warn("batch not acknowledged; sending it again", "first", sent+1, "last", sent+size, "in", pause, "error", err)
			select {
			case <-ctx.Done():
				return fmt.Errorf("events %d-%d unacknowledged at stop (%d acknowledged before): %w", sent+1, sent+size, sent, ctx.Err())
			case <-time.After(pause):
			}
			pause = min(2*pause, 5*time.Second)
		}
		sent += size
		select {
		case <-progress.C:
			log.Info("progress", "sent", sent, "retries", retries)
		default:
		}
	}
	log.Info("done", "sent", sent, "retries", retries, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
