package file

import (
	"sync/atomic"

	"github.com/flumego/flume"
)

// Counter is the file channel's counter group: Flume's channel counters plus
// the attributes Flume's FileChannelCounter adds (Open, Closed, Unhealthy,
// EventPutErrorCount, EventTakeErrorCount, CheckpointWriteErrorCount,
// CheckpointBackupWriteErrorCount) and flumego's checkpoint, recovery and
// log figures. It is published under "CHANNEL.<name>".
type Counter struct {
	flume.ChannelCounter

	open      atomic.Bool  // Open: started and healthy
	Closed    atomic.Int64 // 1 while stopped
	Unhealthy atomic.Int64 // 1 when the last start failed

	EventPutErrorCount              atomic.Int64 // events whose put or put commit failed
	EventTakeErrorCount             atomic.Int64 // events that could not be read back (skipped)
	CheckpointWriteErrorCount       atomic.Int64
	CheckpointBackupWriteErrorCount atomic.Int64

	CheckpointCount         atomic.Int64 // checkpoints written since start
	CheckpointBackupCount   atomic.Int64 // backup copies written since start
	CheckpointDurationMs    atomic.Int64 // gauge: duration of the last checkpoint (and backup)
	CheckpointQueueSize     atomic.Int64 // gauge: events in the last checkpoint
	RecoveryDurationMs      atomic.Int64 // gauge: duration of the last start's recovery
	RecoveryEventCount      atomic.Int64 // gauge: events queued after the last recovery
	RecoveryReplayedRecords atomic.Int64 // gauge: log records replayed after the checkpoint
	recoverySource          atomic.Value // string: checkpoint, backup, logs or empty
	LogFileCount            atomic.Int64 // gauge: data log files on disk
	LogFilesDeletedCount    atomic.Int64 // log files deleted since start
	FsyncCount              atomic.Int64 // data log fsyncs (one per commit group)
	CommitGroupCount        atomic.Int64 // group commits (one log write + fsync each)
	UnsyncedCommitCount     atomic.Int64 // commits acknowledged before fsync (fsyncPerTransaction=false)
}

var _ flume.CounterGroup = (*Counter)(nil)

// Open reports whether the channel is started and healthy.
func (c *Counter) Open() bool { return c.open.Load() }

// RecoverySource returns how the last start rebuilt the queue: "checkpoint",
// "backup", "logs" (full replay) or "empty" (new channel).
func (c *Counter) RecoverySource() string {
	s, _ := c.recoverySource.Load().(string)
	return s
}

var recoverySources = map[string]float64{"": 0, "empty": 0, "checkpoint": 1, "backup": 2, "logs": 3}

// Attributes returns Flume's channel attributes followed by the file
// channel's.
func (c *Counter) Attributes() []flume.Attribute {
	out := c.ChannelCounter.Attributes()
	out = append(out, flume.BoolAttribute("Open", c.open.Load()))
	for _, a := range []struct {
		name  string
		v     *atomic.Int64
		gauge bool
	}{
		{"Closed", &c.Closed, true},
		{"Unhealthy", &c.Unhealthy, true},
		{"EventPutErrorCount", &c.EventPutErrorCount, false},
		{"EventTakeErrorCount", &c.EventTakeErrorCount, false},
		{"CheckpointWriteErrorCount", &c.CheckpointWriteErrorCount, false},
		{"CheckpointBackupWriteErrorCount", &c.CheckpointBackupWriteErrorCount, false},
		{"CheckpointCount", &c.CheckpointCount, false},
		{"CheckpointBackupCount", &c.CheckpointBackupCount, false},
		{"CheckpointDurationMs", &c.CheckpointDurationMs, true},
		{"CheckpointQueueSize", &c.CheckpointQueueSize, true},
		{"RecoveryDurationMs", &c.RecoveryDurationMs, true},
		{"RecoveryEventCount", &c.RecoveryEventCount, true},
		{"RecoveryReplayedRecords", &c.RecoveryReplayedRecords, true},
		{"LogFileCount", &c.LogFileCount, true},
		{"LogFilesDeletedCount", &c.LogFilesDeletedCount, false},
		{"FsyncCount", &c.FsyncCount, false},
		{"CommitGroupCount", &c.CommitGroupCount, false},
		{"UnsyncedCommitCount", &c.UnsyncedCommitCount, false},
	} {
		out = append(out, flume.LongAttribute(a.name, a.v.Load(), a.gauge))
	}
	src := c.RecoverySource()
	return append(out, flume.Attribute{Name: "RecoverySource", Text: src, Value: recoverySources[src], Gauge: true})
}

// started resets the counters for a new start, as Flume does.
func (c *Counter) started() {
	c.ChannelCounter.Started()
	for _, v := range []*atomic.Int64{
		&c.EventPutErrorCount, &c.EventTakeErrorCount, &c.CheckpointWriteErrorCount,
		&c.CheckpointBackupWriteErrorCount, &c.CheckpointCount, &c.CheckpointBackupCount,
		&c.LogFilesDeletedCount, &c.FsyncCount, &c.CommitGroupCount, &c.UnsyncedCommitCount,
	} {
		v.Store(0)
	}
}
