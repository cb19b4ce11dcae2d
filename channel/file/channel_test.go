package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flumego/flume"
	"github.com/flumego/flume/channel/channeltest"
	"github.com/flumego/flume/internal/flumetest"
)

func put(t testing.TB, c flume.Channel, evs []flume.Event) {
	t.Helper()
	if err := flume.Do(context.Background(), c, func(tx flume.Transaction) error {
		return tx.Put(context.Background(), evs...)
	}); err != nil {
		t.Fatalf("put %d events: %v", len(evs), err)
	}
}

// takeAll takes up to n events in one committed transaction.
func takeAll(t testing.TB, c flume.Channel, n int) []int {
	t.Helper()
	var got []int
	if err := flume.Do(context.Background(), c, func(tx flume.Transaction) error {
		for len(got) < n {
			evs, err := tx.Take(context.Background(), n-len(got))
			if err != nil || len(evs) == 0 {
				return err
			}
			for _, e := range evs {
				got = append(got, channeltest.Seq(e))
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("take: %v", err)
	}
	return got
}

func span(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func wantSeqs(t testing.TB, got, want []int) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("took %d events %v, want %d events %v", len(got), short(got), len(want), short(want))
	}
}

func short(s []int) []int {
	if len(s) > 12 {
		return append(append([]int(nil), s[:6]...), s[len(s)-6:]...)
	}
	return s
}

func TestDefaultsMatchFlume(t *testing.T) {
	ctx := flume.ContextFromMap(map[string]string{})
	c := ParseConfig(ctx)
	home, _ := os.UserHomeDir()
	want := Config{
		CheckpointDir:        filepath.Join(home, ".flume/file-channel/checkpoint"),
		DataDirs:             []string{filepath.Join(home, ".flume/file-channel/data")},
		Capacity:             1000000,
		TransactionCapacity:  10000,
		CheckpointInterval:   30 * time.Second,
		MaxFileSize:          2146435071,
		MinimumRequiredSpace: 524288000,
		KeepAlive:            3 * time.Second,
		CheckpointOnClose:    true,
		FsyncPerTransaction:  true,
		FsyncInterval:        5 * time.Second,
	}
	if c.CheckpointDir != want.CheckpointDir || !slices.Equal(c.DataDirs, want.DataDirs) || c.UseDualCheckpoints {
		t.Errorf("directories = %+v", c)
	}
	c.DataDirs, want.DataDirs = nil, nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults = %+v\nwant       %+v", c, want)
	}
	if len(ctx.Problems()) != 0 {
		t.Errorf("problems: %v", ctx.Problems())
	}
}

func TestParseConfig(t *testing.T) {
	ctx := flume.ContextFromMap(map[string]string{
		"checkpointDir": "/var/c", "useDualCheckpoints": "true", "backupCheckpointDir": "/var/b",
		"dataDirs": " /d1 , /d2,,", "capacity": "500", "transactionCapacity": "50",
		"checkpointInterval": "1000", "maxFileSize": "99999999999", "minimumRequiredSpace": "1000",
		"keep-alive": "7", "checkpointOnClose": "false", "fsyncPerTransaction": "false", "fsyncInterval": "2",
		"use-fast-replay": "true", "use-log-replay-v1": "false",
	})
	c := ParseConfig(ctx)
	if c.CheckpointDir != "/var/c" || !c.UseDualCheckpoints || c.BackupCheckpointDir != "/var/b" ||
		!slices.Equal(c.DataDirs, []string{"/d1", "/d2"}) || c.Capacity != 500 || c.TransactionCapacity != 50 ||
		c.CheckpointInterval != time.Second || c.MaxFileSize != DefaultMaxFileSize || c.MinimumRequiredSpace != 1048576 ||
		c.KeepAlive != 7*time.Second || c.CheckpointOnClose || c.FsyncPerTransaction || c.FsyncInterval != 2*time.Second {
		t.Fatalf("config = %+v", c)
	}
	if ctx.Err() != nil {
		t.Fatal(ctx.Err())
	}
	var warned []string
	for _, p := range ctx.Problems() {
		warned = append(warned, p.Key)
	}
	slices.Sort(warned)
	if !slices.Equal(warned, []string{"fsyncPerTransaction", "minimumRequiredSpace", "use-fast-replay"}) {
		t.Fatalf("warnings on %v", warned)
	}
	if u := ctx.Unused(); len(u) != 0 {
		t.Fatalf("keys reported unknown: %v", u)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		props map[string]string
		want  string
	}{
		"dual without backup":    {map[string]string{"useDualCheckpoints": "true"}, "required when useDualCheckpoints"},
		"backup is checkpoint":   {map[string]string{"useDualCheckpoints": "true", "checkpointDir": "/x/c", "backupCheckpointDir": "/x/c/"}, "must differ from checkpointDir"},
		"backup is data dir":     {map[string]string{"useDualCheckpoints": "true", "backupCheckpointDir": "/x/d", "dataDirs": "/x/e,/x/d"}, "must differ from every data directory"},
		"checkpoint is data dir": {map[string]string{"checkpointDir": "/x/d", "dataDirs": "/x/d"}, "must differ from checkpointDir"},
		"tx above capacity":      {map[string]string{"capacity": "10", "transactionCapacity": "11"}, "must not exceed capacity"},
		"no data dirs":           {map[string]string{"dataDirs": " , "}, "no data directory"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Factory(flume.Settings{Name: "c1"}, flume.ContextFromMap(tc.props))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestEncryptionNotSupported(t *testing.T) {
	ctx := flume.ContextFromMap(map[string]string{
		"encryption.activeKey": "key-0", "encryption.cipherProvider": "AESCTRNOPADDING",
		"encryption.keyProvider": "JCEKSFILE", "encryption.keyProvider.keys": "key-0",
	})
	_, err := Factory(flume.Settings{Name: "c1"}, ctx)
	if !errors.Is(err, flume.ErrUnsupported) || !strings.Contains(err.Error(), "encryption.activeKey") ||
		!strings.Contains(err.Error(), "not supported yet") {
		t.Fatalf("err = %v, want a 'not supported yet' error wrapping ErrUnsupported", err)
	}
	if u := ctx.Unused(); len(u) != 0 {
		t.Fatalf("encryption keys also reported unknown: %v", u)
	}
}

func TestRegister(t *testing.T) {
	r := flume.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"file", "FILE", "org.apache.flume.channel.file.FileChannel"} {
		if _, _, err := r.Channel(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFactoryBuildsWorkingChannel(t *testing.T) {
	dir := t.TempDir()
	ch, err := Factory(flume.Settings{Name: "c1"}, flume.ContextFromMap(map[string]string{
		"checkpointDir": filepath.Join(dir, "c"), "dataDirs": filepath.Join(dir, "d"),
		"useDualCheckpoints": "true", "backupCheckpointDir": filepath.Join(dir, "b"),
		"capacity": "100", "transactionCapacity": "10", "minimumRequiredSpace": "1048576",
	}))
	if err != nil {
		t.Fatal(err)
	}
	c := ch.(*Channel)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndStop(t, c) })
	put(t, c, channeltest.Events(0, 10))
	wantSeqs(t, takeAll(t, c, 10), span(0, 10))
}

func TestDirectoryLocked(t *testing.T) {
	cfg := testConfig(t, 100, 10)
	openChannel(t, cfg)
	var group flume.CounterGroup
	c2, err := New(flume.Settings{Name: "c2", Publisher: func(g flume.CounterGroup) { group = g }}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = c2.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "in_use.lock") {
		t.Fatalf("second channel over the same directories started: %v", err)
	}
	_, err = c2.Begin()
	if !errors.Is(err, flume.ErrClosed) || !strings.Contains(err.Error(), "in_use.lock") {
		t.Fatalf("Begin on a channel that failed to start: %v", err)
	}
	attrs := attributes(group)
	if attrs["Unhealthy"] != "1" || attrs["Open"] != "false" {
		t.Fatalf("Unhealthy = %s, Open = %s", attrs["Unhealthy"], attrs["Open"])
	}
	if err := c2.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func attributes(g flume.CounterGroup) map[string]string {
	m := map[string]string{}
	for _, a := range g.Attributes() {
		m[a.Name] = a.Text
	}
	return m
}

func TestMinimumRequiredSpace(t *testing.T) {
	cfg := testConfig(t, 1000, 100)
	cfg.MinimumRequiredSpace = 1 << 20
	var free atomic.Uint64
	free.Store(1<<20 + 20_000)
	c, err := New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.space.probe = func(string) (uint64, error) { return free.Load(), nil }
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkAndStop(t, c) })
	put(t, c, channeltest.Events(0, 5)) // fits

	// A commit that would eat into the reserve fails and changes nothing.
	big := make([]flume.Event, 50)
	for i := range big {
		big[i] = flumetest.Event(string(make([]byte, 1000)), "seq", "99")
	}
	c.space.expire() // probe again
	err = flume.Do(context.Background(), c, func(tx flume.Transaction) error { return tx.Put(context.Background(), big...) })
	if !flume.IsChannelError(err) || !strings.Contains(err.Error(), "minimumRequiredSpace") {
		t.Fatalf("commit below minimumRequiredSpace: %v", err)
	}
	// Below the reserve, puts fail at once; takes still work.
	free.Store(1 << 19)
	c.space.expire()
	tx, _ := c.Begin()
	if err := tx.Put(context.Background(), channeltest.Event(5)); !flume.IsChannelError(err) || !strings.Contains(err.Error(), "minimumRequiredSpace") {
		t.Fatalf("put below minimumRequiredSpace: %v", err)
	}
	_ = tx.Rollback()
	if n := c.Counters().EventPutErrorCount.Load(); n != 51 {
		t.Fatalf("EventPutErrorCount = %d, want 51", n)
	}
	wantSeqs(t, takeAll(t, c, 100), span(0, 5))
	free.Store(1 << 30)
	c.space.expire()
	put(t, c, channeltest.Events(5, 6))
	wantSeqs(t, takeAll(t, c, 100), []int{5})
}

func TestPrimaryCheckpointGarbage(t *testing.T) {
	for _, dual := range []bool{true, false} {
		t.Run(map[bool]string{true: "dual", false: "single"}[dual], func(t *testing.T) {
			cfg := testConfig(t, 10000, 1000)
			cfg.UseDualCheckpoints = dual
			cfg.MaxFileSize = 16 << 10
			c := openChannel(t, cfg)
			put(t, c, channeltest.Events(0, 1000))
			wantSeqs(t, takeAll(t, c, 300), span(0, 300))
			checkAndStop(t, c)
			garbage := []byte(strings.Repeat("not a bbolt database ", 1000))
			if err := os.WriteFile(filepath.Join(cfg.CheckpointDir, checkpointName), garbage, 0o644); err != nil {
				t.Fatal(err)
			}
			c = openChannel(t, cfg)
			want := map[bool]string{true: "backup", false: "logs"}[dual]
			if src := c.Counters().RecoverySource(); src != want {
				t.Fatalf("recovered from %q, want %q", src, want)
			}
			if _, err := os.Stat(filepath.Join(cfg.CheckpointDir, checkpointName+".corrupt")); err != nil {
				t.Fatalf("the corrupt checkpoint was not set aside: %v", err)
			}
			wantSeqs(t, takeAll(t, c, 1000), span(300, 1000))
		})
	}
}

func TestBothCheckpointsDeleted(t *testing.T) {
	cfg := testConfig(t, 10000, 1000)
	cfg.MaxFileSize = 8 << 10
	c := openChannel(t, cfg)
	for i := 0; i < 2000; i += 100 {
		put(t, c, channeltest.Events(i, i+100))
		wantSeqs(t, takeAll(t, c, 50), span(i/2, i/2+50))
		if i%500 == 0 {
			if err := c.checkpoint(); err != nil { // deletes old files as it goes
				t.Fatal(err)
			}
		}
	}
	open, _ := c.Begin() // an open take at the crash comes back first
	if evs, err := open.Take(context.Background(), 10); err != nil || len(evs) != 10 {
		t.Fatalf("take: %d, %v", len(evs), err)
	}
	c.crash()
	for _, d := range []string{cfg.CheckpointDir, cfg.BackupCheckpointDir} {
		if err := os.Remove(filepath.Join(d, checkpointName)); err != nil {
			t.Fatal(err)
		}
	}
	c = openChannel(t, cfg)
	if src := c.Counters().RecoverySource(); src != "logs" {
		t.Fatalf("recovered from %q, want logs", src)
	}
	wantSeqs(t, takeAll(t, c, 1000), span(1000, 2000))
}

func TestReplayAfterCrash(t *testing.T) {
	cfg := testConfig(t, 1000, 100)
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 50))
	wantSeqs(t, takeAll(t, c, 20), span(0, 20))
	uncommitted, _ := c.Begin()
	_ = uncommitted.Put(context.Background(), channeltest.Events(100, 110)...)
	c.crash()
	c = openChannel(t, cfg)
	if src, n := c.Counters().RecoverySource(), c.Counters().RecoveryReplayedRecords.Load(); src != "checkpoint" || n == 0 {
		t.Fatalf("recovered from %q replaying %d records; want the checkpoint written at start plus replay", src, n)
	}
	wantSeqs(t, takeAll(t, c, 100), span(20, 50))
}

func TestOldLogFilesDeleted(t *testing.T) {
	cfg := testConfig(t, 100000, 1000)
	cfg.MaxFileSize = 16 << 10
	c := openChannel(t, cfg)
	for i := 0; i < 5000; i += 500 {
		put(t, c, channeltest.Events(i, i+500))
	}
	created := c.logs.count()
	wantSeqs(t, takeAll(t, c, 1000), span(0, 1000))
	wantSeqs(t, takeAll(t, c, 1000), span(1000, 2000))
	if err := c.checkpoint(); err != nil {
		t.Fatal(err)
	}
	after := c.logs.count()
	if created < 8 || c.Counters().LogFilesDeletedCount.Load() < 3 {
		t.Fatalf("%d log files before taking, %d after; deleted %d", created, after, c.Counters().LogFilesDeletedCount.Load())
	}
	low := c.logs.ids()[0]
	c.mu.Lock()
	head := c.q.Snapshot(nil)[0]
	c.mu.Unlock()
	if low > head.file {
		t.Fatalf("log file %d, holding the head of the queue, was deleted (lowest left %d)", head.file, low)
	}
	wantSeqs(t, takeAll(t, c, 1000), span(2000, 3000))
	_ = c.checkpoint()
	if c.logs.count() >= after {
		t.Fatalf("taking more did not delete more files: %d", c.logs.count())
	}
}

func TestCounters(t *testing.T) {
	cfg := testConfig(t, 100, 10)
	var group flume.CounterGroup
	c, err := New(flume.Settings{Name: "c1", Publisher: func(g flume.CounterGroup) { group = g }}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if attributes(group)["Closed"] != "1" {
		t.Fatal("a channel not started yet must report Closed=1")
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	put(t, c, channeltest.Events(0, 4))
	_ = flume.Do(context.Background(), c, func(tx flume.Transaction) error {
		_, err := tx.Take(context.Background(), 10) // 4 taken + 1 empty-handed attempt
		return err
	})
	put(t, c, channeltest.Events(4, 6))
	attrs := attributes(group)
	want := map[string]string{
		"Type": "CHANNEL", "ChannelSize": "2", "ChannelCapacity": "100", "ChannelFillPercentage": "2.0",
		"EventPutAttemptCount": "6", "EventPutSuccessCount": "6", "EventTakeAttemptCount": "5", "EventTakeSuccessCount": "4",
		"Open": "true", "Closed": "0", "Unhealthy": "0", "EventPutErrorCount": "0", "EventTakeErrorCount": "0",
		"CheckpointWriteErrorCount": "0", "CheckpointBackupWriteErrorCount": "0", "RecoverySource": "empty",
		"CheckpointCount": "1", "CheckpointBackupCount": "1", "CommitGroupCount": "3", "FsyncCount": "3",
	}
	for k, v := range want {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
	for _, k := range []string{"RecoveryDurationMs", "RecoveryEventCount", "RecoveryReplayedRecords", "CheckpointDurationMs",
		"CheckpointQueueSize", "LogFileCount", "LogFilesDeletedCount", "UnsyncedCommitCount", "StartTime", "StopTime"} {
		if _, ok := attrs[k]; !ok {
			t.Errorf("attribute %s missing", k)
		}
	}
	checkAndStop(t, c)
	if attrs := attributes(group); attrs["Open"] != "false" || attrs["Closed"] != "1" || attrs["StopTime"] == "0" {
		t.Errorf("after stop: Open=%s Closed=%s StopTime=%s", attrs["Open"], attrs["Closed"], attrs["StopTime"])
	}
}

func TestFsyncPerTransactionOff(t *testing.T) {
	cfg := testConfig(t, 1000, 100)
	cfg.FsyncPerTransaction = false
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 10))
	put(t, c, channeltest.Events(10, 20))
	if n, f := c.Counters().UnsyncedCommitCount.Load(), c.Counters().FsyncCount.Load(); n != 2 || f != 0 {
		t.Fatalf("UnsyncedCommitCount = %d, FsyncCount = %d; want 2 unsynced commits and no fsync", n, f)
	}
	c.crash() // a process crash loses nothing: the data is in the page cache
	c = openChannel(t, cfg)
	wantSeqs(t, takeAll(t, c, 100), span(0, 20))
}

func TestCorruptEventIsSkippedAndCounted(t *testing.T) {
	cfg := testConfig(t, 1000, 100)
	cfg.DataDirs = cfg.DataDirs[:1]
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 10))
	c.mu.Lock()
	victim := c.q.Snapshot(nil)[4]
	c.mu.Unlock()
	lf := c.logs.get(victim.file)
	if _, err := lf.f.WriteAt([]byte{'X'}, int64(victim.off+victim.size-1)); err != nil { // last body byte
		t.Fatal(err)
	}
	got := takeAll(t, c, 100)
	wantSeqs(t, got, []int{0, 1, 2, 3, 5, 6, 7, 8, 9})
	if n := c.Counters().EventTakeErrorCount.Load(); n != 1 {
		t.Fatalf("EventTakeErrorCount = %d, want 1", n)
	}
	if c.Len() != 0 {
		t.Fatalf("Len = %d: the corrupt event was not removed by the commit", c.Len())
	}
}

