"""Decompresses Hadoop codec output read from stdin to stdout.

  hadoop_decompress.py zlib     concatenated zlib streams (DefaultCodec)
  hadoop_decompress.py snappy   Hadoop's Snappy block framing (SnappyCodec):
                                blocks of a 32-bit big-endian uncompressed
                                length followed by compressed chunks, each a
                                32-bit big-endian length and raw Snappy data,
                                until the chunks add up to the block's length

Anything malformed or trailing raises, so the caller sees a failure.
"""
import struct
import sys
import zlib


def unzlib(data):
    out = []
    while data:
        d = zlib.decompressobj()
        out.append(d.decompress(data))
        if not d.eof:
            raise ValueError("truncated zlib stream")
        data = d.unused_data
    return b"".join(out)


def unsnappy(data):
    import snappy

    out = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 4:
            raise ValueError("truncated block header at %d" % pos)
        (want,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4
        got = 0
        while got < want:
            if len(data) - pos < 4:
                raise ValueError("truncated chunk header at %d" % pos)
            (n,) = struct.unpack(">I", data[pos : pos + 4])
            pos += 4
            if n == 0 or pos + n > len(data):
                raise ValueError("bad chunk length %d at %d" % (n, pos))
            chunk = snappy.uncompress(data[pos : pos + n])
            pos += n
            got += len(chunk)
            out.append(chunk)
        if got != want:
            raise ValueError("block of %d bytes decompressed to %d" % (want, got))
    return b"".join(out)


def main():
    data = sys.stdin.buffer.read()
    kind = sys.argv[1]
    if kind == "zlib":
        out = unzlib(data)
    elif kind == "snappy":
        out = unsnappy(data)
    else:
        raise SystemExit("unknown kind " + kind)
    sys.stdout.buffer.write(out)


main()
