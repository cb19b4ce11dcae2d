package dfs

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// The client side of HDFS's data transfer protocol, for writing: Hadoop's
// DFSOutputStream without its pipeline recovery. A file's data goes block
// by block (addBlock) through a pipeline of DataNodes in packets of up to
// 126 chunks of bytesPerChecksum bytes with a CRC each; Flush sends what is
// buffered and waits until the pipeline has acknowledged every packet (the
// partial last chunk is sent again, completed, with the next packet, as
// Java's client does); Close ends the last block and asks the NameNode to
// complete the file, which it may refuse until the DataNodes have reported
// the block (ErrRetry). A pipeline that fails is not rebuilt: the file is
// broken, Write and Flush fail, and Close recovers its lease.

const (
	dataTransferVersion = 28
	opWriteBlock        = 80
	chunksPerPacket     = 126 // Hadoop's for 64 KiB packets of 512-byte chunks
	maxPacketsInFlight  = 80  // dfs.client.write.max-packets-in-flight
	heartbeatSeqno      = -1
)

// heartbeatInterval is how long a pipeline may idle before it sends a
// heartbeat packet (half of the DataNodes' 60s socket timeout, as Hadoop's
// client does); a variable for tests.
var heartbeatInterval = 30 * time.Second

type fileState int

const (
	fileOpen       fileState = iota
	fileCompleting           // data written; complete answered false
	fileBroken               // a pipeline failed: recover the lease
	fileClosed
)

// hdfsFile is a file being written.
type hdfsFile struct {
	fs          *hdfsFS
	path        string
	fileID      uint64
	blockSize   int64
	replication int
	bpc         int
	csType      pb.ChecksumTypeProto

	mu         sync.Mutex
	state      fileState
	err        error                  // why the file broke
	block      *pb.ExtendedBlockProto // the current (or last) block
	blockStart int64                  // file offset of the current block
	pipe       *pipeline              // nil between blocks
	buf        []byte                 // unsent bytes of the block, from a chunk boundary
	bufOff     int64                  // block offset of buf[0]
	sent       int64                  // block offset up to which data was sent
	seqno      int64                  // next packet's
}

func (f *hdfsFile) clientName() string { return f.fs.client.Name() }

func (f *hdfsFile) fail(err error) error {
	if f.state == fileOpen || f.state == fileCompleting {
		f.state = fileBroken
		f.err = err
	}
	if f.pipe != nil {
		f.pipe.close()
		f.pipe = nil
	}
	return f.fs.wrap("write", f.path, err)
}

// Write buffers p, sending every full packet; a block boundary ends the
// block (waiting for its acknowledgements) and starts the next.
func (f *hdfsFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != fileOpen {
		return 0, f.notOpen("write")
	}
	n := 0
	for len(p) > 0 {
		if f.pipe == nil {
			if err := f.startBlock(); err != nil {
				return n, f.fail(err)
			}
		}
		k := int(min(int64(len(p)), f.blockSize-f.bufOff-int64(len(f.buf))))
		f.buf = append(f.buf, p[:k]...)
		p, n = p[k:], n+k
		packet := chunksPerPacket * f.bpc
		for len(f.buf) >= packet {
			if err := f.send(packet); err != nil {
				return n, f.fail(err)
			}
		}
		if f.bufOff+int64(len(f.buf)) == f.blockSize {
			if err := f.endBlock(); err != nil {
				return n, f.fail(err)
			}
		}
	}
	return n, nil
}

func (f *hdfsFile) notOpen(op string) error {
	switch f.state {
	case fileBroken:
		return f.fs.errorf(op, f.path, nil, "the file broke earlier: %v", f.err)
	default:
		return f.fs.errorf(op, f.path, nil, "the file is closed or closing")
	}
}

