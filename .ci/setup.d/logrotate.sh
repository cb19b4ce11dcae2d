#!/usr/bin/env bash
# Installs Debian's logrotate, which source/taildir's rotation tests run (with
# create and with copytruncate, from a configuration and state file in a
# temporary directory) while a writer appends to the tailed file. Idempotent.
set -euo pipefail
if command -v logrotate >/dev/null 2>&1 || [ -x /usr/sbin/logrotate ]; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install logrotate
