package file

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/flumego/flume"
)

// Disk space. Every write the channel makes is checked against the free
// space of its disks before it is made, so that the channel never meets a
// full disk in the middle of a write, and so that a channel that stopped
// taking puts can always drain (see doc.go, "Disk space"):
//
//   - puts leave putLimit free: minimumRequiredSpace, raised to what taking
//     every event held would write (takeReserve each) plus spaceFloor when
//     that is more;
//   - take records and new log files may use that reserve, so a sink can
//     always drain the channel, whatever the sink's batch size;
//   - checkpoints and backup copies are written only out of the space the
//     reserve does not need; when they do not fit they wait (the previous
//     checkpoint stays valid), and a backup that cannot be refreshed stops
//     pinning old log files (recovery falls back to the logs, which stay
//     exact);
//   - when a put is refused for space, the channel frees what it can: the
//     writer moves to a new log file, so that the files holding drained
//     events can be deleted, and a checkpoint deletes them.
const (
	// takeReserve is the most log space draining one event writes: its
	// 8-byte pointer in a take record, plus the record's header when the
	// sink takes one event per transaction.
	takeReserve = 8 + recordHeaderSize + payloadFixed
	// spaceFloor is kept free on top of the take reserve: room for a
	// checkpoint of a short queue and a new log file once the channel has
	// drained, so that it can delete its old files and take puts again.
	spaceFloor = 256 << 10
	// blockSlack is what a write may take beyond its bytes (the file
	// system allocates whole blocks).
	blockSlack = 4 << 10
	// checkpointSlack is what a checkpoint writes beyond its queue chunks
	// (pages, meta), roughly.
	checkpointSlack = 64 << 10
	// freeInterval is the least time between two attempts to free space.
	freeInterval = time.Second
)

// diskSpace tracks the free space of the disks of the data and checkpoint
// directories (the lowest counts). The probe (statfs) runs at most every
// 100 ms, or when the bytes written since use a quarter of what it found;
// in between, those bytes are subtracted from its figure.
type diskSpace struct {
	dirs  []string
	probe func(dir string) (uint64, error)

	mu      sync.Mutex
	at      time.Time
	free    uint64
	freeDir string
	since   uint64
}

// avail returns the bytes free on the fullest disk and its directory,
// probing again when the last figure is old or when need would use a good
// part of it.
func (s *diskSpace) avail(need uint64) (uint64, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.at) > 100*time.Millisecond || s.since+need > s.free/4 {
		free, dir := uint64(math.MaxUint64), ""
		for _, d := range s.dirs {
			f, err := s.probe(d)
			if err != nil {
				return 0, d, flume.NewChannelError(fmt.Sprintf("cannot determine the free space in %s: %v", d, err))
			}
			if f < free {
				free, dir = f, d
			}
		}
		s.at, s.free, s.freeDir, s.since = time.Now(), free, dir, 0
	}
	if s.free < s.since {
		return 0, s.freeDir, nil
	}
	return s.free - s.since, s.freeDir, nil
}

// use records n bytes written since the last probe.
func (s *diskSpace) use(n uint64) {
	s.mu.Lock()
	s.since += n
	s.mu.Unlock()
}

// expire makes the next avail probe again (after files were deleted,
// truncated, or written by bbolt).
func (s *diskSpace) expire() {
	s.mu.Lock()
	s.at = time.Time{}
	s.mu.Unlock()
}

// putLimit returns the free space puts must leave when the channel holds
// held events (queued, being taken, and put by open transactions).
func (c *Channel) putLimit(held int) uint64 {
	return max(uint64(c.cfg.MinimumRequiredSpace), uint64(held)*takeReserve+spaceFloor)
}

// held returns the events counted against capacity.
func (c *Channel) held() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used()
}

// checkPutSpace returns a channel error when writing need bytes of puts
// would leave less than putLimit(held) free. spare is what the active log
// file has preallocated and not written (puts are written there first).
func (c *Channel) checkPutSpace(need uint64, held int, spare uint64) error {
	avail, dir, err := c.space.avail(need)
	if err != nil {
		return err
	}
	avail += spare
	limit := c.putLimit(held)
	if avail >= need && avail-need >= limit {
		return nil
	}
	c.lowOnSpace()
	return flume.NewChannelError(fmt.Sprintf("usable space in %s is %d bytes and this put needs %d: puts must leave %d bytes free (minimumRequiredSpace %d, or what draining the %d events held writes, if more); puts are refused until the sinks drain the channel or disk space is freed",
		dir, avail, need, limit, c.cfg.MinimumRequiredSpace, held))
}

// lowOnSpace asks the checkpointer to free space (see freeSpace).
func (c *Channel) lowOnSpace() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// errNoRoom reports a write the channel did not make for lack of space.
type errNoRoom struct{ what, dir string }

func (e *errNoRoom) Error() string {
	return fmt.Sprintf("not enough free space in %s for %s", e.dir, e.what)
}

// roomFor returns an error unless need bytes can be written now and leave
// what draining the events held needs (takeReserve each) and spaceFloor.
// A write that frees more than it takes (a checkpoint that lets drained log
// files be deleted) may use spaceFloor: that is what the floor is kept for.
func (c *Channel) roomFor(what string, need uint64, held int, frees bool) error {
	avail, dir, err := c.space.avail(need)
	if err != nil {
		return err
	}
	keep := uint64(held)*takeReserve + spaceFloor
	if frees {
		keep = uint64(held)*takeReserve + blockSlack
	}
	if avail < need+keep {
		return &errNoRoom{what: what, dir: dir}
	}
	return nil
}
