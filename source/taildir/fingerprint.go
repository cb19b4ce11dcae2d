package taildir

import (
	"hash/crc64"
	"io"
	"os"
)

// Fingerprint sizes: the head covers a file's first headMax bytes (fewer
// while the file is shorter), the mark up to markMax bytes just before the
// committed position.
const (
	headMax = 1024
	markMax = 256
)

var crcTable = crc64.MakeTable(crc64.ECMA)

// fingerprint tells whether a file is the one whose lines were read: the
// inode alone cannot, since a deleted file's inode number is soon given to
// a new file. It holds a checksum of the file's first bytes (as Vector's
// file source does) and one of the bytes just before the committed
// position; both must match. Only bytes already committed are covered, so a
// file that grows keeps its fingerprint.
type fingerprint struct {
	headLen int    // bytes [0, headLen) are covered by head
	head    uint64 // CRC-64 (ECMA) of them
	markEnd int64  // the mark covers [markEnd-markLen, markEnd)
	markLen int
	mark    uint64
}

// known reports whether the fingerprint covers anything.
func (fp fingerprint) known() bool { return fp.headLen > 0 }

// extend updates the fingerprint after the bytes raw, read at offset off,
// were committed. The head grows while it is contiguous and shorter than
// headMax; the mark moves to the end of raw.
func (fp *fingerprint) extend(off int64, raw []byte) {
	if len(raw) == 0 {
		return
	}
	if int64(fp.headLen) == off && fp.headLen < headMax {
		n := min(len(raw), headMax-fp.headLen)
		fp.head = crc64.Update(fp.head, crcTable, raw[:n])
		fp.headLen += n
	}
	m := min(len(raw), markMax)
	fp.markEnd = off + int64(len(raw))
	fp.markLen = m
	fp.mark = crc64.Checksum(raw[len(raw)-m:], crcTable)
}

// compute builds the fingerprint of f's bytes up to pos from the file.
func computeFingerprint(f io.ReaderAt, pos int64) (fingerprint, error) {
	var fp fingerprint
	if pos <= 0 {
		return fp, nil
	}
	head, err := readAt(f, 0, int(min(pos, headMax)))
	if err != nil {
		return fp, err
	}
	fp.headLen = len(head)
	fp.head = crc64.Checksum(head, crcTable)
	m := int(min(pos, markMax))
	mark, err := readAt(f, pos-int64(m), m)
	if err != nil {
		return fp, err
	}
	fp.markEnd, fp.markLen, fp.mark = pos, m, crc64.Checksum(mark, crcTable)
	return fp, nil
}

// matchHead reports whether f starts with the fingerprint's head.
func (fp fingerprint) matchHead(f io.ReaderAt) (bool, error) {
	if fp.headLen == 0 {
		return true, nil
	}
	head, err := readAt(f, 0, fp.headLen)
	if err != nil {
		return false, err
	}
	return len(head) == fp.headLen && crc64.Checksum(head, crcTable) == fp.head, nil
}

// match reports whether f, of the given size, holds both the head and the
// mark of the fingerprint.
func (fp fingerprint) match(f io.ReaderAt, size int64) (bool, error) {
	if size < int64(fp.headLen) || size < fp.markEnd {
		return false, nil
	}
	ok, err := fp.matchHead(f)
	if !ok || err != nil || fp.markLen == 0 {
		return ok, err
	}
	mark, err := readAt(f, fp.markEnd-int64(fp.markLen), fp.markLen)
	if err != nil {
		return false, err
	}
	return len(mark) == fp.markLen && crc64.Checksum(mark, crcTable) == fp.mark, nil
}

// readAt reads up to n bytes at off; fewer at the end of the file.
func readAt(f io.ReaderAt, off int64, n int) ([]byte, error) {
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, off)
	if err == io.EOF {
		err = nil
	}
	return buf[:got], err
}

// matchFile opens path and reports whether it holds fp; it returns the
// open file when it does.
func matchFile(path string, fp fingerprint) (*os.File, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false
	}
	ok, err := fp.match(f, fi.Size())
	if err != nil || !ok {
		f.Close()
		return nil, false
	}
	return f, true
}
