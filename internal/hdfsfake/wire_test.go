package hdfsfake

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// These tests speak the protocols byte by byte, for the answers a client
// library never provokes.

type rawNN struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialNN(t *testing.T, f *Fake, header []byte) *rawNN {
	t.Helper()
	c, err := net.Dial("tcp", f.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(header); err != nil {
		t.Fatal(err)
	}
	return &rawNN{t: t, c: c, br: bufio.NewReader(c)}
}

var hrpc = []byte{'h', 'r', 'p', 'c', 9, 0, 0}

func rpcHeader(callID int32) *pb.RpcRequestHeaderProto {
	return &pb.RpcRequestHeaderProto{
		RpcKind: pb.RpcKindProto_RPC_PROTOCOL_BUFFER.Enum(), RpcOp: pb.RpcRequestHeaderProto_RPC_FINAL_PACKET.Enum(),
		CallId: proto.Int32(callID), ClientId: []byte("0123456789abcdef"),
	}
}

func (r *rawNN) send(msgs ...proto.Message) {
	r.t.Helper()
	b := make([]byte, 4)
	for _, m := range msgs {
		b = appendDelimited(b, m)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	if _, err := r.c.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawNN) context(user string) {
	r.send(rpcHeader(callConnectionCtx), &pb.IpcConnectionContextProto{
		UserInfo: &pb.UserInformationProto{EffectiveUser: proto.String(user)}, Protocol: proto.String(clientProtocol)})
}

func (r *rawNN) call(id int32, method, protocol string, req proto.Message) {
	r.send(rpcHeader(id), &pb.RequestHeaderProto{MethodName: proto.String(method),
		DeclaringClassProtocolName: proto.String(protocol), ClientProtocolVersion: proto.Uint64(1)}, req)
}

// answer reads a response packet; resp receives the message that follows
// a SUCCESS header.
func (r *rawNN) answer(resp proto.Message) (*pb.RpcResponseHeaderProto, error) {
	frame, err := readFrame(r.br, 1<<20)
	if err != nil {
		return nil, err
	}
	hb, rest, err := delimited(frame)
	if err != nil {
		return nil, err
	}
	h := &pb.RpcResponseHeaderProto{}
	if err := proto.Unmarshal(hb, h); err != nil {
		return nil, err
	}
	if h.GetStatus() == pb.RpcResponseHeaderProto_SUCCESS && resp != nil {
		b, _, err := delimited(rest)
		if err != nil {
			return h, err
		}
		return h, proto.Unmarshal(b, resp)
	}
	return h, nil
}

func (r *rawNN) wantError(status pb.RpcResponseHeaderProto_RpcStatusProto, class, msgPart string) {
	r.t.Helper()
	h, err := r.answer(nil)
	if err != nil {
		r.t.Fatalf("reading the answer: %v", err)
	}
	if h.GetStatus() != status || h.GetExceptionClassName() != class || !strings.Contains(h.GetErrorMsg(), msgPart) {
		r.t.Errorf("answer %v %s %q, want %v %s containing %q", h.GetStatus(), h.GetExceptionClassName(), h.GetErrorMsg(), status, class, msgPart)
	}
	if h.GetServerIpcVersionNum() != 9 {
		r.t.Errorf("serverIpcVersionNum %d", h.GetServerIpcVersionNum())
	}
}

func (r *rawNN) wantClosed() {
	r.t.Helper()
	if _, err := r.br.ReadByte(); !errors.Is(err, io.EOF) {
		r.t.Errorf("connection still open after a fatal answer (%v)", err)
	}
}

func TestIPCConnectionSetup(t *testing.T) {
	f := startFake(t, Config{})

	t.Run("version mismatch", func(t *testing.T) {
		r := dialNN(t, f, []byte{'h', 'r', 'p', 'c', 7, 0, 0})
		r.wantError(pb.RpcResponseHeaderProto_FATAL, ExVersionMismatch, "cannot communicate with client version 7")
		r.wantClosed()
	})
	t.Run("http on the IPC port", func(t *testing.T) {
		r := dialNN(t, f, []byte("GET / HTTP/1.1\r\n\r\n"))
		b, _ := io.ReadAll(r.br)
		if !strings.Contains(string(b), "HTTP request to a Hadoop IPC port") {
			t.Errorf("answer %q", b)
		}
	})
	t.Run("call before the connection context", func(t *testing.T) {
		r := dialNN(t, f, hrpc)
		r.call(0, "getServerDefaults", clientProtocol, &pb.GetServerDefaultsRequestProto{})
		r.wantError(pb.RpcResponseHeaderProto_FATAL, ExIpc, "Connection context not established")
		r.wantClosed()
	})
	t.Run("impersonation", func(t *testing.T) {
		r := dialNN(t, f, hrpc)
		r.send(rpcHeader(callConnectionCtx), &pb.IpcConnectionContextProto{
			UserInfo: &pb.UserInformationProto{EffectiveUser: proto.String("root"), RealUser: proto.String("flume")}})
		r.wantError(pb.RpcResponseHeaderProto_FATAL, ExAuthorization, "User: flume is not allowed to impersonate root")
		r.wantClosed()
	})
	t.Run("sasl negotiates simple", func(t *testing.T) {
		r := dialNN(t, f, []byte{'h', 'r', 'p', 'c', 9, 0, 0xdf})
		r.send(rpcHeader(callSASL), &pb.RpcSaslProto{State: pb.RpcSaslProto_NEGOTIATE.Enum()})
		resp := &pb.RpcSaslProto{}
		h, err := r.answer(resp)
		if err != nil || h.GetStatus() != pb.RpcResponseHeaderProto_SUCCESS || int32(h.GetCallId()) != callSASL || resp.GetState() != pb.RpcSaslProto_SUCCESS {
			t.Fatalf("negotiate answered %v %v %v", h, resp, err)
		}
		r.context("flume")
		r.call(1, "getServerDefaults", clientProtocol, &pb.GetServerDefaultsRequestProto{})
		d := &pb.GetServerDefaultsResponseProto{}
		if h, err := r.answer(d); err != nil || h.GetStatus() != pb.RpcResponseHeaderProto_SUCCESS || h.GetCallId() != 1 || d.GetServerDefaults().GetBlockSize() != 128<<20 {
			t.Fatalf("getServerDefaults answered %v %v %v", h, d, err)
		}
	})
	t.Run("kerberos refused", func(t *testing.T) {
		r := dialNN(t, f, []byte{'h', 'r', 'p', 'c', 9, 0, 0xdf})
		r.send(rpcHeader(callSASL), &pb.RpcSaslProto{State: pb.RpcSaslProto_INITIATE.Enum(), Token: []byte{1},
			Auths: []*pb.RpcSaslProto_SaslAuth{{Method: proto.String("KERBEROS"), Mechanism: proto.String("GSSAPI")}}})
		r.wantError(pb.RpcResponseHeaderProto_FATAL, ExAccessControl, "KERBEROS authentication is not enabled")
		r.wantClosed()
	})
	t.Run("sasl not requested", func(t *testing.T) {
		r := dialNN(t, f, hrpc)
		r.send(rpcHeader(callSASL), &pb.RpcSaslProto{State: pb.RpcSaslProto_NEGOTIATE.Enum()})
		r.wantError(pb.RpcResponseHeaderProto_FATAL, ExIpc, "SASL protocol not requested by client")
	})
	t.Run("garbled header", func(t *testing.T) {
		r := dialNN(t, f, hrpc)
		r.c.Write([]byte{0, 0, 0, 3, 2, 0xff, 0xff})
		r.wantError(pb.RpcResponseHeaderProto_FATAL, ExIpc, "RpcRequestHeaderProto")
		r.wantClosed()
	})
	t.Run("oversized packet", func(t *testing.T) {
		r := dialNN(t, f, hrpc)
		// Hadoop closes the connection without an answer.
		r.c.Write([]byte{0x7f, 0xff, 0xff, 0xff})
		r.wantClosed()
	})
}

func TestIPCCalls(t *testing.T) {
	f := startFake(t, Config{})
	r := dialNN(t, f, hrpc)
	r.context("flume")

	r.call(1, "noSuchThing", clientProtocol, &pb.GetServerDefaultsRequestProto{})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExNoSuchMethod, "Unknown method noSuchThing")
	r.call(2, "getServerDefaults", "org.apache.hadoop.hdfs.protocol.ClientDatanodeProtocol", &pb.GetServerDefaultsRequestProto{})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExNoSuchProtocol, "Unknown protocol")
	r.call(3, "concat", clientProtocol, &pb.GetServerDefaultsRequestProto{})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExUnsupported, "ClientProtocol.concat")
	// A request without its required fields.
	r.call(4, "getFileInfo", clientProtocol, &pb.GetServerDefaultsRequestProto{})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExInvalidProtocolBuffer, "required")
	r.call(5, "getFileInfo", clientProtocol, &pb.GetFileInfoRequestProto{Src: proto.String("relative/path")})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExInvalidPath, "relative/path")

	// The connection survives ERROR answers.
	create := func(id int32, src, client string) {
		r.call(id, "create", clientProtocol, &pb.CreateRequestProto{Src: proto.String(src), Masked: &pb.FsPermissionProto{Perm: proto.Uint32(0o644)},
			ClientName: proto.String(client), CreateFlag: proto.Uint32(1), CreateParent: proto.Bool(true),
			Replication: proto.Uint32(1), BlockSize: proto.Uint64(1 << 20)})
	}
	create(6, "/d/f", "c1")
	cr := &pb.CreateResponseProto{}
	if h, err := r.answer(cr); err != nil || h.GetStatus() != pb.RpcResponseHeaderProto_SUCCESS || cr.GetFs().GetFileId() == 0 {
		t.Fatalf("create answered %v %v %v", h, cr, err)
	}
	create(7, "/d/f", "c2")
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExAlreadyBeingCreated, "currently owned by c1")
	create(8, "/d/f", "c1")
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExAlreadyBeingCreated, "current leaseholder is trying to recreate file")
	r.call(9, "addBlock", clientProtocol, &pb.AddBlockRequestProto{Src: proto.String("/d/f"), ClientName: proto.String("c2")})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExLeaseExpired, "not the lease owner")
	r.call(10, "complete", clientProtocol, &pb.CompleteRequestProto{Src: proto.String("/d/f"), ClientName: proto.String("c1")})
	cp := &pb.CompleteResponseProto{}
	if h, err := r.answer(cp); err != nil || h.GetStatus() != pb.RpcResponseHeaderProto_SUCCESS || !cp.GetResult() {
		t.Fatalf("complete of an empty file answered %v %v %v", h, cp, err)
	}
	create(11, "/d/f", "c2")
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExFileAlreadyExists, "already exists")
	create(12, "/d/f/g", "c2")
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExParentNotDirectory, "/d/f")
	r.call(13, "rename2", clientProtocol, &pb.Rename2RequestProto{Src: proto.String("/d"), Dst: proto.String("/d/x"), OverwriteDest: proto.Bool(false)})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExIO, "under source")
	r.call(16, "rename2", clientProtocol, &pb.Rename2RequestProto{Src: proto.String("/d/f"), Dst: proto.String("/d"), OverwriteDest: proto.Bool(false)})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExFileAlreadyExists, "rename destination /d already exists")
	r.call(14, "rename2", clientProtocol, &pb.Rename2RequestProto{Src: proto.String("/d/f"), Dst: proto.String("/e/f"), OverwriteDest: proto.Bool(false)})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExFileNotFound, "rename destination parent")
	r.call(15, "delete", clientProtocol, &pb.DeleteRequestProto{Src: proto.String("/d"), Recursive: proto.Bool(false)})
	r.wantError(pb.RpcResponseHeaderProto_ERROR, ExPathIsNotEmptyDir, "is non empty")
	if s := f.Stats(); s.Refused != 3 {
		t.Errorf("%d refusals, want 3", s.Refused)
	}
}

