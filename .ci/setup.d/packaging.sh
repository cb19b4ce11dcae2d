#!/usr/bin/env bash
# The packaging tests (packaging/): Debian's rpm to query the .rpm (rpm -qpl),
# systemd for systemd-analyze verify of the unit; dpkg and util-linux's
# setpriv, which install and run the .deb, are on every Debian machine.
set -euo pipefail
source "$(dirname "$0")/../apt.sh"
apt_install rpm systemd
