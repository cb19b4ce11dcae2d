package hdfsfake

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Config tunes a Fake. Zero values choose the defaults.
type Config struct {
	// NameNodeAddr and DataNodeAddr are where Start listens (default
	// "127.0.0.1:0": any free port of the loopback interface).
	NameNodeAddr, DataNodeAddr string
	// BlockSize is the server default block size (dfs.blocksize, default
	// 128 MiB).
	BlockSize int64
	// MinBlockSize is the smallest block size create accepts
	// (dfs.namenode.fs-limits.min-block-size, default 1 MiB).
	MinBlockSize int64
	// Replication is the server default replication (dfs.replication,
	// default 1: the fake runs one DataNode).
	Replication int
	// BytesPerChecksum is the server default chunk size
	// (dfs.bytes-per-checksum, default 512).
	BytesPerChecksum int
	// ListingLimit is the most entries one getListing answer holds
	// (dfs.ls.limit, default 1000).
	ListingLimit int
	// MaxRPCBytes bounds one RPC request (ipc.maximum.data.length, default
	// 64 MiB); a longer one closes the connection, as Hadoop does.
	MaxRPCBytes int
	// DiscardData makes the DataNode verify, count and acknowledge data
	// without keeping it, for long runs and benchmarks: blocks then cannot
	// be read (READ_BLOCK is refused, ReadFile returns no bytes).
	DiscardData bool
	// SocketTimeout is how long the DataNode waits for the next packet of
	// a write pipeline or the next operation on a connection before it
	// closes it (dfs.client.socket-timeout, default 60s): clients send
	// heartbeat packets while idle.
	SocketTimeout time.Duration
	// SuperUser owns the root directory (default "hdfs").
	SuperUser string
	// Logger receives the fake's diagnostics (default: discarded).
	Logger *slog.Logger
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// Stats counts what the fake saw.
type Stats struct {
	// Calls counts NameNode RPC calls by method name, refused ones
	// included.
	Calls map[string]int
	// Refused counts calls and data transfer operations answered with an
	// error because the fake does not implement them (or the option they
	// ask for).
	Refused int
	// Pipelines counts write pipelines the DataNode accepted; Dropped those
	// it dropped on request (DropPipeline).
	Pipelines, Dropped int
	// Reads counts block reads the DataNode served.
	Reads int
	// CompleteRefusals counts complete calls answered false because the
	// last block was not yet reported (SetCompleteRefusals).
	CompleteRefusals int
	// Recoveries counts lease recoveries started by recoverLease.
	Recoveries int
}

// FileInfo describes a file as the NameNode sees it.
type FileInfo struct {
	// Length is the length getFileInfo reports: that of the completed
	// blocks only while the file is being written.
	Length int64
	// UnderConstruction is true while a client holds the file open.
	UnderConstruction bool
	// LeaseHolder is the client name holding it open ("" when closed).
	LeaseHolder string
	// Blocks is the number of blocks.
	Blocks int
	// Owner is the user that created the file.
	Owner string
}

// Fake is an in-process HDFS NameNode and DataNode speaking Hadoop's
// protocols on two TCP ports. Its methods are safe for concurrent use.
type Fake struct {
	cfg Config
	log *slog.Logger

	poolID   string
	dnUUID   string
	storUUID string

	mu       sync.Mutex
	root     *inode
	inodes   map[uint64]*inode
	blocks   map[uint64]*block
	replicas map[uint64]*replica
	renewals map[string]time.Time
	nextID   uint64
	nextBlk  uint64
	nextGS   uint64
	refusals int
	standby  bool
	drops    []drop
	stats    Stats

	nnLn, dnLn net.Listener
	conns      map[net.Conn]struct{}
	closed     bool
	wg         sync.WaitGroup
}

// New returns a fake with an empty namespace; Start serves it.
func New(cfg Config) *Fake {
	if cfg.NameNodeAddr == "" {
		cfg.NameNodeAddr = "127.0.0.1:0"
	}
	if cfg.DataNodeAddr == "" {
		cfg.DataNodeAddr = "127.0.0.1:0"
	}
	if cfg.BlockSize <= 0 {
		cfg.BlockSize = 128 << 20
	}
	if cfg.MinBlockSize <= 0 {
		cfg.MinBlockSize = 1 << 20
	}
	if cfg.Replication <= 0 {
		cfg.Replication = 1
	}
	if cfg.BytesPerChecksum <= 0 {
		cfg.BytesPerChecksum = 512
	}
	if cfg.ListingLimit <= 0 {
		cfg.ListingLimit = 1000
	}
	if cfg.MaxRPCBytes <= 0 {
		cfg.MaxRPCBytes = 64 << 20
	}
	if cfg.SocketTimeout <= 0 {
		cfg.SocketTimeout = 60 * time.Second
	}
	if cfg.SuperUser == "" {
		cfg.SuperUser = "hdfs"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Fake{
		cfg:      cfg,
		log:      log,
		poolID:   "BP-" + strconv.FormatInt(int64(randUint32()), 10) + "-127.0.0.1-" + strconv.FormatInt(cfg.Now().UnixMilli(), 10),
		dnUUID:   uuid(),
		storUUID: "DS-" + uuid(),
		inodes:   map[uint64]*inode{},
		blocks:   map[uint64]*block{},
		replicas: map[uint64]*replica{},
		renewals: map[string]time.Time{},
		// Hadoop's first inode id, block id and generation stamp.
		nextID:   16385,
		nextBlk:  1 << 30,
		nextGS:   1000,
		refusals: 1,
		stats:    Stats{Calls: map[string]int{}},
		conns:    map[net.Conn]struct{}{},
	}
	f.root = &inode{id: f.newID(), children: map[string]*inode{}, perm: 0o755, owner: cfg.SuperUser, group: "supergroup", mtime: f.nowMillis()}
	f.inodes[f.root.id] = f.root
	return f
}

// Start listens on the NameNode and DataNode addresses and serves them
// until Close.
func (f *Fake) Start() error {
	nn, err := net.Listen("tcp", f.cfg.NameNodeAddr)
	if err != nil {
		return fmt.Errorf("hdfsfake: NameNode: %w", err)
	}
	dn, err := net.Listen("tcp", f.cfg.DataNodeAddr)
	if err != nil {
		nn.Close()
		return fmt.Errorf("hdfsfake: DataNode: %w", err)
	}
	f.mu.Lock()
	if f.closed || f.nnLn != nil {
		f.mu.Unlock()
		nn.Close()
		dn.Close()
		return errors.New("hdfsfake: Start after Start or Close")
	}
	f.nnLn, f.dnLn = nn, dn
	f.mu.Unlock()
	f.wg.Add(2)
	go f.accept(nn, f.serveNameNode)
	go f.accept(dn, f.serveDataNode)
	return nil
}

// Addr is the NameNode's host:port.
func (f *Fake) Addr() string { return f.nnLn.Addr().String() }

// URL is the file system's URI, hdfs://host:port.
func (f *Fake) URL() string { return "hdfs://" + f.Addr() }

// DataNodeAddr is the DataNode's data transfer host:port.
func (f *Fake) DataNodeAddr() string { return f.dnLn.Addr().String() }

// Close stops serving: it closes the listeners and every connection and
// waits for their goroutines. The namespace stays readable.
func (f *Fake) Close() error {
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		c.Close()
	}
	lns := []net.Listener{f.nnLn, f.dnLn}
	f.mu.Unlock()
	for _, ln := range lns {
		if ln != nil {
			ln.Close()
		}
	}
	f.wg.Wait()
	return nil
}

func (f *Fake) accept(ln net.Listener, serve func(net.Conn)) {
	defer f.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			c.Close()
			return
		}
		f.conns[c] = struct{}{}
		f.wg.Add(1)
		f.mu.Unlock()
		go func() {
			defer f.wg.Done()
			defer func() {
				f.mu.Lock()
				delete(f.conns, c)
				f.mu.Unlock()
				c.Close()
			}()
			serve(c)
		}()
	}
}

