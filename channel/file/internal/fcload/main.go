package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/file"
)

func main() {
	var (
		dir     = flag.String("dir", "", "directory for the channel (default: a temporary directory, removed at exit)")
		writers = flag.Int("writers", 4, "concurrent writers")
		takers  = flag.Int("takers", 1, "concurrent takers (0: only put)")
		batch   = flag.Int("batch", 1000, "events per transaction")
		size    = flag.Int("size", 500, "event body size in bytes")
		events  = flag.Int("events", 1_000_000, "events to put in total")
		dual    = flag.Bool("dual", true, "useDualCheckpoints")
		recov   = flag.Bool("recover", false, "only start the channel over -dir (recovering its backlog), report, and stop")
	)
	flag.Parse()
	if *dir == "" {
		if *recov {
			log.Fatal("-recover needs -dir")
		}
		d, err := os.MkdirTemp("", "fcload-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	cfg := file.DefaultConfig()
	cfg.CheckpointDir = filepath.Join(*dir, "checkpoint")
	cfg.UseDualCheckpoints = *dual
	cfg.BackupCheckpointDir = filepath.Join(*dir, "backup")
	cfg.DataDirs = []string{filepath.Join(*dir, "data")}
	cfg.TransactionCapacity = max(*batch, 100)
	cfg.MinimumRequiredSpace = 1 << 20
	ch, err := file.New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	start := time.Now()
	if err := ch.Start(ctx); err != nil {
		log.Fatal(err)
	}
	if *recov {
		c := ch.Counters()
		fmt.Printf("recovered %d events from %s in %s (recovery %d ms, %d records replayed)\n",
			ch.Len(), c.RecoverySource(), time.Since(start).Round(time.Millisecond), c.RecoveryDurationMs.Load(), c.RecoveryReplayedRecords.Load())
		if err := ch.Stop(ctx); err != nil {
			log.Fatal(err)
		}
		return
	}
	evs := make([]flume.Event, *batch)
	for i := range evs {
		body := make([]byte, *size)
		for j := range body {
			body[j] = byte('a' + (i+j)%26)
		}
		evs[i] = flume.Event{Body: body}
	}
	var put, taken atomic.Int64
	var wg sync.WaitGroup
	start = time.Now()
	var putDone time.Duration
	var pw sync.WaitGroup
	for range *writers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for put.Add(int64(*batch)) <= int64(*events) {
				for {
					err := flume.Do(ctx, ch, func(tx flume.Transaction) error { return tx.Put(ctx, evs...) })
					if err == nil {
						break
					}
					if !flume.IsChannelError(err) {
						log.Fatal(err)
					}
				}
			}
		}()
	}
	for range *takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for taken.Load() < int64(*events) {
				err := flume.Do(ctx, ch, func(tx flume.Transaction) error {
					got, err := tx.Take(ctx, *batch)
					taken.Add(int64(len(got)))
					return err
				})
				if err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	pw.Wait()
	putDone = time.Since(start)
	wg.Wait()
	total := time.Since(start)
	if err := ch.Stop(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("writers=%d takers=%d batch=%d size=%d events=%d\n", *writers, *takers, *batch, *size, *events)
	fmt.Printf("put+commit: %.0f events/s (%.1f MB/s)\n", float64(*events)/putDone.Seconds(), float64(*events**size)/putDone.Seconds()/1e6)
	if *takers > 0 {
		fmt.Printf("drained:    %.0f events/s end to end\n", float64(*events)/total.Seconds())
	}
}