func TestMixedTransactionRefused(t *testing.T) {
	c := openChannel(t, testConfig(t, 100, 10))
	put(t, c, channeltest.Events(0, 3))
	tx, _ := c.Begin()
	if _, err := tx.Take(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Put(context.Background(), channeltest.Event(9)); !errors.Is(err, errMixed) || !flume.IsChannelError(err) {
		t.Fatalf("put after take: %v", err)
	}
	_ = tx.Rollback()
	tx, _ = c.Begin()
	_ = tx.Put(context.Background(), channeltest.Event(9))
	if _, err := tx.Take(context.Background(), 1); !errors.Is(err, errMixed) {
		t.Fatalf("take after put: %v", err)
	}
	_ = tx.Rollback()
	wantSeqs(t, takeAll(t, c, 10), span(0, 3))
}

func TestPutWaitsForRoom(t *testing.T) {
	cfg := testConfig(t, 10, 10)
	cfg.KeepAlive = time.Minute
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 10))
	done := make(chan error)
	go func() {
		done <- flume.Do(context.Background(), c, func(tx flume.Transaction) error {
			return tx.Put(context.Background(), channeltest.Events(10, 12)...)
		})
	}()
	wantSeqs(t, takeAll(t, c, 2), []int{0, 1}) // makes room for the blocked put
	if err := <-done; err != nil {
		t.Fatalf("blocked put after room was made: %v", err)
	}
	wantSeqs(t, takeAll(t, c, 10), span(2, 12))
}