// rawWrite opens a write pipeline for a block allocated through the
// NameNode protocol and returns the connection, past the operation's
// answer.
func rawPipeline(t *testing.T, f *Fake, path string) (net.Conn, *bufio.Reader, *pb.LocatedBlockProto) {
	t.Helper()
	r := dialNN(t, f, hrpc)
	r.context("flume")
	r.call(1, "create", clientProtocol, &pb.CreateRequestProto{Src: proto.String(path), Masked: &pb.FsPermissionProto{Perm: proto.Uint32(0o644)},
		ClientName: proto.String("raw"), CreateFlag: proto.Uint32(1), CreateParent: proto.Bool(true),
		Replication: proto.Uint32(1), BlockSize: proto.Uint64(1 << 20)})
	if _, err := r.answer(&pb.CreateResponseProto{}); err != nil {
		t.Fatal(err)
	}
	r.call(2, "addBlock", clientProtocol, &pb.AddBlockRequestProto{Src: proto.String(path), ClientName: proto.String("raw")})
	ab := &pb.AddBlockResponseProto{}
	if h, err := r.answer(ab); err != nil || h.GetStatus() != pb.RpcResponseHeaderProto_SUCCESS {
		t.Fatalf("addBlock: %v %v", h, err)
	}
	c, err := net.Dial("tcp", f.DataNodeAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	op := &pb.OpWriteBlockProto{
		Header: &pb.ClientOperationHeaderProto{BaseHeader: &pb.BaseHeaderProto{Block: ab.GetBlock().GetB()}, ClientName: proto.String("raw")},
		Stage:  pb.OpWriteBlockProto_PIPELINE_SETUP_CREATE.Enum(), PipelineSize: proto.Uint32(1),
		MinBytesRcvd: proto.Uint64(0), MaxBytesRcvd: proto.Uint64(0), LatestGenerationStamp: proto.Uint64(ab.GetBlock().GetB().GetGenerationStamp()),
		RequestedChecksum: &pb.ChecksumProto{Type: pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(), BytesPerChecksum: proto.Uint32(512)},
	}
	c.Write(appendDelimited([]byte{0, dataTransferVersion, opWriteBlock}, op))
	br := bufio.NewReader(c)
	resp := &pb.BlockOpResponseProto{}
	if b, err := readDelimitedMsg(br, 1<<20); err != nil || proto.Unmarshal(b, resp) != nil || resp.GetStatus() != pb.Status_SUCCESS {
		t.Fatalf("WRITE_BLOCK answered %v %v", resp, err)
	}
	return c, br, ab.GetBlock()
}

func crc32c(data []byte) []byte {
	var out []byte
	tab := crc32.MakeTable(crc32.Castagnoli)
	for i := 0; i < len(data); i += 512 {
		out = binary.BigEndian.AppendUint32(out, crc32.Checksum(data[i:min(i+512, len(data))], tab))
	}
	return out
}

func readAck(t *testing.T, br *bufio.Reader) *pb.PipelineAckProto {
	t.Helper()
	b, err := readDelimitedMsg(br, 1<<10)
	if err != nil {
		t.Fatalf("reading an ack: %v", err)
	}
	a := &pb.PipelineAckProto{}
	if err := proto.Unmarshal(b, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDataTransferWrite(t *testing.T) {
	f := startFake(t, Config{})
	c, br, _ := rawPipeline(t, f, "/raw")
	hdr := func(off, seq int64, n int, last bool) *pb.PacketHeaderProto {
		return &pb.PacketHeaderProto{OffsetInBlock: proto.Int64(off), Seqno: proto.Int64(seq), LastPacketInBlock: proto.Bool(last), DataLen: proto.Int32(int32(n))}
	}
	data := randomBytes(1300)
	// A flush at 700 bytes (inside the second chunk), then the partial
	// chunk resent from its boundary with the rest, as Java's client does.
	c.Write(appendPacket(nil, hdr(0, 0, 700, false), crc32c(data[:700]), data[:700]))
	if a := readAck(t, br); a.GetSeqno() != 0 || a.GetReply()[0] != pb.Status_SUCCESS || a.GetFlag()[0] != 0 {
		t.Fatalf("ack %v", a)
	}
	if got, _ := f.ReadFile("/raw"); len(got) != 700 {
		t.Fatalf("after the first packet the DataNode holds %d bytes", len(got))
	}
	c.Write(appendPacket(nil, hdr(-1, -1, 0, false), nil, nil)) // heartbeat
	if a := readAck(t, br); a.GetSeqno() != -1 {
		t.Fatalf("heartbeat ack %v", a)
	}
	c.Write(appendPacket(nil, hdr(512, 1, 1300-512, false), crc32c(data[512:]), data[512:]))
	if a := readAck(t, br); a.GetSeqno() != 1 {
		t.Fatalf("ack %v", a)
	}
	c.Write(appendPacket(nil, hdr(1300, 2, 0, true), nil, nil))
	if a := readAck(t, br); a.GetSeqno() != 2 {
		t.Fatalf("last ack %v", a)
	}
	if got, _ := f.ReadFile("/raw"); string(got) != string(data) {
		t.Fatalf("the DataNode holds %d bytes, not the %d sent", len(got), len(data))
	}

	t.Run("bad checksum", func(t *testing.T) {
		c, br, _ := rawPipeline(t, f, "/bad")
		sums := crc32c(data)
		sums[5] ^= 1
		c.Write(appendPacket(nil, hdr(0, 0, len(data), false), sums, data))
		if a := readAck(t, br); a.GetReply()[0] != pb.Status_ERROR_CHECKSUM {
			t.Errorf("ack %v, want ERROR_CHECKSUM", a)
		}
		if got, _ := f.ReadFile("/bad"); len(got) != 0 {
			t.Errorf("stored %d bytes of a corrupt packet", len(got))
		}
	})
	t.Run("unaligned packet over a chunk boundary", func(t *testing.T) {
		c, br, _ := rawPipeline(t, f, "/unaligned")
		c.Write(appendPacket(nil, hdr(0, 0, 100, false), crc32c(data[:100]), data[:100]))
		readAck(t, br)
		c.Write(appendPacket(nil, hdr(100, 1, 1000, false), crc32c(data[100:1100]), data[100:1100]))
		if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
			t.Errorf("the pipeline survived a partial chunk spanning chunks (%v)", err)
		}
	})
	t.Run("gap", func(t *testing.T) {
		c, br, _ := rawPipeline(t, f, "/gap")
		c.Write(appendPacket(nil, hdr(512, 0, 512, false), crc32c(data[:512]), data[:512]))
		if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
			t.Errorf("the pipeline survived a gap (%v)", err)
		}
	})
}

func TestDataTransferRefusals(t *testing.T) {
	f := startFake(t, Config{})
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", f.DataNodeAddr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return c, bufio.NewReader(c)
	}
	block := &pb.ExtendedBlockProto{PoolId: proto.String(f.poolID), BlockId: proto.Uint64(1), GenerationStamp: proto.Uint64(1)}
	header := &pb.ClientOperationHeaderProto{BaseHeader: &pb.BaseHeaderProto{Block: block}, ClientName: proto.String("x")}
	answer := func(br *bufio.Reader) *pb.BlockOpResponseProto {
		t.Helper()
		b, err := readDelimitedMsg(br, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		r := &pb.BlockOpResponseProto{}
		if err := proto.Unmarshal(b, r); err != nil {
			t.Fatal(err)
		}
		return r
	}

	c, br := dial()
	c.Write(appendDelimited([]byte{0, dataTransferVersion, 85}, &pb.BaseHeaderProto{Block: block}))
	if r := answer(br); r.GetStatus() != pb.Status_ERROR_UNSUPPORTED || !strings.Contains(r.GetMessage(), "BLOCK_CHECKSUM") {
		t.Errorf("BLOCK_CHECKSUM answered %v", r)
	}
	c, br = dial()
	c.Write(appendDelimited([]byte{0, dataTransferVersion, opWriteBlock}, &pb.OpWriteBlockProto{
		Header: header, Stage: pb.OpWriteBlockProto_PIPELINE_SETUP_APPEND.Enum(), PipelineSize: proto.Uint32(1),
		MinBytesRcvd: proto.Uint64(0), MaxBytesRcvd: proto.Uint64(0), LatestGenerationStamp: proto.Uint64(1),
		RequestedChecksum: &pb.ChecksumProto{Type: pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(), BytesPerChecksum: proto.Uint32(512)},
	}))
	if r := answer(br); r.GetStatus() != pb.Status_ERROR_UNSUPPORTED || !strings.Contains(r.GetMessage(), "PIPELINE_SETUP_APPEND") {
		t.Errorf("an append pipeline answered %v", r)
	}
	c, br = dial()
	c.Write(appendDelimited([]byte{0, dataTransferVersion, opReadBlock}, &pb.OpReadBlockProto{Header: header, Offset: proto.Uint64(0), Len: proto.Uint64(1)}))
	if r := answer(br); r.GetStatus() != pb.Status_ERROR || !strings.Contains(r.GetMessage(), "Replica not found") {
		t.Errorf("reading a missing block answered %v", r)
	}
	c, br = dial()
	c.Write([]byte{0, 27, opReadBlock})
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("a wrong data transfer version left the connection open (%v)", err)
	}
	if s := f.Stats(); s.Refused != 2 {
		t.Errorf("%d refusals, want 2", s.Refused)
	}
}

