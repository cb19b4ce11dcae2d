package hdfsfake

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// memConn is a connection whose peer sent in and discards what it is sent.
type memConn struct{ r io.Reader }

func (c *memConn) Read(b []byte) (int, error)         { return c.r.Read(b) }
func (c *memConn) Write(b []byte) (int, error)        { return len(b), nil }
func (c *memConn) Close() error                       { return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8020} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

func frame(msgs ...proto.Message) []byte {
	b := make([]byte, 4)
	for _, m := range msgs {
		b = appendDelimited(b, m)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

// nameNodeSession is a client's bytes: header, context, a create, an
// addBlock and a complete.
func nameNodeSession() []byte {
	call := func(id int32, method string, req proto.Message) []byte {
		return frame(rpcHeader(id), &pb.RequestHeaderProto{MethodName: proto.String(method),
			DeclaringClassProtocolName: proto.String(clientProtocol), ClientProtocolVersion: proto.Uint64(1)}, req)
	}
	var b []byte
	b = append(b, hrpc...)
	b = append(b, frame(rpcHeader(callConnectionCtx), &pb.IpcConnectionContextProto{UserInfo: &pb.UserInformationProto{EffectiveUser: proto.String("u")}})...)
	b = append(b, call(0, "create", &pb.CreateRequestProto{Src: proto.String("/a/b"), Masked: &pb.FsPermissionProto{Perm: proto.Uint32(0o644)},
		ClientName: proto.String("c"), CreateFlag: proto.Uint32(1), CreateParent: proto.Bool(true), Replication: proto.Uint32(1), BlockSize: proto.Uint64(1 << 20)})...)
	b = append(b, call(1, "addBlock", &pb.AddBlockRequestProto{Src: proto.String("/a/b"), ClientName: proto.String("c")})...)
	b = append(b, call(2, "complete", &pb.CompleteRequestProto{Src: proto.String("/a/b"), ClientName: proto.String("c")})...)
	b = append(b, call(3, "getListing", &pb.GetListingRequestProto{Src: proto.String("/a"), StartAfter: []byte{}, NeedLocation: proto.Bool(false)})...)
	return b
}

// FuzzNameNode feeds a NameNode connection arbitrary bytes: it must answer
// or close, never panic or hang.
func FuzzNameNode(f *testing.F) {
	f.Add(nameNodeSession())
	f.Add(append([]byte{'h', 'r', 'p', 'c', 9, 0, 0xdf}, frame(rpcHeader(callSASL), &pb.RpcSaslProto{State: pb.RpcSaslProto_NEGOTIATE.Enum()})...))
	f.Add([]byte("hrpc\x09\x00\x00\x00\x00\x00\x05\x03\x10\x00\x18\x01"))
	fake := New(Config{})
	if err := fake.Start(); err != nil {
		f.Fatal(err)
	}
	defer fake.Close()
	f.Fuzz(func(t *testing.T, in []byte) {
		s := &nnConn{f: fake, c: &memConn{bytes.NewReader(in)}, br: bufio.NewReader(bytes.NewReader(in)), machine: "127.0.0.1"}
		s.serve()
	})
}

// FuzzDataNode feeds a DataNode connection arbitrary bytes after a block
// was allocated for it.
func FuzzDataNode(f *testing.F) {
	fake := New(Config{})
	if err := fake.Start(); err != nil {
		f.Fatal(err)
	}
	defer fake.Close()
	// The session's complete names no last block, so the file stays open
	// and its block writable.
	nn := &memConn{bytes.NewReader(nameNodeSession())}
	(&nnConn{f: fake, c: nn, br: bufio.NewReader(nn), machine: "127.0.0.1"}).serve()
	var blk *block
	fake.mu.Lock()
	for _, b := range fake.blocks {
		blk = b
	}
	fake.mu.Unlock()

	eb := &pb.ExtendedBlockProto{PoolId: proto.String(fake.poolID), BlockId: proto.Uint64(1 << 30), GenerationStamp: proto.Uint64(1)}
	if blk != nil {
		eb = fake.extended(blk)
	}
	write := appendDelimited([]byte{0, dataTransferVersion, opWriteBlock}, &pb.OpWriteBlockProto{
		Header: &pb.ClientOperationHeaderProto{BaseHeader: &pb.BaseHeaderProto{Block: eb}, ClientName: proto.String("c")},
		Stage:  pb.OpWriteBlockProto_PIPELINE_SETUP_CREATE.Enum(), PipelineSize: proto.Uint32(1),
		MinBytesRcvd: proto.Uint64(0), MaxBytesRcvd: proto.Uint64(0), LatestGenerationStamp: proto.Uint64(0),
		RequestedChecksum: &pb.ChecksumProto{Type: pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(), BytesPerChecksum: proto.Uint32(512)},
	})
	data := []byte("some data")
	write = appendPacket(write, &pb.PacketHeaderProto{OffsetInBlock: proto.Int64(0), Seqno: proto.Int64(0), LastPacketInBlock: proto.Bool(false), DataLen: proto.Int32(int32(len(data)))}, crc32c(data), data)
	write = appendPacket(write, &pb.PacketHeaderProto{OffsetInBlock: proto.Int64(9), Seqno: proto.Int64(1), LastPacketInBlock: proto.Bool(true), DataLen: proto.Int32(0)}, nil, nil)
	f.Add(write)
	f.Add(appendDelimited([]byte{0, dataTransferVersion, opReadBlock}, &pb.OpReadBlockProto{
		Header: &pb.ClientOperationHeaderProto{BaseHeader: &pb.BaseHeaderProto{Block: eb}, ClientName: proto.String("c")},
		Offset: proto.Uint64(0), Len: proto.Uint64(9)}))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &memConn{bytes.NewReader(in)}
		d := &dnConn{f: fake, c: c, br: bufio.NewReader(c)}
		d.serve()
		// Let the next input write the block afresh.
		if blk != nil {
			fake.mu.Lock()
			delete(fake.replicas, blk.id)
			fake.mu.Unlock()
		}
	})
}

// FuzzPacket decodes one data transfer packet.
func FuzzPacket(f *testing.F) {
	data := []byte("0123456789")
	f.Add(appendPacket(nil, &pb.PacketHeaderProto{OffsetInBlock: proto.Int64(0), Seqno: proto.Int64(3), LastPacketInBlock: proto.Bool(false), DataLen: proto.Int32(10)}, crc32c(data), data))
	f.Add([]byte{0, 0, 0, 4, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := readPacket(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(p.checksums)+len(p.data) > len(in) || int(p.header.GetDataLen()) != len(p.data) {
			t.Fatalf("decoded %d+%d bytes from %d, dataLen %d", len(p.checksums), len(p.data), len(in), p.header.GetDataLen())
		}
		re := appendPacket(nil, p.header, p.checksums, p.data)
		q, err := readPacket(bytes.NewReader(re))
		if err != nil || !bytes.Equal(q.data, p.data) || !bytes.Equal(q.checksums, p.checksums) {
			t.Fatalf("re-encoded packet decodes as %v, %v", q, err)
		}
	})
}

// FuzzRPCRequest decodes one RPC request packet.
func FuzzRPCRequest(f *testing.F) {
	f.Add(nameNodeSession()[len(hrpc):])
	f.Fuzz(func(t *testing.T, in []byte) {
		fr, err := readFrame(bytes.NewReader(in), 1<<20)
		if err != nil {
			return
		}
		if len(fr) > len(in) {
			t.Fatalf("frame of %d bytes from %d", len(fr), len(in))
		}
		parseRPCRequest(fr)
	})
}
