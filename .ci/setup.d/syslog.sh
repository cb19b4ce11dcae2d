#!/usr/bin/env bash
# The independent syslog peers of source/syslog's interop tests: Debian's
# rsyslog (rsyslogd, run by the tests as a plain process in a temporary
# directory, never as the system's service) and util-linux's logger
# (package bsdutils, normally present). Idempotent.
set -euo pipefail
if command -v logger >/dev/null && { command -v rsyslogd >/dev/null || [ -x /usr/sbin/rsyslogd ]; }; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install rsyslog bsdutils