// send sends the first n bytes of buf as one packet and drops the whole
// chunks among them from buf.
func (f *hdfsFile) send(n int) error {
	if err := f.pipe.send(f.bufOff, f.seqno, false, f.buf[:n]); err != nil {
		return err
	}
	f.seqno++
	f.sent = f.bufOff + int64(n)
	// Keep the partial last chunk at the start of the buffer, to resend;
	// the buffer's memory is reused.
	whole := n - n%f.bpc
	f.buf = f.buf[:copy(f.buf, f.buf[whole:])]
	f.bufOff += int64(whole)
	return nil
}

// Flush sends what is buffered and waits until the pipeline has
// acknowledged everything sent: the data is on every DataNode of the
// pipeline and visible to readers (hflush).
func (f *hdfsFile) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != fileOpen {
		return f.notOpen("flush")
	}
	if f.pipe != nil {
		if end := f.bufOff + int64(len(f.buf)); end > f.sent {
			if err := f.send(len(f.buf)); err != nil {
				return f.fail(err)
			}
		}
		if err := f.pipe.waitAcked(f.seqno-1, f.fs.timeout); err != nil {
			return f.fail(err)
		}
	}
	return nil
}

// startBlock asks the NameNode for the next block and sets up its
// pipeline, abandoning a block whose pipeline cannot be set up and asking
// for another without the DataNode at fault, up to three times.
func (f *hdfsFile) startBlock() error {
	var exclude []*pb.DatanodeInfoProto
	for attempt := 1; ; attempt++ {
		lb, err := f.addBlock(exclude)
		if err != nil {
			return err
		}
		p, bad, err := openPipeline(f, lb)
		if err == nil {
			f.pipe, f.block = p, lb.GetB()
			return nil
		}
		f.fs.call("abandonBlock", &pb.AbandonBlockRequestProto{B: lb.GetB(), Src: proto.String(f.path), Holder: proto.String(f.clientName()), FileId: proto.Uint64(f.fileID)}, &pb.AbandonBlockResponseProto{})
		if attempt == 3 || bad == nil {
			return err
		}
		f.fs.log.Warn("dfs: abandoning a block whose pipeline failed", "file", f.fs.uri+f.path, "datanode", bad.GetId().GetIpAddr(), "err", err)
		exclude = append(exclude, bad)
	}
}

// addBlock allocates the next block, committing the previous one; the
// NameNode may ask to wait until the previous block is replicated.
func (f *hdfsFile) addBlock(exclude []*pb.DatanodeInfoProto) (*pb.LocatedBlockProto, error) {
	req := &pb.AddBlockRequestProto{Src: proto.String(f.path), ClientName: proto.String(f.clientName()), Previous: f.block, ExcludeNodes: exclude, FileId: proto.Uint64(f.fileID)}
	deadline := time.Now().Add(f.fs.timeout)
	pause := 400 * time.Millisecond
	for {
		resp := &pb.AddBlockResponseProto{}
		err := f.fs.call("addBlock", req, resp)
		if err == nil {
			return resp.GetBlock(), nil
		}
		if exception(err) != exNotReplicatedYet || time.Now().Add(pause).After(deadline) {
			return nil, err
		}
		time.Sleep(pause)
		pause *= 2
	}
}

// endBlock sends the rest of the block and its last (empty) packet and
// waits for all acknowledgements.
func (f *hdfsFile) endBlock() error {
	if end := f.bufOff + int64(len(f.buf)); end > f.sent {
		if err := f.send(len(f.buf)); err != nil {
			return err
		}
	}
	length := f.bufOff + int64(len(f.buf))
	if err := f.pipe.send(length, f.seqno, true, nil); err != nil {
		return err
	}
	f.seqno++
	if err := f.pipe.waitAcked(f.seqno-1, f.fs.timeout); err != nil {
		return err
	}
	f.pipe.close()
	f.pipe = nil
	f.block = proto.Clone(f.block).(*pb.ExtendedBlockProto)
	f.block.NumBytes = proto.Uint64(uint64(length))
	f.blockStart += length
	f.buf, f.bufOff, f.sent = f.buf[:0], 0, 0
	return nil
}

