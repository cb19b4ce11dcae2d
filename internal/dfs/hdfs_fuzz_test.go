package dfs

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

// memConn is a DataNode connection that sent in.
type memConn struct{ r io.Reader }

func (c *memConn) Read(b []byte) (int, error)         { return c.r.Read(b) }
func (c *memConn) Write(b []byte) (int, error)        { return len(b), nil }
func (c *memConn) Close() error                       { return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

func ackBytes(seqnos ...int64) []byte {
	var b []byte
	for _, s := range seqnos {
		m, _ := proto.Marshal(&pb.PipelineAckProto{Seqno: proto.Int64(s), Reply: []pb.Status{pb.Status_SUCCESS}, Flag: []uint32{0}})
		b = binary.AppendUvarint(b, uint64(len(m)))
		b = append(b, m...)
	}
	return b
}

// FuzzPipelineAcks feeds a pipeline's acknowledgement reader arbitrary
// bytes for five packets in flight: it must stop (at the end of the input
// at the latest) with the packets it counts acknowledged a prefix of
// those sent, in order.
func FuzzPipelineAcks(f *testing.F) {
	f.Add(ackBytes(0, 1, 2, 3, 4))
	f.Add(ackBytes(0, -1, 1, 3))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, in []byte) {
		file := &hdfsFile{fs: &hdfsFS{timeout: time.Second}, bpc: 512}
		p := &pipeline{f: file, name: "fuzz", conn: &memConn{bytes.NewReader(in)}, changed: make(chan struct{}), stop: make(chan struct{}), acked: -1 << 62, pending: []int64{0, 1, 2, 3, 4}}
		p.wg.Add(1)
		p.readAcks(bufio.NewReader(p.conn))
		if p.err == nil {
			t.Fatal("the reader stopped without an error")
		}
		if p.acked >= 0 && (p.acked > 4 || int(p.acked)+1+len(p.pending) != 5) {
			t.Fatalf("acked %d with %v pending", p.acked, p.pending)
		}
	})
}
