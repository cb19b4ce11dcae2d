#!/usr/bin/env bash
# The independent peers of the network sources' interop tests: curl (the
# HTTP source's client), util-linux's logger (package bsdutils) and Debian's
# rsyslog (rsyslogd, which source/syslog's tests run as a plain process in
# a temporary directory, never as the system's service). Idempotent.
set -euo pipefail
if command -v curl >/dev/null && command -v logger >/dev/null &&
	{ command -v rsyslogd >/dev/null || [ -x /usr/sbin/rsyslogd ]; }; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install curl bsdutils rsyslog