// Close ends the last block and completes the file; while the NameNode
// waits for the DataNodes to report the last block it fails with ErrRetry
// and the next Close asks again. A broken file is closed by recovering its
// lease, also answered ErrRetry until the NameNode has done it.
func (f *hdfsFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.state {
	case fileClosed:
		return nil
	case fileOpen:
		if f.pipe != nil {
			if err := f.endBlock(); err != nil {
				f.fail(err)
				return f.fs.wrap("close", f.path, errors.Join(err, ErrRetry))
			}
		}
		f.state = fileCompleting
		fallthrough
	case fileCompleting:
		return f.complete()
	default:
		return f.recoverBroken()
	}
}

func (f *hdfsFile) complete() error {
	resp := &pb.CompleteResponseProto{}
	err := f.fs.call("complete", &pb.CompleteRequestProto{Src: proto.String(f.path), ClientName: proto.String(f.clientName()), Last: f.block, FileId: proto.Uint64(f.fileID)}, resp)
	if err != nil {
		return f.fs.wrap("close", f.path, err)
	}
	if !resp.GetResult() {
		return f.fs.errorf("close", f.path, ErrRetry, "the NameNode has not yet heard from the DataNodes that the last block is stored")
	}
	f.closed()
	return nil
}

func (f *hdfsFile) closed() {
	f.state = fileClosed
	f.fs.forget(f)
}

// recoverBroken asks the NameNode to recover the lease of a broken file:
// it closes the file at the length the DataNodes hold, which may include
// bytes written after the last successful Flush (a Truncate cuts them).
func (f *hdfsFile) recoverBroken() error {
	done, err := f.fs.recoverLease(f.path)
	if err != nil {
		return err
	}
	if !done {
		return f.fs.errorf("close", f.path, ErrRetry, "recovering the lease of the file, whose pipeline failed (%v)", f.err)
	}
	f.closed()
	return nil
}

// CurrentReplicas is the number of DataNodes in the pipeline of the
// current block, or the file's replication between blocks.
func (f *hdfsFile) CurrentReplicas() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pipe != nil {
		return f.pipe.nodes
	}
	return f.replication
}

// abort drops the pipeline of a file that will not be closed.
func (f *hdfsFile) abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pipe != nil {
		f.pipe.close()
		f.pipe = nil
	}
	if f.state != fileClosed {
		f.state = fileBroken
		f.err = errors.New("the file system was closed")
	}
}

