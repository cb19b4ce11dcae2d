package avrorpc

import (
	"compress/zlib"
	"fmt"
	"io"
	"net"
)

// deflateConn is Flume's compression-type = deflate: one zlib stream per
// connection and direction, with a sync flush after every write so the
// peer can decode each pack at once. It sits directly on TCP, under TLS
// when both are on (Flume 1.10+ order).
type deflateConn struct {
	net.Conn
	zr io.ReadCloser // created on the first Read: it reads the zlib header
	zw *zlib.Writer
}

func newDeflateConn(c net.Conn, level int) (*deflateConn, error) {
	zw, err := zlib.NewWriterLevel(c, level)
	if err != nil {
		return nil, fmt.Errorf("deflate level %d: %w", level, err)
	}
	return &deflateConn{Conn: c, zw: zw}, nil
}

func (d *deflateConn) Read(p []byte) (int, error) {
	if d.zr == nil {
		zr, err := zlib.NewReader(d.Conn)
		if err != nil {
			return 0, fmt.Errorf("deflate stream from %s: %w", d.RemoteAddr(), err)
		}
		d.zr = zr
	}
	n, err := d.zr.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("deflate stream from %s: %w", d.RemoteAddr(), err)
	}
	return n, err
}

func (d *deflateConn) Write(p []byte) (int, error) {
	n, err := d.zw.Write(p)
	if err != nil {
		return n, err
	}
	return n, d.zw.Flush()
}