// TestReadOpenBlock reads a block still being written: the DataNode serves
// the acknowledged bytes, while the NameNode reports the file's length
// without them.
func TestReadOpenBlock(t *testing.T) {
	f := startFake(t, Config{})
	c, br, lb := rawPipeline(t, f, "/open")
	data := randomBytes(1000)
	c.Write(appendPacket(nil, &pb.PacketHeaderProto{OffsetInBlock: proto.Int64(0), Seqno: proto.Int64(0), LastPacketInBlock: proto.Bool(false), DataLen: proto.Int32(1000)}, crc32c(data), data))
	readAck(t, br)

	r := dialNN(t, f, hrpc)
	r.context("reader")
	r.call(1, "getBlockLocations", clientProtocol, &pb.GetBlockLocationsRequestProto{Src: proto.String("/open"), Offset: proto.Uint64(0), Length: proto.Uint64(1 << 30)})
	locs := &pb.GetBlockLocationsResponseProto{}
	if _, err := r.answer(locs); err != nil {
		t.Fatal(err)
	}
	l := locs.GetLocations()
	if l.GetFileLength() != 0 || !l.GetUnderConstruction() || l.GetIsLastBlockComplete() || len(l.GetBlocks()) != 0 || l.GetLastBlock().GetB().GetBlockId() != lb.GetB().GetBlockId() {
		t.Errorf("locations of the open file: %v", l)
	}

	rc, err := net.Dial("tcp", f.DataNodeAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rc.SetDeadline(time.Now().Add(10 * time.Second))
	rc.Write(appendDelimited([]byte{0, dataTransferVersion, opReadBlock}, &pb.OpReadBlockProto{
		Header: &pb.ClientOperationHeaderProto{BaseHeader: &pb.BaseHeaderProto{Block: lb.GetB()}, ClientName: proto.String("reader")},
		Offset: proto.Uint64(600), Len: proto.Uint64(400)}))
	rbr := bufio.NewReader(rc)
	b, err := readDelimitedMsg(rbr, 1<<20)
	resp := &pb.BlockOpResponseProto{}
	if err != nil || proto.Unmarshal(b, resp) != nil || resp.GetStatus() != pb.Status_SUCCESS {
		t.Fatalf("READ_BLOCK answered %v %v", resp, err)
	}
	if off := resp.GetReadOpChecksumInfo().GetChunkOffset(); off != 512 {
		t.Errorf("chunk offset %d, want 512", off)
	}
	var got []byte
	for {
		p, err := readPacket(rbr)
		if err != nil {
			t.Fatal(err)
		}
		if bad, err := (&checksummer{typ: pb.ChecksumTypeProto_CHECKSUM_CRC32C, bpc: 512, size: 4, tab: crc32.MakeTable(crc32.Castagnoli)}).verify(p.checksums, p.data); err != nil || bad >= 0 {
			t.Fatalf("packet checksums: %d %v", bad, err)
		}
		got = append(got, p.data...)
		if p.header.GetLastPacketInBlock() {
			break
		}
	}
	if !bytes.Equal(got, data[512:]) {
		t.Errorf("read %d bytes from 512, want the %d acknowledged", len(got), 1000-512)
	}
	// Past the acknowledged bytes: refused.
	rc2, _ := net.Dial("tcp", f.DataNodeAddr())
	defer rc2.Close()
	rc2.SetDeadline(time.Now().Add(10 * time.Second))
	rc2.Write(appendDelimited([]byte{0, dataTransferVersion, opReadBlock}, &pb.OpReadBlockProto{
		Header: &pb.ClientOperationHeaderProto{BaseHeader: &pb.BaseHeaderProto{Block: lb.GetB()}, ClientName: proto.String("reader")},
		Offset: proto.Uint64(0), Len: proto.Uint64(1001)}))
	b, _ = readDelimitedMsg(bufio.NewReader(rc2), 1<<20)
	proto.Unmarshal(b, resp)
	if resp.GetStatus() != pb.Status_ERROR || !strings.Contains(resp.GetMessage(), "don't match block") {
		t.Errorf("reading past the acknowledged bytes: %v", resp)
	}
}
