package hdfsfake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// dnConn is one connection to the DataNode's data transfer port.
type dnConn struct {
	f  *Fake
	c  net.Conn
	br *bufio.Reader
}

func (f *Fake) serveDataNode(c net.Conn) {
	d := &dnConn{f: f, c: c, br: bufio.NewReaderSize(c, 128<<10)}
	if err := d.serve(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		f.log.Info("hdfsfake: DataNode connection closed", "client", c.RemoteAddr().String(), "err", err)
	}
}

// serve runs operations until the client closes the connection, as
// DataXceiver does with a kept-alive connection.
func (d *dnConn) serve() error {
	for {
		d.c.SetReadDeadline(time.Now().Add(d.f.cfg.SocketTimeout))
		op, err := readOp(d.br)
		if err != nil {
			return err
		}
		body, err := readDelimitedMsg(d.br, maxOpBytes)
		if err != nil {
			return fmt.Errorf("op %d: %w", op, err)
		}
		var keep bool
		switch op {
		case opWriteBlock:
			keep, err = d.writeBlock(body)
		case opReadBlock:
			keep, err = d.readBlock(body)
		default:
			name, known := opNames[op]
			if !known {
				return fmt.Errorf("Unknown op %d in data stream", op)
			}
			d.f.mu.Lock()
			d.f.stats.Refused++
			d.f.mu.Unlock()
			return d.opResponse(&pb.BlockOpResponseProto{Status: pb.Status_ERROR_UNSUPPORTED.Enum(),
				Message: proto.String("the flumego HDFS fake DataNode does not implement " + name)})
		}
		if err != nil || !keep {
			return err
		}
	}
}

func (d *dnConn) opResponse(r *pb.BlockOpResponseProto) error {
	_, err := d.c.Write(appendDelimited(nil, r))
	return err
}

func (d *dnConn) opError(status pb.Status, msg string) (bool, error) {
	if err := d.opResponse(&pb.BlockOpResponseProto{Status: status.Enum(), Message: proto.String(msg)}); err != nil {
		return false, err
	}
	return false, errors.New(msg)
}

func blockName(b *pb.ExtendedBlockProto) string {
	return fmt.Sprintf("%s:blk_%d_%d", b.GetPoolId(), b.GetBlockId(), b.GetGenerationStamp())
}