func TestTakeWaitsForCommit(t *testing.T) {
	cfg := testConfig(t, 10, 10)
	cfg.KeepAlive = time.Minute
	c := openChannel(t, cfg)
	got := make(chan []int)
	go func() { got <- takeAll(t, c, 1) }()
	put(t, c, channeltest.Events(0, 1))
	if g := <-got; !slices.Equal(g, []int{0}) {
		t.Fatalf("woken taker got %v", g)
	}
}

func TestNotAFlumegoDataDir(t *testing.T) {
	cfg := testConfig(t, 10, 10)
	if err := os.MkdirAll(cfg.DataDirs[0], 0o755); err != nil {
		t.Fatal(err)
	}
	// Java Flume's log files start with OP_RECORD (0x7F) records.
	if err := os.WriteFile(filepath.Join(cfg.DataDirs[0], "log-1"), []byte{0x7f, 0, 0, 0, 40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36}, 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := New(flume.Settings{Name: "c1"}, cfg)
	err := c.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not a flumego log file") {
		t.Fatalf("start over a foreign data dir: %v", err)
	}
}

func TestStopWithOpenTransactions(t *testing.T) {
	cfg := testConfig(t, 100, 100)
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 20))
	t1, _ := c.Begin()
	t2, _ := c.Begin()
	_, _ = t1.Take(context.Background(), 5)
	_, _ = t2.Take(context.Background(), 5)
	putter, _ := c.Begin()
	_ = putter.Put(context.Background(), channeltest.Events(100, 105)...)
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := t1.Commit(context.Background()); !errors.Is(err, flume.ErrClosed) {
		t.Fatalf("commit after stop: %v", err)
	}
	if err := putter.Commit(context.Background()); !errors.Is(err, flume.ErrClosed) {
		t.Fatalf("put commit after stop: %v", err)
	}
	_ = t2.Rollback()
	if err := c.Start(context.Background()); err != nil { // the same value starts again
		t.Fatal(err)
	}
	wantSeqs(t, takeAll(t, c, 100), span(0, 20))
}

