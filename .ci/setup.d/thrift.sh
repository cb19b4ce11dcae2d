#!/usr/bin/env bash
# Installs the independent Thrift peer of the thrift interop tests
# (internal/thrifttest): Debian's python3-thrift. The Python code
# generated from rpc/thriftrpc/flume.thrift is committed; regenerating it
# (`make thrift-gen`) also needs thrift-compiler, which CI does not.
set -euo pipefail
if /usr/bin/python3 -c 'import thrift.protocol.TCompactProtocol' 2>/dev/null; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install python3 python3-thrift