// SetCompleteRefusals sets how many complete calls per file the NameNode
// answers false (the client library reports ErrReplicating) before it has
// "heard" from the DataNode that the last block is stored, as a real
// NameNode does while the DataNode's block report is on its way. The
// default is 1: the first complete of every file is refused. 0 disables.
func (f *Fake) SetCompleteRefusals(n int) {
	f.mu.Lock()
	f.refusals = max(n, 0)
	f.mu.Unlock()
}

// DropPipeline makes the DataNode drop a coming write pipeline: the next
// pipeline it accepts is closed, without acknowledging or storing it, when
// its data packet number afterPackets+1 arrives (afterPackets 0: the
// first). Calls queue up, one pipeline each.
func (f *Fake) DropPipeline(afterPackets int) {
	f.mu.Lock()
	f.drops = append(f.drops, drop{after: max(afterPackets, 0)})
	f.mu.Unlock()
}

// DropPipelineAfterStoring is DropPipeline for a DataNode that fails after
// writing the packet to its disk: it stores data packet afterPackets+1,
// then closes the connection without acknowledging it, so the replica
// (and, after lease recovery, the file) holds bytes the client never saw
// acknowledged.
func (f *Fake) DropPipelineAfterStoring(afterPackets int) {
	f.mu.Lock()
	f.drops = append(f.drops, drop{after: max(afterPackets, 0), store: true})
	f.mu.Unlock()
}

