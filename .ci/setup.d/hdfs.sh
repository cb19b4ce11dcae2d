#!/usr/bin/env bash
# The independent decoders of the HDFS sink's tests (internal/hadoopcodec/
# codectest): Debian's gzip and bzip2, and Python's snappy module
# (python3-snappy) for Hadoop's Snappy block framing. Idempotent.
set -euo pipefail
if command -v gzip >/dev/null && command -v bzip2 >/dev/null &&
	/usr/bin/python3 -c 'import snappy, zlib' 2>/dev/null; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install gzip bzip2 python3 python3-snappy
