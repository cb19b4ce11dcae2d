package hdfsfake

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	pb "github.com/flumego/flume/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// Data transfer protocol constants (DataTransferProtocol, Op,
// PacketReceiver).
const (
	dataTransferVersion = 28
	opWriteBlock        = 80
	opReadBlock         = 81
	maxPacketSize       = 16 << 20
	maxOpBytes          = 1 << 20
	heartbeatSeqno      = -1
)

// opNames are the data transfer operations Hadoop defines; the fake
// implements WRITE_BLOCK and READ_BLOCK and refuses the others.
var opNames = map[byte]string{
	80: "WRITE_BLOCK", 81: "READ_BLOCK", 82: "READ_METADATA", 83: "REPLACE_BLOCK", 84: "COPY_BLOCK",
	85: "BLOCK_CHECKSUM", 86: "TRANSFER_BLOCK", 87: "REQUEST_SHORT_CIRCUIT_FDS",
	88: "RELEASE_SHORT_CIRCUIT_FDS", 89: "REQUEST_SHORT_CIRCUIT_SHM", 90: "BLOCK_GROUP_CHECKSUM",
	127: "CUSTOM",
}

var errBadPacket = errors.New("malformed data transfer packet")

// packet is one data transfer packet.
type packet struct {
	header    *pb.PacketHeaderProto
	checksums []byte
	data      []byte
}

// readPacket reads one packet: a 4-byte payload length (counting itself,
// the checksums and the data), a 2-byte header length, the
// PacketHeaderProto, the checksums and the data, with PacketReceiver's
// checks.
func readPacket(r io.Reader) (*packet, error) {
	var lens [6]byte
	if _, err := io.ReadFull(r, lens[:]); err != nil {
		return nil, err
	}
	payloadLen := int32(binary.BigEndian.Uint32(lens[:4]))
	headerLen := int(binary.BigEndian.Uint16(lens[4:]))
	if payloadLen < 4 {
		return nil, fmt.Errorf("%w: invalid payload length %d", errBadPacket, payloadLen)
	}
	if total := int64(payloadLen) + int64(headerLen); total > maxPacketSize {
		return nil, fmt.Errorf("%w: incorrect value for packet payload size: %d", errBadPacket, payloadLen)
	}
	buf, err := readN(r, headerLen+int(payloadLen)-4)
	if err != nil {
		return nil, fmt.Errorf("%w: truncated packet: %v", errBadPacket, err)
	}
	p := &packet{header: &pb.PacketHeaderProto{}}
	if err := proto.Unmarshal(buf[:headerLen], p.header); err != nil {
		return nil, fmt.Errorf("%w: packet header: %v", errBadPacket, err)
	}
	body := buf[headerLen:]
	dataLen := int(p.header.GetDataLen())
	if dataLen < 0 || dataLen > len(body) {
		return nil, fmt.Errorf("%w: data length in packet header (%d) exceeds data length received (%d)", errBadPacket, dataLen, len(body))
	}
	p.checksums, p.data = body[:len(body)-dataLen], body[len(body)-dataLen:]
	return p, nil
}

// readN reads n bytes, allocating at most 1 MiB ahead of the bytes that
// arrived, so that a declared length alone cannot make the reader
// allocate.
func readN(r io.Reader, n int) ([]byte, error) {
	const step = 1 << 20
	buf := make([]byte, 0, min(n, step))
	for len(buf) < n {
		k := min(n-len(buf), step)
		if cap(buf)-len(buf) < k {
			buf = append(buf, make([]byte, k)...)[:len(buf)]
		}
		if _, err := io.ReadFull(r, buf[len(buf):len(buf)+k]); err != nil {
			return nil, err
		}
		buf = buf[:len(buf)+k]
	}
	return buf, nil
}

// appendPacket appends the wire form of a packet.
func appendPacket(b []byte, h *pb.PacketHeaderProto, checksums, data []byte) []byte {
	hb, err := proto.Marshal(h)
	if err != nil {
		panic(fmt.Sprintf("hdfsfake: marshal packet header: %v", err))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(4+len(checksums)+len(data)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(hb)))
	b = append(b, hb...)
	b = append(b, checksums...)
	return append(b, data...)
}

// checksummer computes a block's chunk checksums.
type checksummer struct {
	typ  pb.ChecksumTypeProto
	bpc  int
	size int // bytes per checksum value
	tab  *crc32.Table
}

func newChecksummer(c *pb.ChecksumProto) (*checksummer, error) {
	bpc := int(c.GetBytesPerChecksum())
	if bpc <= 0 || bpc > maxPacketSize {
		return nil, fmt.Errorf("bytesPerChecksum %d out of range", bpc)
	}
	cs := &checksummer{typ: c.GetType(), bpc: bpc}
	switch c.GetType() {
	case pb.ChecksumTypeProto_CHECKSUM_NULL:
	case pb.ChecksumTypeProto_CHECKSUM_CRC32:
		cs.size, cs.tab = 4, crc32.IEEETable
	case pb.ChecksumTypeProto_CHECKSUM_CRC32C:
		cs.size, cs.tab = 4, crc32.MakeTable(crc32.Castagnoli)
	default:
		return nil, fmt.Errorf("unknown checksum type %d", c.GetType())
	}
	return cs, nil
}

// chunks is the number of chunks n bytes starting a packet make.
func (c *checksummer) chunks(n int) int { return (n + c.bpc - 1) / c.bpc }

// verify checks a packet's checksums, one per chunk counted from the
// packet's first byte. It returns the index of the first bad chunk, or -1.
func (c *checksummer) verify(checksums, data []byte) (bad int, err error) {
	if want := c.chunks(len(data)) * c.size; len(checksums) != want {
		return 0, fmt.Errorf("invalid checksum length: received length is %d but expected length is %d", len(checksums), want)
	}
	if c.size == 0 {
		return -1, nil
	}
	for i := 0; i*c.bpc < len(data); i++ {
		chunk := data[i*c.bpc : min((i+1)*c.bpc, len(data))]
		if crc32.Checksum(chunk, c.tab) != binary.BigEndian.Uint32(checksums[i*4:]) {
			return i, nil
		}
	}
	return -1, nil
}

// sum appends the checksums of data's chunks.
func (c *checksummer) sum(b, data []byte) []byte {
	if c.size == 0 {
		return b
	}
	for i := 0; i*c.bpc < len(data); i++ {
		b = binary.BigEndian.AppendUint32(b, crc32.Checksum(data[i*c.bpc:min((i+1)*c.bpc, len(data))], c.tab))
	}
	return b
}

// readOp reads a data transfer operation's header: the protocol version
// and the op code.
func readOp(r io.Reader) (op byte, err error) {
	var hdr [3]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, err
	}
	if v := binary.BigEndian.Uint16(hdr[:2]); v != dataTransferVersion {
		return 0, fmt.Errorf("Version Mismatch (Expected: %d, Received: %d )", dataTransferVersion, v)
	}
	return hdr[2], nil
}

// readDelimitedMsg reads a varint-length-prefixed message of at most max
// bytes.
func readDelimitedMsg(r *bufio.Reader, max int) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: message of %d bytes, more than %d", errBadPacket, n, max)
	}
	return readN(r, int(n))
}
