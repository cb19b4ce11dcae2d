#!/usr/bin/env bash
# Installs avsc 5.7.9, the independent JavaScript Avro RPC implementation the
# Avro interop tests (rpc/avrorpc, source/avro, sink/avro) talk to. npm puts it
# in .work/node (ignored by git); the tests look for it there. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=.work/node
if [ -f "$dir/node_modules/avsc/package.json" ] &&
	grep -q '"version": "5.7.9"' "$dir/node_modules/avsc/package.json"; then
	exit 0
fi
if ! command -v npm >/dev/null; then
	source .ci/apt.sh
	apt_install nodejs npm
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --silent avsc@5.7.9