// writeBlock receives a block written through a pipeline of this one
// DataNode: it stores every packet, verifying its checksums, and
// acknowledges it in order.
func (d *dnConn) writeBlock(body []byte) (bool, error) {
	f := d.f
	op := &pb.OpWriteBlockProto{}
	if err := proto.Unmarshal(body, op); err != nil {
		return false, fmt.Errorf("OpWriteBlockProto: %w", err)
	}
	eb := op.GetHeader().GetBaseHeader().GetBlock()
	refuse := func(msg string) (bool, error) {
		f.mu.Lock()
		f.stats.Refused++
		f.mu.Unlock()
		return d.opError(pb.Status_ERROR_UNSUPPORTED, msg)
	}
	if s := op.GetStage(); s != pb.OpWriteBlockProto_PIPELINE_SETUP_CREATE {
		return refuse("the flumego HDFS fake DataNode implements only the PIPELINE_SETUP_CREATE stage, not " + s.String())
	}
	if len(op.GetTargets()) > 0 {
		return refuse("the flumego HDFS fake DataNode does not forward to downstream DataNodes")
	}
	if op.GetAllowLazyPersist() || op.GetPinning() {
		return refuse("the flumego HDFS fake DataNode does not implement lazy persist or pinning")
	}
	cs, err := newChecksummer(op.GetRequestedChecksum())
	if err != nil {
		return d.opError(pb.Status_ERROR_INVALID, err.Error())
	}
	if eb.GetPoolId() != f.poolID {
		return d.opError(pb.Status_ERROR, "Cannot find BPOfferService for bpid="+eb.GetPoolId())
	}

	f.mu.Lock()
	b := f.blocks[eb.GetBlockId()]
	var msg string
	switch {
	case b == nil || b.gs != eb.GetGenerationStamp():
		msg = "block " + blockName(eb) + " was not allocated by the NameNode"
	case b.state != blockUnderConstruction || b.file.lease == nil:
		msg = "block " + blockName(eb) + " is not under construction"
	case f.replicas[b.id] != nil:
		state := "RBW"
		if f.replicas[b.id].finalized {
			state = "FINALIZED"
		}
		msg = "Block " + blockName(eb) + " already exists in state " + state + " and thus cannot be created."
	}
	if msg != "" {
		f.mu.Unlock()
		return d.opError(pb.Status_ERROR, msg)
	}
	fault := drop{after: -1}
	if len(f.drops) > 0 {
		fault, f.drops = f.drops[0], f.drops[1:]
	}
	r := &replica{id: b.id, gs: b.gs, csType: int32(cs.typ), bpc: cs.bpc, writer: func() { d.c.Close() }}
	f.replicas[b.id] = r
	f.stats.Pipelines++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		r.writer = nil
		f.mu.Unlock()
	}()

	if err := d.opResponse(&pb.BlockOpResponseProto{Status: pb.Status_SUCCESS.Enum(), FirstBadLink: proto.String("")}); err != nil {
		return false, err
	}
	lastSeqno := int64(-1 << 62)
	dataPackets := 0
	for {
		d.c.SetReadDeadline(time.Now().Add(f.cfg.SocketTimeout))
		p, err := readPacket(d.br)
		if err != nil {
			return false, fmt.Errorf("%s: %w", blockName(eb), err)
		}
		h := p.header
		seqno := h.GetSeqno()
		if seqno == heartbeatSeqno {
			if len(p.data) > 0 || h.GetLastPacketInBlock() {
				return false, fmt.Errorf("%s: heartbeat packet with data", blockName(eb))
			}
			if err := d.ack(heartbeatSeqno, pb.Status_SUCCESS); err != nil {
				return false, err
			}
			continue
		}
		if seqno <= lastSeqno {
			return false, fmt.Errorf("%s: packet seqno %d after %d", blockName(eb), seqno, lastSeqno)
		}
		lastSeqno = seqno
		dataPackets++
		dropNow := fault.after >= 0 && dataPackets > fault.after
		if dropNow && !fault.store {
			return false, d.dropped(eb, dataPackets)
		}
		bad, err := cs.verify(p.checksums, p.data)
		if err != nil {
			return false, fmt.Errorf("%s: %w", blockName(eb), err)
		}
		if bad >= 0 {
			d.ack(seqno, pb.Status_ERROR_CHECKSUM)
			return false, fmt.Errorf("Unexpected checksum mismatch while writing %s: chunk %d of packet %d", blockName(eb), bad, seqno)
		}
		if err := d.store(r, cs, h, p.data); err != nil {
			return false, fmt.Errorf("%s: %w", blockName(eb), err)
		}
		if dropNow {
			return false, d.dropped(eb, dataPackets)
		}
		if err := d.ack(seqno, pb.Status_SUCCESS); err != nil {
			return false, err
		}
		if h.GetLastPacketInBlock() {
			return true, nil
		}
	}
}

func (d *dnConn) dropped(eb *pb.ExtendedBlockProto, packet int) error {
	d.f.mu.Lock()
	d.f.stats.Dropped++
	d.f.mu.Unlock()
	return fmt.Errorf("%s: pipeline dropped at packet %d, as asked", blockName(eb), packet)
}

// store adds a packet's data to the replica (BlockReceiver.receivePacket):
// a packet may repeat bytes already stored (a client resends the partial
// last chunk after a flush), which must be the same bytes, but not leave a
// gap; one starting inside a chunk must end by that chunk's end.
func (d *dnConn) store(r *replica, cs *checksummer, h *pb.PacketHeaderProto, data []byte) error {
	f := d.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.replicas[r.id] != r {
		return errors.New("the replica was deleted or recovered while being written")
	}
	off, onDisk := h.GetOffsetInBlock(), r.size
	if off < 0 || off > onDisk {
		return fmt.Errorf("packet at offset %d, but %d bytes received", off, onDisk)
	}
	if off%int64(cs.bpc) != 0 && len(data) > cs.bpc {
		return fmt.Errorf("Unexpected packet data length: a partial chunk must be sent in an individual packet (data length = %d > bytesPerChecksum = %d)", len(data), cs.bpc)
	}
	overlap := min(onDisk-off, int64(len(data)))
	if !f.cfg.DiscardData {
		if !bytes.Equal(r.data[off:off+overlap], data[:overlap]) {
			return fmt.Errorf("packet at offset %d resends %d stored bytes with different contents", off, overlap)
		}
		r.data = append(r.data, data[overlap:]...)
	}
	r.size += int64(len(data)) - overlap
	if h.GetLastPacketInBlock() {
		// The replica is finalized and reported to the NameNode.
		r.finalized = true
		if b := f.blocks[r.id]; b != nil {
			f.tryComplete(b)
		}
	}
	return nil
}