// pipeline is the connection to the first DataNode of a block's pipeline.
type pipeline struct {
	f     *hdfsFile
	name  string
	nodes int // DataNodes in the pipeline
	conn  net.Conn
	cs    *crc32.Table
	csN   int // checksum bytes per chunk

	wmu      sync.Mutex // serializes packet writes
	lastSend time.Time
	out      []byte // the packet being written, reused

	mu      sync.Mutex
	pending []int64 // sent, unacknowledged seqnos, in order
	acked   int64
	err     error
	changed chan struct{} // closed and replaced on every change

	stop      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// openPipeline connects to the block's first DataNode and asks it to
// receive the block; bad is the DataNode to exclude when it fails.
func openPipeline(f *hdfsFile, lb *pb.LocatedBlockProto) (p *pipeline, bad *pb.DatanodeInfoProto, err error) {
	locs := lb.GetLocs()
	if len(locs) == 0 {
		return nil, nil, errors.New("addBlock answered a block without DataNodes")
	}
	id := locs[0].GetId()
	host := id.GetIpAddr()
	if f.fs.useHostname {
		host = id.GetHostName()
	}
	addr := net.JoinHostPort(host, strconv.Itoa(int(id.GetXferPort())))
	ctx, cancel := context.WithTimeout(context.Background(), f.fs.timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, locs[0], fmt.Errorf("connecting to DataNode %s: %w", addr, err)
	}
	p = &pipeline{f: f, name: addr, nodes: len(locs), conn: conn, changed: make(chan struct{}), stop: make(chan struct{}), acked: -1 << 62}
	switch f.csType {
	case pb.ChecksumTypeProto_CHECKSUM_CRC32:
		p.cs, p.csN = crc32.IEEETable, 4
	case pb.ChecksumTypeProto_CHECKSUM_NULL:
	default:
		f.csType = pb.ChecksumTypeProto_CHECKSUM_CRC32C
		p.cs, p.csN = crc32.MakeTable(crc32.Castagnoli), 4
	}
	b := lb.GetB()
	op := &pb.OpWriteBlockProto{
		Header: &pb.ClientOperationHeaderProto{
			BaseHeader: &pb.BaseHeaderProto{Block: b, Token: lb.GetBlockToken()},
			ClientName: proto.String(f.clientName()),
		},
		Targets:               locs[1:],
		Stage:                 pb.OpWriteBlockProto_PIPELINE_SETUP_CREATE.Enum(),
		PipelineSize:          proto.Uint32(uint32(len(locs))),
		MinBytesRcvd:          proto.Uint64(0),
		MaxBytesRcvd:          proto.Uint64(0),
		LatestGenerationStamp: proto.Uint64(b.GetGenerationStamp()),
		RequestedChecksum:     &pb.ChecksumProto{Type: f.csType.Enum(), BytesPerChecksum: proto.Uint32(uint32(f.bpc))},
	}
	if st := lb.GetStorageTypes(); len(st) == len(locs) {
		op.StorageType, op.TargetStorageTypes = st[0].Enum(), st[1:]
	}
	if ids := lb.GetStorageIDs(); len(ids) == len(locs) {
		op.StorageId, op.TargetStorageIds = proto.String(ids[0]), ids[1:]
	}
	msg, _ := proto.Marshal(op)
	req := binary.BigEndian.AppendUint16(nil, dataTransferVersion)
	req = append(req, opWriteBlock)
	req = binary.AppendUvarint(req, uint64(len(msg)))
	conn.SetDeadline(time.Now().Add(f.fs.timeout))
	br := bufio.NewReader(conn)
	resp := &pb.BlockOpResponseProto{}
	if _, err = conn.Write(append(req, msg...)); err == nil {
		err = readDelimited(br, resp)
	}
	if err != nil {
		conn.Close()
		return nil, locs[0], fmt.Errorf("setting up the pipeline on DataNode %s: %w", addr, err)
	}
	if resp.GetStatus() != pb.Status_SUCCESS {
		conn.Close()
		bad = locs[0]
		if l := resp.GetFirstBadLink(); l != "" {
			for _, d := range locs {
				if net.JoinHostPort(d.GetId().GetIpAddr(), strconv.Itoa(int(d.GetId().GetXferPort()))) == l {
					bad = d
				}
			}
		}
		return nil, bad, fmt.Errorf("DataNode %s refused the block: %s %s", addr, resp.GetStatus(), resp.GetMessage())
	}
	conn.SetDeadline(time.Time{})
	p.lastSend = time.Now()
	p.wg.Add(2)
	go p.readAcks(br)
	go p.heartbeats()
	return p, nil, nil
}

func readDelimited(br *bufio.Reader, m proto.Message) error {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return err
	}
	if n > 1<<20 {
		return fmt.Errorf("a DataNode message of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return err
	}
	return proto.Unmarshal(b, m)
}

func (p *pipeline) setErr(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
		close(p.changed)
		p.changed = make(chan struct{})
	}
	p.mu.Unlock()
}

// send writes one packet at block offset off, once fewer than
// maxPacketsInFlight are unacknowledged.
func (p *pipeline) send(off, seqno int64, last bool, data []byte) error {
	for {
		p.mu.Lock()
		err, n, ch := p.err, len(p.pending), p.changed
		if err == nil && n < maxPacketsInFlight {
			p.pending = append(p.pending, seqno)
		}
		p.mu.Unlock()
		if err != nil {
			return err
		}
		if n < maxPacketsInFlight {
			break
		}
		select {
		case <-ch:
		case <-time.After(p.f.fs.timeout):
			return fmt.Errorf("DataNode %s acknowledged nothing for %v", p.name, p.f.fs.timeout)
		}
	}
	if err := p.write(off, seqno, last, data); err != nil {
		p.setErr(err)
		return err
	}
	return nil
}