func TestNoGoroutineOutlivesStop(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := testConfig(t, 100, 10)
	cfg.CheckpointInterval = time.Millisecond
	c, err := New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		put(t, c, channeltest.Events(0, 5))
		wantSeqs(t, takeAll(t, c, 5), span(0, 5))
		if err := c.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Fatalf("%d goroutines after Stop, %d before Start", n, before)
		}
	}
}

// TestStopWithEndedContextSkipsCheckpoint checks the flume.Lifecycle
// contract: a Stop whose ctx has ended closes the channel without the
// final checkpoint, says so, and loses nothing: the next Start replays the
// data logs.
func TestStopWithEndedContextSkipsCheckpoint(t *testing.T) {
	cfg := testConfig(t, 1000, 100)
	c, err := New(flume.Settings{Name: "c1"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	put(t, c, channeltest.Events(0, 50))
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Stop(ended); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with an ended ctx = %v, want context.Canceled", err)
	}
	if err := c.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop = %v", err)
	}
	c = openChannel(t, cfg)
	if n := c.Counters().RecoveryReplayedRecords.Load(); n == 0 {
		t.Fatal("the reopened channel replayed no record: the final checkpoint was written")
	}
	wantSeqs(t, takeAll(t, c, 100), span(0, 50))
}

// A transaction's put records may span log files. Once the events of its
// first file are taken, that file is deleted; the data logs alone must
// still recover the events of the files left, though their transaction's
// first records are gone.
func TestLogsRecoveryAfterSplitTransactionLostItsHead(t *testing.T) {
	cfg := testConfig(t, 10000, 1000)
	cfg.MaxFileSize = 8 << 10
	c := openChannel(t, cfg)
	put(t, c, channeltest.Events(0, 600))
	c.mu.Lock()
	files := map[uint32]bool{}
	for _, p := range c.q.Snapshot(nil) {
		files[p.file] = true
	}
	c.mu.Unlock()
	if len(files) < 3 {
		t.Fatalf("the transaction's events lie in %d log files; the test needs it to span at least 3", len(files))
	}
	wantSeqs(t, takeAll(t, c, 300), span(0, 300))
	if err := c.checkpoint(); err != nil {
		t.Fatal(err)
	}
	if c.Counters().LogFilesDeletedCount.Load() == 0 {
		t.Fatal("no log file was deleted: the test needs the transaction's first file gone")
	}
	c.crash()
	for _, d := range []string{cfg.CheckpointDir, cfg.BackupCheckpointDir} {
		if err := os.Remove(filepath.Join(d, checkpointName)); err != nil {
			t.Fatal(err)
		}
	}
	c = openChannel(t, cfg)
	if src := c.Counters().RecoverySource(); src != "logs" {
		t.Fatalf("recovered from %q, want logs", src)
	}
	wantSeqs(t, takeAll(t, c, 1000), span(300, 600))
}