func (d *dnConn) ack(seqno int64, status pb.Status) error {
	_, err := d.c.Write(appendDelimited(nil, &pb.PipelineAckProto{
		Seqno: proto.Int64(seqno), Reply: []pb.Status{status},
		DownstreamAckTimeNanos: proto.Uint64(0), Flag: []uint32{uint32(status)},
	}))
	return err
}

// readBlock sends a range of a replica, finalized or being written (up to
// the bytes acknowledged), in packets from the chunk boundary before the
// requested offset.
func (d *dnConn) readBlock(body []byte) (bool, error) {
	f := d.f
	op := &pb.OpReadBlockProto{}
	if err := proto.Unmarshal(body, op); err != nil {
		return false, fmt.Errorf("OpReadBlockProto: %w", err)
	}
	eb := op.GetHeader().GetBaseHeader().GetBlock()
	f.mu.Lock()
	r := f.replicas[eb.GetBlockId()]
	var data []byte
	var csType pb.ChecksumTypeProto
	var bpc, gs = 0, uint64(0)
	if r != nil {
		data, csType, bpc, gs = r.data[:len(r.data):len(r.data)], pb.ChecksumTypeProto(r.csType), r.bpc, r.gs
		f.stats.Reads++
	}
	f.mu.Unlock()
	switch {
	case eb.GetPoolId() != f.poolID || r == nil:
		return d.opError(pb.Status_ERROR, "Replica not found for "+blockName(eb))
	case f.cfg.DiscardData:
		f.mu.Lock()
		f.stats.Refused++
		f.mu.Unlock()
		return d.opError(pb.Status_ERROR_UNSUPPORTED, "the flumego HDFS fake DataNode discards data (Config.DiscardData): it cannot be read")
	case gs < eb.GetGenerationStamp():
		return d.opError(pb.Status_ERROR, fmt.Sprintf("Replica gen stamp < block genstamp, block=%s, replica gen stamp %d", blockName(eb), gs))
	}
	off, n, visible := op.GetOffset(), op.GetLen(), uint64(len(data))
	if off > visible || n > visible-off {
		return d.opError(pb.Status_ERROR, fmt.Sprintf("Offset %d and length %d don't match block %s ( blockLen %d )", off, n, blockName(eb), visible))
	}
	if !op.GetSendChecksums() {
		csType = pb.ChecksumTypeProto_CHECKSUM_NULL
	}
	cs, err := newChecksummer(&pb.ChecksumProto{Type: csType.Enum(), BytesPerChecksum: proto.Uint32(uint32(bpc))})
	if err != nil {
		return false, err
	}
	start := off - off%uint64(bpc)
	end := min(visible, (off+n+uint64(bpc)-1)/uint64(bpc)*uint64(bpc))
	if err := d.opResponse(&pb.BlockOpResponseProto{Status: pb.Status_SUCCESS.Enum(), ReadOpChecksumInfo: &pb.ReadOpChecksumInfoProto{
		Checksum:    &pb.ChecksumProto{Type: csType.Enum(), BytesPerChecksum: proto.Uint32(uint32(bpc))},
		ChunkOffset: proto.Uint64(start),
	}}); err != nil {
		return false, err
	}
	per := max(1, (64<<10)/bpc) * bpc
	var seqno int64
	w := bufio.NewWriterSize(d.c, 128<<10)
	for pos := start; ; seqno++ {
		k := min(uint64(per), end-pos)
		chunk := data[pos : pos+k]
		last := k == 0
		out := appendPacket(nil, &pb.PacketHeaderProto{
			OffsetInBlock: proto.Int64(int64(pos)), Seqno: proto.Int64(seqno),
			LastPacketInBlock: proto.Bool(last), DataLen: proto.Int32(int32(k)),
		}, cs.sum(nil, chunk), chunk)
		if _, err := w.Write(out); err != nil {
			return false, err
		}
		if last {
			break
		}
		pos += k
	}
	if err := w.Flush(); err != nil {
		return false, err
	}
	// A client that read the whole range answers with a status
	// (ClientReadStatusProto) and may then send another operation; one
	// that just closes the connection ends it.
	d.c.SetReadDeadline(time.Now().Add(f.cfg.SocketTimeout))
	b, err := readDelimitedMsg(d.br, maxOpBytes)
	if err != nil {
		return false, nil
	}
	st := &pb.ClientReadStatusProto{}
	if err := proto.Unmarshal(b, st); err != nil {
		return false, fmt.Errorf("ClientReadStatusProto: %w", err)
	}
	return true, nil
}