func (p *pipeline) write(off, seqno int64, last bool, data []byte) error {
	h, _ := proto.Marshal(&pb.PacketHeaderProto{
		OffsetInBlock: proto.Int64(off), Seqno: proto.Int64(seqno),
		LastPacketInBlock: proto.Bool(last), DataLen: proto.Int32(int32(len(data))),
	})
	bpc := p.f.bpc
	chunks := (len(data) + bpc - 1) / bpc
	p.wmu.Lock()
	defer p.wmu.Unlock()
	out := p.out[:0]
	out = binary.BigEndian.AppendUint32(out, uint32(4+chunks*p.csN+len(data)))
	out = binary.BigEndian.AppendUint16(out, uint16(len(h)))
	out = append(out, h...)
	if p.cs != nil {
		for i := 0; i < len(data); i += bpc {
			out = binary.BigEndian.AppendUint32(out, crc32.Checksum(data[i:min(i+bpc, len(data))], p.cs))
		}
	}
	out = append(out, data...)
	p.out = out
	p.conn.SetWriteDeadline(time.Now().Add(p.f.fs.timeout))
	_, err := p.conn.Write(out)
	p.lastSend = time.Now()
	if err != nil {
		return fmt.Errorf("sending to DataNode %s: %w", p.name, err)
	}
	return nil
}

// readAcks reads the pipeline's acknowledgements, which must come in the
// order the packets went, all SUCCESS.
func (p *pipeline) readAcks(br *bufio.Reader) {
	defer p.wg.Done()
	for {
		p.conn.SetReadDeadline(time.Now().Add(p.f.fs.timeout + heartbeatInterval))
		ack := &pb.PipelineAckProto{}
		if err := readDelimited(br, ack); err != nil {
			select {
			case <-p.stop:
				p.setErr(errors.New("the pipeline is closed"))
			default:
				p.setErr(fmt.Errorf("reading acknowledgements from DataNode %s: %w", p.name, err))
			}
			return
		}
		for i, s := range ack.GetReply() {
			flag := uint32(0)
			if i < len(ack.GetFlag()) {
				flag = ack.GetFlag()[i] & 0xf
			}
			if s != pb.Status_SUCCESS || pb.Status(flag) != pb.Status_SUCCESS {
				p.setErr(fmt.Errorf("DataNode %d of the pipeline from %s answered %s for packet %d", i, p.name, s, ack.GetSeqno()))
				return
			}
		}
		seqno := ack.GetSeqno()
		if seqno == heartbeatSeqno {
			continue
		}
		p.mu.Lock()
		if len(p.pending) == 0 || p.pending[0] != seqno {
			p.mu.Unlock()
			p.setErr(fmt.Errorf("DataNode %s acknowledged packet %d out of order", p.name, seqno))
			return
		}
		p.pending = p.pending[1:]
		p.acked = seqno
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}
}

// heartbeats keeps an idle pipeline open, as the DataNodes time out one
// that sends nothing for 60 seconds.
func (p *pipeline) heartbeats() {
	defer p.wg.Done()
	t := time.NewTicker(heartbeatInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.wmu.Lock()
			idle := time.Since(p.lastSend) >= heartbeatInterval
			p.wmu.Unlock()
			if idle {
				if err := p.write(0, heartbeatSeqno, false, nil); err != nil {
					p.setErr(err)
					return
				}
			}
		}
	}
}

// waitAcked waits until packet seqno is acknowledged.
func (p *pipeline) waitAcked(seqno int64, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		p.mu.Lock()
		acked, err, ch := p.acked, p.err, p.changed
		p.mu.Unlock()
		if acked >= seqno {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-ch:
		case <-t.C:
			return fmt.Errorf("DataNode %s has not acknowledged packet %d after %v", p.name, seqno, timeout)
		}
	}
}

func (p *pipeline) close() {
	p.closeOnce.Do(func() {
		close(p.stop)
		p.conn.Close()
		p.wg.Wait()
	})
}