// drop is a DropPipeline fault.
type drop struct {
	after int
	store bool
}

// SetStandby makes the NameNode answer every ClientProtocol call with
// StandbyException, as the standby NameNode of an HA pair does, so that
// clients fail over to the next NameNode of the name service.
func (f *Fake) SetStandby(standby bool) {
	f.mu.Lock()
	f.standby = standby
	f.mu.Unlock()
}

// ClearFaults removes queued DropPipeline faults and restores the default
// complete refusals.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	f.drops = nil
	f.refusals = 1
	f.mu.Unlock()
}

// Stats returns a copy of the counters.
func (f *Fake) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Calls = make(map[string]int, len(f.stats.Calls))
	for k, v := range f.stats.Calls {
		s.Calls[k] = v
	}
	return s
}

// ReadFile returns the bytes the DataNode holds for the file at path, in
// block order: what a reader gets, including the flushed (acknowledged)
// part of a block still being written, which getFileInfo does not count.
func (f *Fake) ReadFile(path string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, rerr := f.lookupFile(path)
	if rerr != nil {
		return nil, rerr
	}
	var out []byte
	for _, b := range n.blocks {
		if r := f.replicas[b.id]; r != nil {
			out = append(out, r.data...)
		}
	}
	return out, nil
}

// Stat describes the file at path.
func (f *Fake) Stat(path string) (FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, rerr := f.lookupFile(path)
	if rerr != nil {
		return FileInfo{}, rerr
	}
	fi := FileInfo{Length: int64(f.fileLength(n)), UnderConstruction: n.lease != nil, Blocks: len(n.blocks), Owner: n.owner}
	if n.lease != nil {
		fi.LeaseHolder = n.lease.holder
	}
	return fi, nil
}

// Files returns the paths of every file, sorted.
func (f *Fake) Files() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	var walk func(dir *inode, prefix string)
	walk = func(dir *inode, prefix string) {
		for name, c := range dir.children {
			if c.isDir() {
				walk(c, prefix+"/"+name)
			} else {
				out = append(out, prefix+"/"+name)
			}
		}
	}
	walk(f.root, "")
	sort.Strings(out)
	return out
}

func (f *Fake) lookupFile(path string) (*inode, *remoteError) {
	parts, rerr := splitPath(path)
	if rerr != nil {
		return nil, rerr
	}
	n := f.walk(parts)
	if n == nil {
		return nil, errFileNotFound("File does not exist: " + path)
	}
	if n.isDir() {
		return nil, errFileNotFound("Path is not a file: " + path)
	}
	return n, nil
}

func (f *Fake) nowMillis() int64 { return f.cfg.Now().UnixMilli() }

func (f *Fake) newID() uint64 {
	f.nextID++
	return f.nextID - 1
}

func randUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
