#!/usr/bin/env bash
# Installs Graphviz's dot, which renders the golden outputs of flume-ng graph
# (cmd/flume-ng graph_test.go). About 15 s on a clean machine.
set -euo pipefail
if command -v dot >/dev/null; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install graphviz
